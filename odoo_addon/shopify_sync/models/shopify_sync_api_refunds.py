"""Contract area `refunds`, money: a Shopify refund becomes what it does to the sales order and,
when the order was invoiced, a credit note of exactly Shopify's amounts; a credit note posted in
Odoo is exported for Shopify; and what Odoo holds for some refunds, for the daily reconciliation
(docs/contract.md, "RefundDocument", "CreditNoteDocument", "refund_status").

What a refund does to the order (the order keeps mirroring Shopify's current order):
- units that leave the order (cancelled before delivery, written off, returned) leave their
  product line; returned ones are received back first (shopify_sync_api_returns.py);
- units delivered and not returned (refunded without restock) stay on their line, counted in
  `shopify_kept_qty`, and their refund is a negative "refund" line at the unit price;
- the refunded units' share of a line discount leaves the discount line;
- refunded shipping is a negative shipping line, and a duty given back a negative line of the
  duties product on the duty's GID, with the duty line's taxes; order adjustments (money
  refunded beyond or short of the goods) are "refund adjustment" lines, which Shopify's current
  total does not count either.
The credit note credits exactly those changes, linked to their sale lines, so Odoo's invoiced
quantities stay right (money-and-privacy notes: a credit note linked to sale lines lowers the
invoiced quantity). Reusable entry points for other flows that take things off an order:
`_leave(order, so_line, qty)`, `_refund_money_lines(...)` and `_credit_note(...)`.
"""
from odoo import Command, _, api, models
from odoo.exceptions import ValidationError

from .. import compat
from ..lib import money
from .shopify_sync_api import quantity_text

RESTOCK_RETURN = {"return", "legacy_restock"}
_lt = compat.lazy_translation(__name__)
# The line that takes back the money of an additional fee credited in Odoo (`_echo_fee_lines`).
FEE_REFUND_NAME = _lt("Additional fee refunded: %(name)s")
MAX_REFUND_GIDS = 5000


class ShopifySyncApi(models.AbstractModel):
    _inherit = "shopify.sync.api"

    # ------------------------------------------------------------------ apply_refund
    @api.model
    def apply_refund(self, document):
        """Check → skip when already applied → plan (before any write) → goods back → the order
        → credit note (when invoiced), posted when its total equals Shopify's → the record."""
        self = self._begin(document)
        gid = self._gid(document, "refund_gid", "Refund", "refund")
        order_gid = self._gid(document, "order_gid", "Order", f"refund {gid}")
        self._lock(f"order:{order_gid}")
        document = self._in_order_money(order_gid, document, f"refund {gid}")
        # Amounts are exact in the order's shop currency's minor units (JPY 0, KWD 3 decimals).
        self = self._with_order_currency(order_gid)
        label = f"refund {gid}"
        total_cents = self._check_refund_document(label, document)
        return_gid = None
        if document.get("return_gid") is not None:
            return_gid = self._gid(document, "return_gid", "Return", label)
        record = self.env["shopify.refund"].search([("shopify_gid", "=", gid)], limit=1)
        if record and record.state != "pending":
            return self._refund_result("unchanged", record)
        order = self._imported_order(label, order_gid)
        document, total_cents = self._refund_currency(order, document, total_cents)
        # Converted into the company currency: read and written with its decimals from here.
        self = self._with_currency(order.currency_id.name)
        echo = self.env["account.move"].search(
            [("shopify_gid", "=", gid), ("move_type", "=", "out_refund")], limit=1)
        reflected = bool(record)
        plan = self._refund_plan(label, order, document, reflected)
        self._duty_refund_vals(label, order, document)  # refuses an unknown duty before writing
        goods = self._plan_goods_back(label, order, plan, return_gid)
        self._take_goods_back(order, goods, return_gid)
        credit_note = echo
        if order.state == "cancel":
            # A cancelled order is not changed any more; what was invoiced is credited as is.
            if not echo and self._invoiced(order):
                credit_note = self._credit_note_record(
                    order, gid, document, self._unlinked_credit_vals(label, order, document))
        else:
            money_lines = self._apply_to_order(label, order, document, plan, echo, reflected)
            if not echo and self._invoiced(order) and (money_lines or not reflected):
                credit_note = self._credit_note(order, gid, document, plan, money_lines,
                                                reflected)
        return self._settle_refund(record, order, gid, document, credit_note, echo, total_cents,
                                   reflected, label)

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
        for index, duty in enumerate(document.get("duties") or [], start=1):
            self._gid(duty, "duty_gid", "Duty", f"{label} duty {index}")
            self._cents(duty.get("amount"), f"{label} duty {index} amount")
            self._cents(duty.get("tax"), f"{label} duty {index} tax")
        back = 0
        for index, adjustment in enumerate(document.get("adjustments") or [], start=1):
            back += max(0, self._cents(adjustment.get("amount"), f"{label} adjustment {index}"))
        edit_balance = self._cents(document.get("edit_balance"), f"{label} edit_balance")
        if edit_balance < 0 or edit_balance > back:
            raise ValidationError(
                f"{label} edit_balance: {money.format_cents(edit_balance, self._places())} must "
                f"be between 0 and the money refunded beyond the goods "
                f"({money.format_cents(back, self._places())})")
        return self._cents(document.get("total"), f"{label} total")

    def _refund_plan(self, label, order, document, reflected):
        """Per refund line: its product line, and how many units leave the order (`leave`),
        stay with the customer (`kept`) or come back first (`back`). Nothing is written."""
        plan, taken = [], {}
        for index, line in enumerate(document.get("lines") or [], start=1):
            line_label = f"{label} line {index}"
            qty = self._qty(line.get("quantity"), line_label)
            so_line = self._order_line_for(order, line, line_label)
            item = {"so_line": so_line, "qty": qty, "index": index,
                    "subtotal": self._money(line.get("subtotal"), f"{line_label} subtotal"),
                    "restock": line.get("restock_type") or "no_restock",
                    "location_gid": line.get("location_gid"), "leave": qty, "kept": 0, "back": 0}
            if not reflected and qty:
                self._split_units(item, taken, line_label)
            plan.append(item)
        return plan

    def _split_units(self, item, taken, line_label):
        """Returned units come back from what was delivered (the rest was never delivered);
        other units leave from what is not delivered first, the rest stays delivered (kept)."""
        so_line, qty = item["so_line"], item["qty"]
        used = taken.setdefault(so_line, {"open": 0, "delivered": 0})
        left = so_line.product_uom_qty - so_line.shopify_kept_qty - used["open"] - used["delivered"]
        if qty > left:
            raise ValidationError(
                f"{line_label}: cannot refund {quantity_text(qty)} × "
                f"{so_line.product_id.default_code}: only {quantity_text(max(0, left))} left on "
                f"order {so_line.order_id.name}")
        open_units = max(0, self._undelivered(so_line) - used["open"])
        delivered = max(0, so_line.qty_delivered - used["delivered"])
        if item["restock"] in RESTOCK_RETURN:
            item["back"] = min(qty, delivered)
            used["delivered"] += item["back"]
            used["open"] += qty - item["back"]
        else:
            leave = min(qty, open_units)
            item["leave"], item["kept"] = leave, qty - leave
            used["open"] += leave
            used["delivered"] += qty - leave

    def _plan_goods_back(self, label, order, plan, return_gid):
        """Where returned units come back from: the open pickings of the Shopify return the
        refund closes, then what that return's done pickings received already and no refund
        took off the order yet (received in Odoo before the refund: nothing comes back twice),
        then new return pickings. Refused before any write when more is asked back than was
        delivered and not already returned."""
        pickings = done = self.env["stock.picking"]
        if return_gid:
            of_return = self.env["stock.picking"].search(
                [("shopify_return_gid", "=", return_gid)])
            pickings = of_return.filtered(lambda p: p.state not in ("done", "cancel"))
            done = of_return.filtered(lambda p: p.state == "done")
        from_return, received, new = {}, {}, []
        for item in plan:
            if not item["back"]:
                continue
            so_line = item["so_line"]
            open_qty = sum(pickings.move_ids.filtered(
                lambda m, s=so_line: m.state not in ("done", "cancel")
                and self._sale_line_of(m) == s).mapped("product_uom_qty"))
            use = min(item["back"], max(0, open_qty - from_return.get(so_line, 0)))
            if use:
                from_return[so_line] = from_return.get(so_line, 0) + use
            done_qty = sum(done.move_ids.filtered(
                lambda m, s=so_line: m.state == "done" and self._sale_line_of(m) == s
            ).mapped("quantity"))
            unrefunded = min(done_qty, self._returned_not_refunded(so_line)) \
                - received.get(so_line, 0)
            already = min(item["back"] - use, max(0, unrefunded))
            if already:
                received[so_line] = received.get(so_line, 0) + already
            if item["back"] > use + already:
                new.append((so_line, item["back"] - use - already, item["location_gid"]))
        return {"pickings": pickings, "from_return": from_return,
                "plan": self._plan_returns(new, label) if new else {}}

    @staticmethod
    def _returned_not_refunded(so_line):
        """Units of the line still on the order and not delivered (nor kept): at most this many
        of a return's received units are not refunded yet (a refund takes its units off the
        order)."""
        return max(0, so_line.product_uom_qty - so_line.shopify_kept_qty
                   - so_line.qty_delivered)

    def _take_goods_back(self, order, goods, return_gid):
        if goods["from_return"]:
            self._receive(goods["pickings"], goods["from_return"])
        if goods["plan"]:
            created = self._create_returns(order, goods["plan"], return_gid)
            quantities = {}
            for move in created.move_ids:
                so_line = self._sale_line_of(move)
                quantities[so_line] = quantities.get(so_line, 0) + move.product_uom_qty
            self._receive(created, quantities, close=True)

    def _apply_to_order(self, label, order, document, plan, echo, reflected):
        """The order after the refund: quantities, kept units, discounts, and (unless the money
        is a credit note made in Odoo) the refund's own lines. Returns the new money lines."""
        relock = order.locked
        if relock:
            order.action_unlock()
        for item in plan:
            if not reflected:
                self._leave(order, item["so_line"], item["leave"])
                if item["kept"]:
                    item["so_line"].shopify_kept_qty += item["kept"]
            if not echo and not reflected:
                self._refund_discount_share(item)
        money_lines = self.env["sale.order.line"]
        if not echo:
            money_lines = self._refund_money_lines(label, order, document, plan)
        elif not reflected:
            self._echo_duty_lines(order, echo, document)
            self._echo_fee_lines(order, echo, document)
        if relock:
            order.action_lock()
        return money_lines

    def _leave(self, order, so_line, qty):
        """`qty` units leave a product line (never below what is delivered: units delivered and
        not returned stay, see `shopify_kept_qty`)."""
        if not qty:
            return
        new_qty = max(so_line.qty_delivered, so_line.product_uom_qty - qty)
        if not self._same_qty(new_qty, so_line.product_uom_qty):
            so_line.write({"product_uom_qty": new_qty})

    def _echo_duty_lines(self, order, credit_note, document):
        """A credit note made in Odoo that Shopify refunded with its duties (refundDuties):
        Shopify's current order no longer counts them, so the order takes them off as a Shopify
        refund would — a refund line mirroring each duty line of the credit note, which that
        credit note line then credits instead of the duty line (the duty line stays invoiced)."""
        if not document.get("duties"):
            return
        products = self._duties_products(order)
        gids = {duty.get("duty_gid") for duty in document["duties"]}
        duty_lines = order.order_line.filtered(lambda sol: sol.shopify_line_role == "duty")
        for aml in credit_note.invoice_line_ids.filtered(
                lambda line: line.display_type == "product" and line.product_id in products
                and line.quantity):
            duty_line = aml.sale_line_ids.filtered(lambda sol: sol.shopify_line_role == "duty")[:1]
            duty_line = duty_line or duty_lines.filtered(
                lambda sol: sol.shopify_line_gid in gids)[:1]
            if not duty_line:
                continue
            vals = self._money_line_vals(
                document["refund_gid"], "refund", duty_line.shopify_line_gid,
                _("Duty refund: %(duty)s", duty=duty_line.name), -aml.quantity, aml.price_unit,
                aml.tax_ids, "duty")
            refund_line = self.env["sale.order.line"].create(
                dict(vals, order_id=order.id, product_id=duty_line.product_id.id))
            aml.sale_line_ids = [Command.set(refund_line.ids)]

    def _echo_fee_lines(self, order, credit_note, document):
        """A credit note made in Odoo that credits an additional fee: Shopify refunded it as
        money beyond the goods (its 2026-10 API has no refund field for a fee), so its current
        order still counts the fee (docs/flows.md, "Additional fees"). The fee line stays
        invoiced; the money goes back as a Shopify refund adjustment would — a "refund
        adjustment" line mirroring the credit note's fee line, which that line then credits
        instead of the fee line."""
        translate = compat.translator(self.env)
        for aml in credit_note.invoice_line_ids.filtered(
                lambda line: line.display_type == "product" and line.quantity):
            fee_line = aml.sale_line_ids.filtered(lambda sol: sol.shopify_line_role == "fee")[:1]
            if not fee_line:
                continue
            vals = self._money_line_vals(
                document["refund_gid"], "refund_adjustment", fee_line.shopify_line_gid,
                translate(FEE_REFUND_NAME) % {"name": fee_line.name}, -aml.quantity,
                aml.price_unit, aml.tax_ids, "adjustment")
            refund_line = self.env["sale.order.line"].create(
                dict(vals, order_id=order.id, product_id=fee_line.product_id.id))
            aml.sale_line_ids = [Command.set(refund_line.ids)]

    def _duties_products(self, order):
        """The products an order's duties are booked on: the company's duties product, and those
        of its duty lines (the setting may have changed since)."""
        duty_lines = order.order_line.filtered(lambda sol: sol.shopify_line_role == "duty")
        return order.company_id._shopify_duties_product() | duty_lines.product_id

    def _refund_discount_share(self, item):
        """The refunded units' share of the line's discount leaves the discount line: Shopify's
        refunded subtotal is the discounted price of the units."""
        share = self._discount_share(item)
        if not share:
            return
        discount = item["so_line"].order_id.order_line.filtered(
            lambda sol: sol.shopify_line_gid == item["so_line"].shopify_line_gid
            and sol.shopify_line_role == "discount")[:1]
        if discount:
            discount.write({"price_unit": min(0.0, discount.price_unit + float(share))})

    def _discount_share(self, item):
        """Units × unit price − Shopify's refunded subtotal, exactly (Decimal)."""
        places = self._places()
        price = money.to_decimal(money.odoo_cents(item["so_line"].price_unit, places), places)
        return price * item["qty"] - item["subtotal"]

    def _refund_money_lines(self, label, order, document, plan):
        """The refund's own sale lines: units kept by the customer, shipping, adjustments."""
        lines = self.env["sale.order.line"]
        for line_vals in self._refund_money_lines_vals(label, order, document, plan):
            line_vals["order_id"] = order.id
            lines |= self.env["sale.order.line"].create(line_vals)
        return lines

    def _refund_money_lines_vals(self, label, order, document, plan):
        gid = document["refund_gid"]
        vals = []
        for item in plan:
            if item["kept"]:
                so_line = item["so_line"]
                vals.append(self._money_line_vals(
                    gid, "refund", so_line.shopify_line_gid,
                    f"Refunded, kept by the customer: {so_line.name}",
                    -item["kept"], so_line.price_unit, compat.value(so_line, "tax_id"),
                    "adjustment"))
        shipping = document.get("shipping") or {}
        shipping_amount = self._money(shipping.get("amount"), f"{label} shipping amount")
        if shipping_amount:
            ship_line = order.order_line.filtered(
                lambda line: line.shopify_line_role == "shipping")[:1]
            vals.append(self._money_line_vals(
                gid, "refund", ship_line.shopify_line_gid or "shipping:1", "Shipping refund", -1,
                float(shipping_amount), compat.value(ship_line, "tax_id"), "shipping"))
        vals += self._duty_refund_vals(label, order, document)
        # The part of the money back that repays an order edit is credited by the edit itself
        # (shopify_sync_api_edits.py): it comes off the adjustments, never twice.
        edit_balance = self._money(document.get("edit_balance"), f"{label} edit_balance")
        for index, adjustment in enumerate(document.get("adjustments") or [], start=1):
            amount = self._money(adjustment.get("amount"), f"{label} adjustment {index}")
            repaid = min(edit_balance, max(amount, 0))
            amount, edit_balance = amount - repaid, edit_balance - repaid
            if amount:
                vals.append(self._money_line_vals(
                    gid, "refund_adjustment", gid,
                    f"Refund adjustment: {adjustment.get('reason') or 'refund discrepancy'}",
                    -1, float(amount), self.env["account.tax"], "adjustment"))
        return vals

    def _duty_refund_vals(self, label, order, document):
        """Duties given back: a negative line each on the duty's GID with the duty line's taxes
        (Odoo computes their tax; a rounding cent is carried as for any credit). A duty the
        order does not have is refused, naming it, before anything is written."""
        vals = []
        for index, duty in enumerate(document.get("duties") or [], start=1):
            duty_label = f"{label} duty {index}"
            amount = self._money(duty.get("amount"), f"{duty_label} amount")
            duty_line = order.order_line.filtered(
                lambda line, g=duty.get("duty_gid"): line.shopify_line_role == "duty"
                and line.shopify_line_gid == g)[:1]
            if not duty_line:
                raise ValidationError(
                    f"{duty_label}: duty {duty.get('duty_gid')} is not on order {order.name}")
            if amount:
                line_vals = self._money_line_vals(
                    document["refund_gid"], "refund", duty_line.shopify_line_gid,
                    _("Duty refund: %(duty)s", duty=duty_line.name), -1, float(amount),
                    compat.value(duty_line, "tax_id"), "duty")
                # The duty's own product, whatever the setting says today.
                vals.append(dict(line_vals, product_id=duty_line.product_id.id))
        return vals

    def _money_line_vals(self, gid, role, line_gid, name, qty, price, taxes, product):
        if product == "duty":
            variant = self.env.company._shopify_duties_product()
        else:
            xmlid = {"shipping": "shopify_sync.product_shopify_shipping",
                     "adjustment": "shopify_sync.product_shopify_refund_adjustment"}[product]
            variant = self.env.ref(xmlid).product_variant_id
        return compat.vals(self.env["sale.order.line"], {
            "product_id": variant.id, "name": name,
            "product_uom_qty": qty, "price_unit": price, "tax_id": [Command.set(taxes.ids)],
            "shopify_line_gid": line_gid, "shopify_line_role": role, "shopify_refund_gid": gid,
        })

    @staticmethod
    def _invoiced(order):
        return bool(order.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state != "cancel"))

    # ------------------------------------------------------------------ the credit note
    def _credit_note(self, order, gid, document, plan, money_lines, reflected):
        """A customer credit note of the refund, its lines linked to the sale lines they credit:
        units that left their product line, the refund's own lines, and (unlinked) the refunded
        share of line discounts. It reverses the order's first posted invoice, so posting
        reconciles it with that invoice while it is open."""
        vals = []
        if not reflected:
            for item in plan:
                so_line = item["so_line"]
                if item["leave"]:
                    vals.append(self._credit_line_vals(so_line, item["leave"]))
                share = self._discount_share(item)
                if item["qty"] and share:
                    vals.append(self._discount_credit_vals(so_line, share))
        for line in money_lines:
            vals.append(self._credit_line_vals(line, -line.product_uom_qty))
        return self._credit_note_record(order, gid, document, vals)

    def _credit_note_record(self, order, gid, document, vals):
        if not vals:
            return self.env["account.move"]
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
            "invoice_line_ids": [Command.create(line_vals) for line_vals in vals],
        })

    def _unlinked_credit_vals(self, label, order, document):
        """Credit note lines straight from Shopify's amounts, not linked to sale lines: one per
        refunded line (quantity and unit price when the subtotal divides exactly, else one unit
        of the subtotal), shipping with its line's taxes, untaxed adjustments."""
        vals = []
        for index, line in enumerate(document.get("lines") or [], start=1):
            so_line = self._order_line_for(order, line, f"{label} line {index}")
            subtotal = self._cents(line.get("subtotal"), f"{label} line {index} subtotal")
            if not subtotal:
                continue
            qty = line.get("quantity") or 0
            unit = money.divide_exact(subtotal, qty, self._places())
            vals.append({
                "product_id": so_line.product_id.id,
                "name": so_line.name if unit is not None else f"{qty} × {so_line.name}",
                "quantity": qty if unit is not None else 1,
                "price_unit": float(unit if unit is not None
                                    else money.to_decimal(subtotal, self._places())),
                "tax_ids": [Command.set(compat.value(so_line, "tax_id").ids)]})
        for line in self._refund_money_lines_vals(label, order, document, []):
            vals.append({"product_id": line["product_id"], "name": line["name"], "quantity": 1,
                         "price_unit": line["price_unit"], "tax_ids": line["tax_id"]})
        return vals

    @staticmethod
    def _credit_line_vals(so_line, qty):
        """A credit note line for `qty` of a sale line, linked to it (Odoo's own invoice line
        values, so the sale line's invoiced quantity drops by `qty`)."""
        vals = so_line._prepare_invoice_line(quantity=qty)
        vals.pop("sequence", None)
        return vals

    def _discount_credit_vals(self, so_line, share):
        """The refunded units' share of the line discount: not linked (the discount line's
        quantity stays invoiced), with the line's taxes. `so_line` is the product line (a refund)
        or its discount line (an edit), whose name already says "Discount: …"."""
        product = self.env.ref("shopify_sync.product_shopify_discount").product_variant_id
        name = so_line.name if so_line.product_id == product else f"Discount: {so_line.name}"
        return {"product_id": product.id, "name": name, "quantity": 1,
                "price_unit": -float(share),
                "tax_ids": [Command.set(compat.value(so_line, "tax_id").ids)]}

    def _settle_refund(self, record, order, gid, document, credit_note, echo, total_cents,
                       reflected, label):
        """Post the credit note when Odoo's total, rounded at the cent, equals Shopify's exact
        total; otherwise leave it in draft and flag it. Record the refund either way."""
        state, message = "applied", None
        if credit_note and not echo and credit_note.state == "draft":
            # The edit's part of the money is credited by the edit (never twice).
            expected = total_cents - self._cents(document.get("edit_balance"),
                                                 f"{label} edit_balance")
            if not reflected:
                self._credit_note_tax_adjustment(credit_note, document, expected)
            if reflected or not self._total_outside_tolerance(
                    money.odoo_cents(credit_note.amount_total, self._places()), expected):
                credit_note.action_post()
                credit_note._shopify_set_result("synced")
            else:
                state = "flagged"
                message = (f"{label}: Odoo credit note total "
                           f"{money.to_string(credit_note.amount_total, self._places())} differs "
                           f"from Shopify total {money.format_cents(expected, self._places())}; "
                           "left in draft")
                credit_note._shopify_set_result("error", message=message)
        # What pays back edits credited on credit notes: an edit before invoicing has none
        # (the invoice counts the lowered order).
        edit_balance = self._money(document.get("edit_balance"), f"{label} edit_balance") \
            if self._invoiced(order) else 0
        vals = {
            "sale_order_id": order.id, "state": state, "message": message,
            "credit_note_id": credit_note.id or False,
            "amount_total": float(money.to_decimal(total_cents, self._places())),
            "edit_balance": float(edit_balance),
            "return_gid": document.get("return_gid") or False,
            "origin": "odoo" if echo else "shopify",
            "note": document.get("note") or False,
            "refunded_at": document.get("created_at") or False,
        }
        if record:
            record.write(vals)
        else:
            vals.update(shopify_gid=gid, shopify_shop=self._shop(),
                        name=f"{order.shopify_name or order.name} refund {gid.rsplit('/', 1)[-1]}")
            record = self.env["shopify.refund"].create(vals)
        if edit_balance:
            self._bind_edit_refunds(order)
        return self._refund_result("flagged" if state == "flagged" else "created", record,
                                   message)

    @staticmethod
    def _refund_result(status, record, message=None):
        credit_note = record.credit_note_id
        result = {
            "status": status, "refund_id": record.id,
            "credit_note_id": credit_note.id or None,
            "amount_total": money.to_string(
                credit_note.amount_total if credit_note else record.amount_total,
                money.minor_units(record.sale_order_id.currency_id.name)),
        }
        if message:
            result["message"] = message
        return result

    # ------------------------------------------------------------------ export_credit_note
    @api.model
    def export_credit_note(self, document):
        """A customer credit note of a Shopify order, for the sidecar to refund in Shopify."""
        self = self._begin(document)
        move_id = document.get("move_id")
        if not self._is_int(move_id):
            raise ValidationError("export_credit_note: move_id must be an integer")
        move = self.env["account.move"].browse(move_id).exists()
        if not move or move.move_type != "out_refund":
            raise ValidationError(f"export_credit_note: {move_id} is not a customer credit note")
        order = move._shopify_order()
        if not order:
            raise ValidationError(
                f"export_credit_note: credit note {move.name} is not for a Shopify order")
        places = money.minor_units(move.currency_id.name)
        lines = [self._credit_note_line(order, line, places) for line in
                 move.invoice_line_ids.filtered(lambda aml: aml.display_type == "product")]
        return {
            "move_id": move.id, "name": move.name or "", "state": move.state,
            "order_gid": order.shopify_gid, "sale_order_id": order.id,
            "refund_gid": move.shopify_gid or None,
            "amount_total": money.to_string(move.amount_total, places),
            "currency": move.currency_id.name, "money": order.shopify_money or "shop",
            "taxes_included": any(compat.value(order.order_line, "tax_id").mapped("price_include")),
            "lines": lines,
            # Contract 1.9: the order's returns received in Odoo whose refund goes with the
            # Shopify return, not processed in Shopify yet (oldest first).
            "waiting_returns": self._waiting_returns(order),
        }

    def _waiting_returns(self, order):
        pickings = self.env["stock.picking"].search(
            [("picking_type_code", "=", "incoming"), ("state", "=", "done"),
             ("shopify_state", "=", "pending"),
             "|", ("sale_id", "=", order.id), ("return_id.sale_id", "=", order.id)], order="id")
        return [p.id for p in pickings
                if p.shopify_order_id == order and p._shopify_return_held()]

    def _credit_note_line(self, order, line, places):
        """One credit note line as export_credit_note shows it: the product line it credits,
        shipping, a duty (contract 1.5: with the duty it credits — its sale line's, else the
        order's only duty), or anything else."""
        ref = self.env.ref
        shipping = ref("shopify_sync.product_shopify_shipping").product_variant_id
        duties = self._duties_products(order)
        so_line = line.sale_line_ids[:1]
        product_line = so_line if so_line.shopify_line_role == "product" else \
            self.env["sale.order.line"]
        result = {
            "line_gid": product_line.shopify_line_gid or None,
            "sku": line.product_id.default_code or None,
            "role": "product" if product_line else "shipping" if line.product_id == shipping
                    else "duty" if line.product_id in duties else "other",
            "quantity": line.quantity,
            "open_quantity": int(self._undelivered(product_line)) if product_line else 0,
            "price_subtotal": money.to_string(line.price_subtotal, places),
            "price_total": money.to_string(line.price_total, places),
        }
        if result["role"] == "duty":
            gid = so_line.shopify_line_gid or ""
            if not gid.startswith("gid://shopify/Duty/"):
                order_duties = order.order_line.filtered(
                    lambda sol: sol.shopify_line_role == "duty")
                gid = order_duties.shopify_line_gid if len(order_duties) == 1 else None
            result["duty_gid"] = gid
        return result

    # ------------------------------------------------------------------ refund_status
    @api.model
    def refund_status(self, document):
        """What Odoo holds for some Shopify refunds (the sidecar's daily reconciliation)."""
        self = self._begin(document)
        gids = document.get("refund_gids")
        if not isinstance(gids, list) or not all(isinstance(g, str) for g in gids):
            raise ValidationError("refund_status: refund_gids must be a list of strings")
        if len(gids) > MAX_REFUND_GIDS:
            raise ValidationError(f"refund_status: at most {MAX_REFUND_GIDS} refund_gids per call")
        # The reconciliation compares every refund, also those of companies the integration
        # user is not a member of: a missing one would be reported as lost.
        records = self.env["shopify.refund"].sudo().search([("shopify_gid", "in", gids)])
        by_gid = {record.shopify_gid: record for record in records}
        return {"refunds": [self._refund_status_document(gid, by_gid.get(gid)) for gid in gids]}

    @staticmethod
    def _refund_status_document(gid, record):
        if not record:
            return {"refund_gid": gid, "found": False, "sale_order_id": None, "state": None,
                    "amount_total": None, "credit_note_id": None, "credit_note_name": None,
                    "credit_note_state": None, "credit_note_amount": None}
        credit_note = record.credit_note_id
        places = money.minor_units(record.sale_order_id.currency_id.name)
        return {
            "refund_gid": gid, "found": True, "sale_order_id": record.sale_order_id.id,
            "state": record.state, "amount_total": money.to_string(record.amount_total, places),
            "credit_note_id": credit_note.id or None,
            "credit_note_name": credit_note.name or None,
            "credit_note_state": credit_note.state or None,
            "credit_note_amount": money.to_string(credit_note.amount_total, places)
            if credit_note else None,
        }
