"""Contract area `orders`, order edits on a confirmed order (docs/flows.md, "Order edits after
delivery").

Shopify only lets a merchant remove units it has not fulfilled, but Odoo may have delivered them
already (the fulfillment had not reached Shopify yet). Such units cannot leave an Odoo line
(Odoo refuses to order less than it delivered), so the company's policy decides:
- `return` (the default): the units stay on their line, counted in `shopify_kept_qty` like units
  refunded and kept, an "edit_removal" line credits them at the line's price, and a return is
  prepared (not validated: the goods are with the customer) to receive them. The return does not
  lower the delivered quantity (`to_refund` off): the credit line already took them off.
- `flag`: nothing changes for those units; an activity on the order names the lines and
  quantities and the order is `flagged` (never held), until a person returns them in Odoo.
Whatever lowered an invoiced order (an edit before or after delivery) is credited on a posted
credit note linked to the lines, so Odoo's invoiced quantities follow; the Shopify refund that
pays the customer back carries that part as `edit_balance`, credits nothing again
(shopify_sync_api_refunds.py) and is bound to the edit credit notes it pays
(`_bind_edit_refunds`), whichever of the two Odoo applies first.
"""
from odoo import Command, models
from odoo.tools import float_compare

from ..lib import money
from .shopify_sync_api import quantity_text
from .shopify_sync_api_orders import LINE_TAXES


class ShopifySyncApi(models.AbstractModel):
    _inherit = "shopify.sync.api"

    def _removed_after_delivery(self, line, target):
        """Units of a product line that `target` (Shopify's quantity, with the kept units)
        takes below what Odoo delivered: 0 when Odoo can simply follow."""
        # Goods only: sale_stock's check covers storable and consumable products (17.0 spells
        # storable `type` "product", 18.0 "consu" with a flag); services have no delivery.
        if line.shopify_line_role != "product" or line.product_id.type == "service":
            return 0
        delivered = line.qty_delivered
        if float_compare(target, delivered, precision_digits=3) >= 0:
            return 0
        return delivered - target

    def _apply_removals(self, order, removals, label, notes, flags):
        """The company's policy for units removed in Shopify after Odoo delivered them:
        [(product line, units)]. Returns the lines it changed (for the credit note)."""
        if not removals:
            return self.env["sale.order.line"]
        words = ", ".join(f"{quantity_text(qty)} × {self._line_words(line)}"
                          for line, qty in removals)
        if order.company_id.shopify_edit_removal_policy == "flag":
            message = (f"{label}: an order edit in Shopify removed units Odoo already "
                       f"delivered: {words}. Return them in Odoo (the order then follows "
                       "Shopify) or settle them with the customer")
            self._edit_activity(order, message)
            flags.append(message)
            return self.env["sale.order.line"]
        touched = self.env["sale.order.line"]
        for line, qty in removals:
            line.shopify_kept_qty += qty
            touched |= self._edit_removal_line(order, line, qty)
        plan = self._plan_returns([(line, qty, None) for line, qty in removals], label)
        returns = self._create_returns(order, plan)
        if "to_refund" in returns.move_ids._fields:
            # The edit_removal line credits these units already; a validated return must not
            # lower the delivered quantity (and the invoiced one) a second time.
            returns.move_ids.write({"to_refund": False})
        message = (f"{label}: an order edit in Shopify removed units Odoo already delivered: "
                   f"{words}; credited on the order, return {', '.join(returns.mapped('name'))} "
                   "is ready to receive them")
        # Posting on the chatter of an order the integration user does not follow.
        order.sudo().message_post(body=message)
        notes.append(message)
        return touched

    @staticmethod
    def _line_words(line):
        code = line.product_id.default_code
        return f"[{code}] {line.name}" if code and code not in line.name else line.name

    def _edit_removal_line(self, order, line, qty):
        """The credit line of `qty` units of `line` removed after delivery (one per product
        line, its quantity growing more negative with each edit)."""
        credit = order.order_line.filtered(
            lambda sol: sol.shopify_line_role == "edit_removal"
            and sol.shopify_line_gid == line.shopify_line_gid)[:1]
        if credit:
            credit.write({"product_uom_qty": credit.product_uom_qty - qty})
            return credit
        product = self.env.ref("shopify_sync.product_shopify_refund_adjustment").product_variant_id
        taxes = line[LINE_TAXES]
        return self.env["sale.order.line"].create({
            "order_id": order.id, "product_id": product.id,
            "name": f"Removed in Shopify after delivery: {line.name}",
            "product_uom_qty": -qty, "price_unit": line.price_unit,
            LINE_TAXES: [Command.set(taxes.ids)],
            "shopify_line_gid": line.shopify_line_gid, "shopify_line_role": "edit_removal",
        })

    def _edit_activity(self, order, message):
        """A to-do on the order naming what to settle, once per distinct message."""
        summary = "Shopify edit removed delivered units"
        # Other users' activities on the order count too (the integration user sees its own).
        existing = self.env["mail.activity"].sudo().search([
            ("res_model", "=", "sale.order"), ("res_id", "=", order.id),
            ("summary", "=", summary)])
        if any(message in (activity.note or "") for activity in existing):
            return
        # Scheduling on an order the integration user may not own (mail_activity.py gives it
        # to the configured responsible).
        order.sudo().activity_schedule("mail.mail_activity_data_todo", summary=summary,
                                       note=message)

    def _credit_edit(self, order, touched, label, notes, discounts=(), total_cents=None,
                     repriced=()):
        """A posted credit note for what an edit took off an invoiced order: each touched line's
        negative quantity to invoice, linked to it (Odoo's invoiced quantities follow), and what
        a lowered duty or fee price took off the invoiced ones (`repriced`: [(line, amount)],
        unlinked: its quantity stays invoiced), less the line discount removed units took with
        them (`discounts`: [(discount line, amount)], unlinked). With `total_cents` (Shopify's
        total after an edit that only lowered the order), rounding cents between what was
        invoiced less the credit and that total go on a difference line, as for a refund's
        credit note."""
        if not (touched or repriced) or not self._invoiced(order):
            return
        vals = []
        for line in touched:
            qty = -line.qty_to_invoice
            if float_compare(qty, 0, precision_digits=3) > 0:
                vals.append(self._credit_line_vals(line, qty))
        vals += [{"product_id": line.product_id.id, "name": f"Lowered in Shopify: {line.name}",
                  "quantity": line.qty_invoiced, "price_unit": float(amount),
                  "tax_ids": [Command.set(line[LINE_TAXES].ids)]} for line, amount in repriced]
        if not vals:
            return
        vals += [self._discount_credit_vals(line, share) for line, share in discounts]
        invoiced = sum(money.odoo_cents(m.amount_total)
                       * (1 if m.move_type == "out_invoice" else -1)
                       for m in order.invoice_ids if m.state == "posted")
        invoice = order.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted")[:1]
        credit_note = self.env["account.move"].create({
            "move_type": "out_refund",
            "partner_id": order.partner_invoice_id.id,
            "currency_id": order.currency_id.id,
            "fiscal_position_id": order.fiscal_position_id.id,
            "invoice_origin": order.name,
            "ref": f"Shopify order edit of {order.shopify_name or order.name}",
            "reversed_entry_id": invoice.id,
            "shopify_shop": self._shop(),
            "shopify_sale_order_id": order.id,
            "shopify_edit_credit": True,
            "invoice_line_ids": [Command.create(line_vals) for line_vals in vals],
        })
        if total_cents is not None:
            self._credit_note_tax_adjustment(credit_note, {"lines": vals}, invoiced - total_cents)
        credit_note.action_post()
        credit_note._shopify_set_result("synced")
        total = money.to_string(credit_note.amount_total, self._record_places(credit_note))
        notes.append(f"{label}: the edit is credited on {credit_note.name} ({total})")
        # A refund Odoo applied before this edit may pay it back already (refunds first).
        self._bind_edit_refunds(order)

    def _bind_edit_refunds(self, order):
        """Binds the order's refunds that pay back edits (`edit_balance`) to the edits' credit
        notes they pay: both oldest first (refunds in Shopify's order, credit notes in Odoo's),
        matched amount by amount in exact minor units, as a payment is matched with invoices. A
        refund is bound to every credit note it pays part of; what no credit note takes (an edit
        Odoo has not applied yet) is bound when its credit note comes (docs/flows.md, "The
        refund that pays the customer back")."""
        places = money.minor_units(order.currency_id.name)
        notes = self.env["account.move"].search(
            [("shopify_sale_order_id", "=", order.id), ("shopify_edit_credit", "=", True),
             ("move_type", "=", "out_refund"), ("state", "=", "posted")], order="id")
        owed = [[note, money.odoo_cents(note.amount_total, places)] for note in notes]
        refunds = order.shopify_refund_ids.filtered(
            lambda r: r.state != "pending" and r.edit_balance).sorted(
            lambda r: (r.refunded_at or "", r.shopify_gid))
        at = 0
        for refund in refunds:
            paid, left = set(), money.odoo_cents(refund.edit_balance, places)
            while left > 0 and at < len(owed):
                take = min(left, owed[at][1])
                paid.add(owed[at][0].id)
                left -= take
                owed[at][1] -= take
                if owed[at][1] <= 0:
                    at += 1
            if set(refund.edit_credit_note_ids.ids) != paid:
                refund.edit_credit_note_ids = [Command.set(sorted(paid))]
