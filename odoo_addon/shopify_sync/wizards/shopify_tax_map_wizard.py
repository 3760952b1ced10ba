""""Create tax mapping" from a held order, or "Suggest from recent orders" from the tax mapping
list: one line per Shopify tax line that has no mapping, pre-filled with its title and rate and a
suggested Odoo tax (a sales tax of the same rate, price-included as the orders are) that the
merchant confirms or changes; saving creates the mappings and re-imports the held orders."""
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

RECENT_DAYS = 30


class ShopifyTaxMapWizard(models.TransientModel):
    _name = "shopify.tax.map.wizard"
    _description = "Create Shopify tax mappings from a held order"

    sale_order_id = fields.Many2one("sale.order", readonly=True)
    sale_order_ids = fields.Many2many(
        "sale.order", string="Held orders", readonly=True,
        help="The recent held orders whose unmapped tax lines are listed; re-imported once "
        "mapped.")
    line_ids = fields.One2many("shopify.tax.map.wizard.line", "wizard_id", string="Tax lines")
    reimport = fields.Boolean(string="Re-import the order afterwards", default=True)

    def action_create(self):
        self.ensure_one()
        Map = self.env["shopify.tax.map"]
        if not self.line_ids or not all(self.line_ids.mapped("tax_id")):
            raise UserError(_("Choose an Odoo tax for every Shopify tax line."))
        for line in self.line_ids:
            Map.create({"title": line.title, "rate": line.rate, "tax_id": line.tax_id.id})
        orders = self.sale_order_id | self.sale_order_ids
        if self.reimport and orders:
            action = orders.action_shopify_reimport()
            # Close the wizard under the notification: 17.0 keeps a dialog open when its button
            # returns a notification (18.0 closes it), and a second Create would fail.
            action["params"]["next"] = {"type": "ir.actions.act_window_close"}
            return action
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"message": _("%s tax mapping(s) created.", len(self.line_ids)),
                           "type": "success",
                           "next": {"type": "ir.actions.act_window_close"}}}

    @api.model
    def _suggested_tax(self, rate, included):
        """A sales tax of the company with this rate (a fraction) and price inclusion; empty
        when there is none or several (a suggestion is never a guess between taxes)."""
        candidates = self.env["account.tax"].search([
            ("type_tax_use", "=", "sale"), ("amount_type", "=", "percent"),
            ("company_id", "=", self.env.company.id)])
        matching = candidates.filtered(
            lambda tax: not float_compare(tax.amount, rate * 100, precision_digits=4)
            and bool(tax.price_include) == bool(included))
        return matching if len(matching) == 1 else self.env["account.tax"]

    @api.model
    def _line_vals(self, pairs):
        """Wizard lines for [(title, rate, included, order count)], each with its suggestion."""
        vals = []
        for title, rate, included, count in pairs:
            tax = self._suggested_tax(float(rate), included)
            vals.append((0, 0, {"title": title, "rate": float(rate), "taxes_included": included,
                                "order_count": count, "tax_id": tax.id, "suggested": bool(tax)}))
        return vals

    @api.model
    def action_suggest_from_recent_orders(self):
        """The unmapped tax lines of the orders held in the last days, most frequent first."""
        since = fields.Datetime.now() - timedelta(days=RECENT_DAYS)
        orders = self.env["sale.order"].search(
            [("shopify_hold", "=", "held"), ("create_date", ">=", since)])
        seen = {}
        for order in orders:
            for title, rate in order._shopify_missing_taxes():
                key = (title, rate, order.shopify_taxes_included)
                seen[key] = seen.get(key, 0) + 1
        if not seen:
            raise UserError(_("No order held in the last %s days names an unmapped Shopify tax.",
                              RECENT_DAYS))
        pairs = sorted(((*key, count) for key, count in seen.items()), key=lambda p: -p[3])
        wizard = self.create({"sale_order_ids": [(6, 0, orders.ids)],
                              "line_ids": self._line_vals(pairs)})
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": wizard.id,
                "view_mode": "form", "target": "new", "name": _("Suggested tax mappings")}


class ShopifyTaxMapWizardLine(models.TransientModel):
    _name = "shopify.tax.map.wizard.line"
    _description = "Shopify tax line to map"

    wizard_id = fields.Many2one("shopify.tax.map.wizard", required=True, ondelete="cascade")
    title = fields.Char(string="Shopify tax title", required=True)
    rate = fields.Float(string="Shopify rate", digits=(16, 6), required=True)
    tax_id = fields.Many2one("account.tax", string="Odoo tax",
                             domain=[("type_tax_use", "=", "sale")])
    taxes_included = fields.Boolean(
        string="Prices include tax", readonly=True,
        help="The orders carrying this tax line include taxes in their prices: the Odoo tax "
        "must be price-included too.")
    order_count = fields.Integer(string="Held orders", readonly=True)
    suggested = fields.Boolean(
        readonly=True, help="The Odoo tax was suggested (same rate and price inclusion); "
        "check it before saving.")
