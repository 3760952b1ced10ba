"""Contract area `refunds`, goods coming back: a Shopify return becomes return pickings and
follows the return's life (docs/contract.md, "ReturnDocument"), and the machinery every flow
that takes goods back uses (a refund's restock, an edit after delivery): return pickings, one per
delivery the goods left with, received partly or fully, into the warehouse of a Shopify location.

Reusable entry points (all on `shopify.sync.api`):
- `_plan_returns(wanted, label)`: which done deliveries the goods go back from; refuses, before
  anything is written, to take back more than was delivered and not already returned.
- `_create_returns(order, plan, return_gid)`: the return pickings of a plan, ready to receive.
- `_receive(pickings, quantities, close)`: validate return moves for the given quantities per
  sale line (the rest stays to receive in a backorder, or is cancelled when `close`).
"""
from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare, float_is_zero

from .. import compat
from .shopify_sync_api import quantity_text

RETURN_WITHDRAWN_STATUSES = {"CANCELED", "CANCELLED", "DECLINED"}
RETURN_AWAITING_STATUSES = {"REQUESTED"}


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

    # ------------------------------------------------------------------ the machinery
    @staticmethod
    def _returnable(move):
        """Units of a done outgoing move not yet returned (return moves not cancelled, done or
        still to receive, count as returned: those goods are already on their way back)."""
        returned = sum(move.returned_move_ids.filtered(
            lambda m: m.state != "cancel").mapped("product_uom_qty"))
        return move.quantity - returned

    def _plan_returns(self, wanted, label):
        """{delivered picking: [(done outgoing move, qty to return, location_gid)]} for
        [(sale line, qty, location_gid)]; raises when more is asked back than was delivered
        and not already returned."""
        per_picking = {}
        for so_line, qty, location_gid in wanted:
            remaining = qty
            moves = so_line.move_ids.filtered(
                lambda m: m.state == "done" and m.picking_code == "outgoing")
            for move in moves.sorted("id"):
                take = min(remaining, self._returnable(move))
                if take <= 0:
                    continue
                per_picking.setdefault(move.picking_id, []).append((move, take, location_gid))
                remaining -= take
            if remaining > 0:
                raise ValidationError(
                    f"{label}: cannot return {quantity_text(qty)} × "
                    f"{so_line.product_id.default_code}: only {quantity_text(qty - remaining)} "
                    "delivered and not already returned")
        return per_picking

    def _create_returns(self, order, plan, return_gid=None):
        """The return pickings of a plan (one per delivered picking: Odoo returns one picking at
        a time), ready to receive, into the warehouse of the first item's Shopify location."""
        pickings = self.env["stock.picking"]
        for picking, items in plan.items():
            quantities = {}
            for move, take, _gid in items:
                quantities[move] = quantities.get(move, 0) + take
            new_picking = compat.create_return(picking, quantities)
            warehouse = self.env["shopify.location.map"]._warehouse_for(items[0][2])
            if warehouse and new_picking.location_dest_id.warehouse_id != warehouse:
                new_picking.write({"location_dest_id": warehouse.lot_stock_id.id})
                new_picking.move_ids.write({"location_dest_id": warehouse.lot_stock_id.id})
            if return_gid:
                # The return's GID is a binding field the sidecar alone writes.
                new_picking.sudo().write({"shopify_return_gid": return_gid})
            pickings |= new_picking
        return pickings

    @staticmethod
    def _sale_line_of(move):
        return move.sale_line_id or move.origin_returned_move_id.sale_line_id

    def _received(self, pickings, so_line):
        return sum(pickings.move_ids.filtered(
            lambda m: m.state == "done" and self._sale_line_of(m) == so_line).mapped("quantity"))

    def _receive(self, pickings, quantities, close=False):
        """Validate the open return moves of `pickings` for `quantities` ({sale line: qty}); the
        rest stays to receive in a backorder (that keeps the return's GID), or is cancelled when
        `close`. Returns the quantity received per sale line."""
        received = {}
        for picking in pickings.filtered(lambda p: p.state not in ("done", "cancel")):
            take_any = False
            for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
                so_line = self._sale_line_of(move)
                want = quantities.get(so_line, 0) - received.get(so_line, 0)
                take = max(0, min(want, move.product_uom_qty))
                move.quantity = take
                move.picked = bool(take)
                received[so_line] = received.get(so_line, 0) + take
                take_any = take_any or bool(take)
            if take_any:
                self._validate_return(picking, close)
            elif close:
                picking.action_cancel()
        return received

    def _validate_return(self, picking, close):
        context = {"skip_sms": True, "skip_backorder": True}
        if close:
            context["picking_ids_not_to_backorder"] = picking.ids
        picking.with_context(**context).button_validate()
        if picking.shopify_return_gid:
            backorders = self.env["stock.picking"].search([("backorder_id", "=", picking.id)])
            # The return's GID is a binding field the sidecar alone writes.
            backorders.sudo().write({"shopify_return_gid": picking.shopify_return_gid})

    # ------------------------------------------------------------------ apply_return
    @api.model
    def apply_return(self, document):
        """A Shopify return's current state: requested → nothing yet; approved → return pickings
        ready to receive; processed → the restocked units received, the others not; closed →
        nothing more to receive; declined or cancelled → the open pickings cancelled."""
        self = self._begin(document)
        gid = self._gid(document, "return_gid", "Return", "return")
        order_gid = self._gid(document, "order_gid", "Order", f"return {gid}")
        self._lock(f"order:{order_gid}")
        label = f"return {document.get('name') or gid}"
        status = (document.get("status") or "OPEN").upper()
        lines = self._return_lines(label, document)
        existing = self.env["stock.picking"].search(
            [("shopify_return_gid", "=", gid)], order="id")
        if status in RETURN_WITHDRAWN_STATUSES:
            open_pickings = existing.filtered(lambda p: p.state not in ("done", "cancel"))
            open_pickings.action_cancel()
            return self._return_result("cancelled" if open_pickings else "unchanged", existing)
        if status in RETURN_AWAITING_STATUSES and not existing:
            return self._return_result("awaiting_approval", existing)
        order = self._imported_order(label, order_gid)
        resolved = [(self._order_line_for(order, line, f"{label} line {index}"), line)
                    for index, line in enumerate(lines, start=1)]
        status_out = "unchanged"
        if not existing:
            wanted = [(so_line, line["quantity"], document.get("location_gid"))
                      for so_line, line in resolved if line["quantity"]]
            if not wanted:
                raise ValidationError(f"{label}: no quantity to return")
            existing = self._create_returns(order, self._plan_returns(wanted, label), gid)
            status_out = "created"
        if self._receive_processed(existing, resolved, status == "CLOSED") and \
                status_out == "unchanged":
            status_out = "updated"
        existing = self.env["stock.picking"].search([("shopify_return_gid", "=", gid)], order="id")
        return self._return_result(status_out, existing)

    def _return_lines(self, label, document):
        """Every line's quantities, checked before anything is written."""
        lines = []
        for index, line in enumerate(document.get("lines") or [], start=1):
            line_label = f"{label} line {index}"
            clean = dict(line)
            clean["quantity"] = self._qty(line.get("quantity"), line_label)
            for field in ("restocked_quantity", "not_restocked_quantity"):
                clean[field] = self._qty(line.get(field) or 0, f"{line_label} {field}")
            if clean["restocked_quantity"] + clean["not_restocked_quantity"] > clean["quantity"]:
                raise ValidationError(
                    f"{line_label}: {clean['restocked_quantity']} restocked and "
                    f"{clean['not_restocked_quantity']} not restocked exceed the "
                    f"{clean['quantity']} returned")
            lines.append(clean)
        return lines

    def _receive_processed(self, pickings, resolved, closed):
        """Receive what Shopify restocked and is not received yet; when every unit is processed
        (or the return is closed), nothing more comes back. True when anything changed."""
        targets = {}
        processed_all = True
        for so_line, line in resolved:
            targets[so_line] = targets.get(so_line, 0) + line["restocked_quantity"]
            if line["restocked_quantity"] + line["not_restocked_quantity"] < line["quantity"]:
                processed_all = False
        wanted = {so_line: max(0, target - self._received(pickings, so_line))
                  for so_line, target in targets.items()}
        close = closed or processed_all
        open_pickings = pickings.filtered(lambda p: p.state not in ("done", "cancel"))
        if not open_pickings or (not any(wanted.values()) and not close):
            return False
        self._receive(open_pickings, wanted, close=close)
        return True

    @staticmethod
    def _return_result(status, pickings):
        return {"status": status, "picking_id": pickings[:1].id or None,
                "picking_ids": pickings.ids}

    # ------------------------------------------------------------------ shared helpers
    @staticmethod
    def _undelivered(so_line):
        """Units of a product line not delivered (or delivered and returned): what can leave the
        order without taking goods back."""
        value = so_line.product_uom_qty - so_line.qty_delivered
        return 0 if float_compare(value, 0, precision_digits=3) <= 0 else value

    @staticmethod
    def _same_qty(a, b):
        return float_is_zero(a - b, precision_digits=3)
