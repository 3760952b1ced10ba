"""Sales order bindings (Shopify order identity and statuses), and what a user sees of a held
or flagged order: its ribbon and banner, the confirmation that names the difference, and the
missing tax mappings to create (docs/operations.md, "Held and flagged orders")."""
import re

from odoo import _, api, fields, models

from .. import compat
from ..lib import explain

# "no tax mapping for Shopify tax "<title>" at rate <rate>" in a held order's message.
MISSING_TAX = re.compile(
    r'no tax mapping for Shopify tax "(?P<title>[^"]*)" at rate (?P<rate>[\d.]+)')
# Shopify's status values in words, translated (the .pot lists them).
_lt = compat.lazy_translation(__name__)
FINANCIAL_STATUSES = {
    "pending": _lt("Payment pending"), "authorized": _lt("Authorized"),
    "partially_paid": _lt("Partially paid"), "paid": _lt("Paid"),
    "partially_refunded": _lt("Partially refunded"), "refunded": _lt("Refunded"),
    "voided": _lt("Voided"), "expired": _lt("Expired"),
}
FULFILLMENT_STATUSES = {
    "fulfilled": _lt("Fulfilled"), "partial": _lt("Partially fulfilled"),
    "partially_fulfilled": _lt("Partially fulfilled"), "unfulfilled": _lt("Unfulfilled"),
    "restocked": _lt("Restocked"), "scheduled": _lt("Scheduled"), "on_hold": _lt("On hold"),
    "in_progress": _lt("In progress"), "open": _lt("Open"), "pending_fulfillment": _lt("Pending"),
}


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "shopify.binding.mixin"]

    _shopify_admin_paths = {"Order": "orders"}

    shopify_name = fields.Char(string="Shopify order", copy=False, index=True)
    shopify_financial_status = fields.Char(string="Shopify financial status", copy=False)
    shopify_fulfillment_status = fields.Char(string="Shopify fulfillment status", copy=False)
    shopify_updated_at = fields.Char(string="Shopify updated at", copy=False,
                                     help="updated_at of the last applied order document (ISO).")
    shopify_presentment_currency = fields.Char(
        string="Customer's currency", copy=False, readonly=True,
        help="The currency the customer paid in (Shopify's presentment currency).")
    shopify_currency = fields.Char(
        string="Shopify currency", copy=False, readonly=True,
        help="The currency of the Shopify amounts the order was booked from: the shop currency, "
        "or the customer's when the order is booked in presentment money.")
    shopify_money = fields.Selection(
        [("shop", "Shop currency"), ("presentment", "Customer's (presentment) currency")],
        string="Booked in", copy=False, readonly=True,
        help="Which of Shopify's amounts the order, its refunds and payments are booked with "
        "(Shopify settings, \"Book orders in\", when the order was first imported). Empty: shop "
        "currency.")
    shopify_created_at = fields.Char(string="Shopify created at", copy=False, readonly=True)
    shopify_taxes_included = fields.Boolean(
        string="Shopify prices include tax", copy=False, readonly=True)
    shopify_total_price = fields.Monetary(
        string="Shopify total", copy=False, readonly=True,
        help="What the customer was charged in Shopify (the order's current total).")
    shopify_total_difference = fields.Monetary(
        string="Tax rounding difference", copy=False, readonly=True,
        help="Shopify's total minus the total Odoo's own tax computation gives for the same "
        "lines. Under the tax source \"Shopify's charged amounts\" it is carried by the "
        "\"Shopify tax rounding difference\" line; under \"Odoo's tax engine\" it is left "
        "as is (flagged beyond the tolerance).")
    shopify_refund_ids = fields.One2many(
        "shopify.refund", "sale_order_id", string="Shopify refunds", readonly=True)
    shopify_needs_return = fields.Boolean(
        string="Cancelled in Shopify after delivery", copy=False,
        help="Shopify cancelled the order after goods left: a return is needed.")

    shopify_hold = fields.Selection(
        [("held", "Held"), ("flagged", "Flagged")], string="Shopify hold", copy=False,
        compute="_compute_shopify_hold", store=True, index=True,
        help="Held: Odoo could not apply the Shopify order as it is (a tax line without "
        "mapping), so it was not confirmed. Flagged: Odoo's total differs from what the "
        "customer paid in Shopify.")
    shopify_hold_reason = fields.Text(string="Why", compute="_compute_shopify_hold_words")
    shopify_hold_fix = fields.Text(string="What to do", compute="_compute_shopify_hold_words")
    shopify_financial_status_label = fields.Char(
        string="Payment (Shopify)", compute="_compute_shopify_status_labels")
    shopify_fulfillment_status_label = fields.Char(
        string="Fulfillment (Shopify)", compute="_compute_shopify_status_labels")

    @api.depends("shopify_state", "shopify_error")
    def _compute_shopify_hold(self):
        for order in self:
            hold = False
            if order.shopify_state == "error" and order.shopify_error:
                if " held: " in order.shopify_error:
                    hold = "held"
                elif explain.explain(order.shopify_error)[0] == "totals_differ":
                    hold = "flagged"
            order.shopify_hold = hold

    @api.depends("shopify_hold", "shopify_error")
    def _compute_shopify_hold_words(self):
        for order in self:
            reasons, fixes = [], []
            if order.shopify_hold:
                # A held order's message lists every missing mapping, separated by "; ".
                for part in order.shopify_error.split("; "):
                    _category, reason, fix = explain.render(part, compat.translator(self.env))
                    reasons.append(reason)
                    if fix not in fixes:
                        fixes.append(fix)
            order.shopify_hold_reason = "\n".join(reasons) or False
            order.shopify_hold_fix = "\n".join(fixes) or False

    @api.depends("shopify_financial_status", "shopify_fulfillment_status")
    def _compute_shopify_status_labels(self):
        translate = compat.translator(self.env)

        def label(table, value):
            if not value:
                return False
            text = table.get(value.lower())
            return translate(text) if text else value.replace("_", " ").capitalize()
        for order in self:
            order.shopify_financial_status_label = label(
                FINANCIAL_STATUSES, order.shopify_financial_status)
            order.shopify_fulfillment_status_label = label(
                FULFILLMENT_STATUSES, order.shopify_fulfillment_status)

    def _shopify_missing_taxes(self):
        """[(title, rate)] of the Shopify tax lines this held order names as unmapped."""
        self.ensure_one()
        found = []
        for match in MISSING_TAX.finditer(self.shopify_error or ""):
            pair = (match["title"], match["rate"])
            if pair not in found:
                found.append(pair)
        return found

    def action_shopify_confirm_held(self):
        """Confirm on a held or flagged order: first say what differs (a wizard)."""
        self.ensure_one()
        wizard = self.env["shopify.confirm.held"].create({"sale_order_id": self.id})
        return {"type": "ir.actions.act_window", "res_model": "shopify.confirm.held",
                "res_id": wizard.id, "view_mode": "form", "target": "new",
                "name": _("Confirm %s?", self.name)}

    def action_shopify_create_tax_mapping(self):
        """"Create tax mapping" on a held order, pre-filled from its unmapped Shopify taxes."""
        self.ensure_one()
        Wizard = self.env["shopify.tax.map.wizard"]
        wizard = Wizard.create({
            "sale_order_id": self.id,
            "line_ids": Wizard._line_vals([(title, rate, self.shopify_taxes_included, 1)
                                           for title, rate in self._shopify_missing_taxes()]),
        })
        return {"type": "ir.actions.act_window", "res_model": "shopify.tax.map.wizard",
                "res_id": wizard.id, "view_mode": "form", "target": "new",
                "name": _("Create tax mapping")}

    def _shopify_resync_event(self):
        self.action_shopify_reimport()

    def action_shopify_reimport(self):
        """'Re-import from Shopify': ask the sidecar to re-read and re-apply the order."""
        Event = self.env["shopify.sync.event"]
        for order in self.filtered("shopify_gid"):
            Event.with_context(shopify_sync_origin=False)._emit(
                "order.reimport", order, f"order:{order.shopify_gid}",
                {"sale_order_id": order.id, "order_gid": order.shopify_gid})
        orders = self.filtered("shopify_gid")
        # The state is a binding field; a salesperson may re-import orders they cannot write.
        orders.sudo().with_context(shopify_sync_origin=True).write({"shopify_state": "pending"})
        self.env["shopify.sync.failure"]._mark_retrying(orders)
        names = ", ".join(f"{o.name} ({o.shopify_name or o.shopify_gid})" for o in orders[:5])
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": _("Re-import queued"),
                       "message": _("%(names)s: the sidecar re-reads the order from Shopify and "
                                    "applies it; its Shopify status shows Pending until then.",
                                    names=names or _("nothing to re-import")),
                       "type": "success" if orders else "warning"},
        }

    def action_shopify_resync(self):
        return self.action_shopify_reimport()
