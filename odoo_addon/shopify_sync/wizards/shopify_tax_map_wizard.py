""""Create tax mapping" from a held order: one line per Shopify tax line that has no mapping,
pre-filled with its title and rate; saving creates the mappings and re-imports the order."""
from odoo import _, fields, models
from odoo.exceptions import UserError


class ShopifyTaxMapWizard(models.TransientModel):
    _name = "shopify.tax.map.wizard"
    _description = "Create Shopify tax mappings from a held order"

    sale_order_id = fields.Many2one("sale.order", readonly=True)
    line_ids = fields.One2many("shopify.tax.map.wizard.line", "wizard_id", string="Tax lines")
    reimport = fields.Boolean(string="Re-import the order afterwards", default=True)

    def action_create(self):
        self.ensure_one()
        Map = self.env["shopify.tax.map"]
        if not self.line_ids or not all(self.line_ids.mapped("tax_id")):
            raise UserError(_("Choose an Odoo tax for every Shopify tax line."))
        for line in self.line_ids:
            Map.create({"title": line.title, "rate": line.rate, "tax_id": line.tax_id.id})
        if self.reimport and self.sale_order_id:
            return self.sale_order_id.action_shopify_reimport()
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"message": _("%s tax mapping(s) created.", len(self.line_ids)),
                           "type": "success",
                           "next": {"type": "ir.actions.act_window_close"}}}


class ShopifyTaxMapWizardLine(models.TransientModel):
    _name = "shopify.tax.map.wizard.line"
    _description = "Shopify tax line to map"

    wizard_id = fields.Many2one("shopify.tax.map.wizard", required=True, ondelete="cascade")
    title = fields.Char(string="Shopify tax title", required=True)
    rate = fields.Float(string="Shopify rate", digits=(16, 6), required=True)
    tax_id = fields.Many2one("account.tax", string="Odoo tax",
                             domain=[("type_tax_use", "=", "sale")])
