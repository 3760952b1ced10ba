"""Contract area `refunds`: a Shopify refund becomes a credit note (and restocks), a Shopify
return becomes return pickings (docs/contract.md, "RefundDocument" and "ReturnDocument")."""
from odoo import api, models
from odoo.exceptions import ValidationError

from .. import compat
from ..lib import money
from .shopify_sync_api import quantity_text

RETURN_WITHDRAWN_STATUSES = {"CANCELED", "CANCELLED", "DECLINED"}


class ShopifySyncApi(models.AbstractModel):
    _inherit = "shopify.sync.api"

    @staticmethod
    def _order_line_for(order, line, line_label):
        """The product line of `order` a refund or return line is about: by Shopify line GID, else
        by SKU. Raises ValidationError naming the line when the order has no such line."""
        so_line = order.order_line.filtered(
            lambda sol, g=line.get("line_gid"): sol.shopify_line_gid == g
            and sol.shopify_line_role == "product")[:1]
        if not so_line and line.get("sku"):
            so_line = order.order_line.filtered(
                lambda sol, s=line["sku"]: sol.product_id.default_code == s
                and sol.shopify_line_role == "product")[:1]
        if not so_line:
            raise ValidationError(
                f'{line_label}: line {line.get("line_gid")} (SKU "{line.get("sku")}") is '
                f"not on order {order.name}")
        return so_line

    def _imported_order(self, label, order_gid):
        order = self.env["sale.order"].search([("shopify_gid", "=", order_gid)], limit=1)
        if not order:
            raise ValidationError(f"{label}: order {order_gid} is not imported in Odoo")
        return order

    # ------------------------------------------------------------------ apply_refund
    @api.model
    def apply_refund(self, document):
        """Check → skip when already applied → credit note lines → remember → restock →
        credit note, posted when its total equals Shopify's, else left in draft (flagged)."""
        self = self._begin(document)
        gid = self._gid(document, "refund_gid", "Refund", "refund")
        order_gid = self._gid(document, "order_gid", "Order", f"refund {gid}")
        self._lock(f"order:{order_gid}")
        label = f"refund {gid}"
        total_cents = self._check_refund_document(label, document)
        existing = self.env["account.move"].search(
            [("shopify_gid", "=", gid), ("move_type", "=", "out_refund")], limit=1)
        if existing:
            return {"status": "unchanged", "credit_note_id": existing.id,
                    "amount_total": money.to_string(existing.amount_total)}
        order = self._imported_order(label, order_gid)
        if gid in (order.shopify_refund_gids or "").split():
            return {"status": "unchanged", "credit_note_id": None, "amount_total": "0.00"}
        invoice_lines, restock = self._refund_line_vals(label, order, document)
        invoice_lines += self._refund_shipping_and_adjustment_vals(label, order, document)
        self._remember_refund(order, gid)
        self._restock(order, restock, label)
        if not invoice_lines:  # restock only: nothing to credit
            return {"status": "created", "credit_note_id": None, "amount_total": "0.00"}
        move = self._create_credit_note(order, gid, document, invoice_lines)
        return self._settle_credit_note(move, total_cents, label)

    def _check_refund_document(self, label, document):
        """Every amount, before anything is written: a malformed refund is refused whole
        (ValidationError naming the field). Returns the refund's total in exact cents."""
        for index, line in enumerate(document.get("lines") or [], start=1):
            line_label = f"{label} line {index}"
            self._qty(line.get("quantity"), line_label)
            for field in ("subtotal", "total_tax"):
                self._cents(line.get(field), f"{line_label} {field}")
        shipping = document.get("shipping") or {}
        self._cents(shipping.get("amount"), f"{label} shipping amount")
        self._cents(shipping.get("tax"), f"{label} shipping tax")
        for index, adjustment in enumerate(document.get("adjustments") or [], start=1):
            self._cents(adjustment.get("amount"), f"{label} adjustment {index}")
        return self._cents(document.get("total"), f"{label} total")

    @staticmethod
    def _remember_refund(order, gid):
        """Idempotency, also for refunds that only restock and create no credit note."""
        # The list of applied refunds is a binding field the sidecar alone writes.
        order.sudo().write({"shopify_refund_gids": "\n".join(
            filter(None, [(order.shopify_refund_gids or "").strip(), gid]))})

    def _refund_line_vals(self, label, order, document):
        """(credit note line values, restocks [(sale line, qty, restock type, location GID)])."""
        invoice_lines, restock = [], []
        for index, line in enumerate(document.get("lines") or [], start=1):
            line_label = f"{label} line {index}"
            qty = self._qty(line.get("quantity"), line_label)
            subtotal = self._cents(line.get("subtotal"), f"{line_label} subtotal")
            so_line = self._order_line_for(order, line, line_label)
            if subtotal:
                # The quantity is kept when the unit price is exact, else one unit of the total.
                unit = money.divide_exact(subtotal, qty) if qty else None
                invoice_lines.append({
                    "product_id": so_line.product_id.id,
                    "name": so_line.name if unit is not None
                    else f"{quantity_text(qty)} × {so_line.name}",
                    "quantity": qty if unit is not None else 1,
                    "price_unit": float(unit if unit is not None else money.to_decimal(subtotal)),
                    "tax_ids": [(6, 0, compat.value(so_line, "tax_id").ids)],
                })
            if qty and line.get("restock_type") in ("cancel", "return"):
                restock.append((so_line, qty, line.get("restock_type"), line.get("location_gid")))
        return invoice_lines, restock

    def _refund_shipping_and_adjustment_vals(self, label, order, document):
        shipping_product = self.env.ref("shopify_sync.product_shopify_shipping").product_variant_id
        adjustment_product = self.env.ref(
            "shopify_sync.product_shopify_refund_adjustment").product_variant_id
        vals = []
        shipping = document.get("shipping") or {}
        shipping_amount = self._money(shipping.get("amount"), f"{label} shipping amount")
        if shipping_amount:
            ship_line = order.order_line.filtered(
                lambda line: line.shopify_line_role == "shipping")[:1]
            vals.append({
                "product_id": shipping_product.id, "name": "Shipping refund", "quantity": 1,
                "price_unit": float(shipping_amount),
                "tax_ids": [(6, 0, compat.value(ship_line, "tax_id").ids)],
            })
        for index, adjustment in enumerate(document.get("adjustments") or [], start=1):
            amount = self._money(adjustment.get("amount"), f"{label} adjustment {index}")
            if amount:
                vals.append({
                    "product_id": adjustment_product.id, "quantity": 1,
                    "name": adjustment.get("reason") or "Refund adjustment",
                    "price_unit": float(amount), "tax_ids": [(6, 0, [])],
                })
        return vals

    def _create_credit_note(self, order, gid, document, invoice_lines):
        invoice = order.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted")[:1]
        note = f": {document['note']}" if document.get("note") else ""
        return self.env["account.move"].create({
            "move_type": "out_refund",
            "partner_id": order.partner_invoice_id.id,
            "currency_id": order.currency_id.id,
            "fiscal_position_id": order.fiscal_position_id.id,
            "invoice_origin": order.name,
            "ref": f"Shopify refund {gid}{note}",
            "reversed_entry_id": invoice.id,
            "shopify_gid": gid,
            "shopify_shop": self._shop(),
            "shopify_sale_order_id": order.id,
            "invoice_line_ids": [(0, 0, vals) for vals in invoice_lines],
        })

    @staticmethod
    def _settle_credit_note(move, total_cents, label):
        """Post when Odoo's computed total, rounded at the cent, equals Shopify's exact total."""
        if money.odoo_cents(move.amount_total) != total_cents:
            message = (f"{label}: Odoo credit note total {money.to_string(move.amount_total)} "
                       f"differs from Shopify total {money.format_cents(total_cents)}; "
                       "left in draft")
            move._shopify_set_result("error", message=message)
            return {"status": "flagged", "credit_note_id": move.id,
                    "amount_total": money.to_string(move.amount_total), "message": message}
        move.action_post()
        move._shopify_set_result("synced")
        return {"status": "created", "credit_note_id": move.id,
                "amount_total": money.to_string(move.amount_total)}

    # ------------------------------------------------------------------ goods coming back
    def _restock(self, order, restock, label):
        """cancel: lower the ordered quantity; return: receive the goods back (validated)."""
        to_return = []
        for so_line, qty, kind, location_gid in restock:
            if kind == "cancel":
                new_qty = max(so_line.qty_delivered, so_line.product_uom_qty - qty)
                if order.state == "sale" or new_qty != so_line.product_uom_qty:
                    so_line.write({"product_uom_qty": new_qty})
            else:
                pending_returns = order.picking_ids.filtered(
                    lambda p: p.shopify_return_gid and p.state != "cancel"
                    and so_line.product_id in p.move_ids.product_id)
                if pending_returns:
                    continue  # a Shopify return (apply_return) already brings these back
                to_return.append((so_line, qty, location_gid))
        if to_return:
            pickings = self._create_returns(order, to_return, label)
            for picking in pickings:
                for move in picking.move_ids:
                    move.quantity = move.product_uom_qty
                    move.picked = True
                picking.with_context(skip_sms=True, skip_backorder=True).button_validate()

    def _create_returns(self, order, wanted, label, return_gid=None):
        """Return pickings (one per delivered picking) for [(sale line, qty, location_gid)]."""
        pickings = self.env["stock.picking"]
        for picking, items in self._returned_moves(wanted, label).items():
            quantities = {}
            for move, take, _gid in items:
                quantities[move] = quantities.get(move, 0) + take
            new_picking = compat.create_return(picking, quantities)
            location_gid = items[0][2]
            warehouse = self.env["shopify.location.map"]._warehouse_for(location_gid)
            if warehouse and new_picking.location_dest_id.warehouse_id != warehouse:
                new_picking.write({"location_dest_id": warehouse.lot_stock_id.id})
                new_picking.move_ids.write({"location_dest_id": warehouse.lot_stock_id.id})
            if return_gid:
                # The return's GID is a binding field the sidecar alone writes.
                new_picking.sudo().write({"shopify_return_gid": return_gid})
            pickings |= new_picking
        return pickings

    @staticmethod
    def _returned_moves(wanted, label):
        """{delivered picking: [(done outgoing move, qty to return, location_gid)]}; raises
        when more is asked back than was delivered."""
        per_picking = {}
        for so_line, qty, location_gid in wanted:
            remaining = qty
            moves = so_line.move_ids.filtered(
                lambda m: m.state == "done" and m.picking_code == "outgoing")
            for move in moves:
                if remaining <= 0:
                    break
                take = min(remaining, move.quantity)
                per_picking.setdefault(move.picking_id, []).append((move, take, location_gid))
                remaining -= take
            if remaining > 0:
                raise ValidationError(
                    f"{label}: cannot return {quantity_text(qty)} × "
                    f"{so_line.product_id.default_code}: only {quantity_text(qty - remaining)} "
                    "delivered")
        return per_picking

    # ------------------------------------------------------------------ apply_return
    @api.model
    def apply_return(self, document):
        self = self._begin(document)
        gid = self._gid(document, "return_gid", "Return", "return")
        order_gid = self._gid(document, "order_gid", "Order", f"return {gid}")
        self._lock(f"order:{order_gid}")
        label = f"return {gid}"
        existing = self.env["stock.picking"].search(
            [("shopify_return_gid", "=", gid)], order="id")
        withdrawn = (document.get("status") or "").upper() in RETURN_WITHDRAWN_STATUSES
        if withdrawn:
            # Declined or cancelled in Shopify: goods will not come back.
            open_pickings = existing.filtered(lambda p: p.state not in ("done", "cancel"))
            open_pickings.action_cancel()
            return {"status": "cancelled" if open_pickings else "unchanged",
                    "picking_id": existing[:1].id or None, "picking_ids": existing.ids}
        if existing:
            return {"status": "unchanged", "picking_id": existing[0].id,
                    "picking_ids": existing.ids}
        order = self._imported_order(label, order_gid)
        wanted = []
        for index, line in enumerate(document.get("lines") or [], start=1):
            qty = self._qty(line.get("quantity"), f"{label} line {index}")
            so_line = self._order_line_for(order, line, f"{label} line {index}")
            if qty:
                wanted.append((so_line, qty, document.get("location_gid")))
        if not wanted:
            raise ValidationError(f"{label}: no quantity to return")
        pickings = self._create_returns(order, wanted, label, return_gid=gid)
        return {"status": "created", "picking_id": pickings[0].id, "picking_ids": pickings.ids}
