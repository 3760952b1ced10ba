"""Explicit mapping of Shopify tax lines (title and rate) to Odoo taxes: never guessed."""
from decimal import Decimal

from odoo import api, fields, models


class ShopifyTaxMap(models.Model):
    _name = "shopify.tax.map"
    _description = "Shopify tax line → Odoo tax"
    _rec_name = "title"

    title = fields.Char(string="Shopify tax title", required=True,
                        help="The tax line title as Shopify reports it, e.g. 'VAT' or "
                        "'CA State Tax'.")
    rate = fields.Float(string="Shopify rate", digits=(16, 6), required=True,
                        help="Shopify's rate as a fraction: 0.2 for 20 %.")
    tax_id = fields.Many2one("account.tax", string="Odoo tax", required=True,
                             domain=[("type_tax_use", "=", "sale")], ondelete="restrict")
    company_id = fields.Many2one(related="tax_id.company_id", store=True)

    _sql_constraints = [
        ("title_rate_company_uniq", "unique(title, rate, company_id)",
         "This Shopify tax line is already mapped."),
    ]

    @api.model
    def _find(self, title, rate, company):
        """Mapped tax for a Shopify tax line; empty when unmapped (never guessed)."""
        rate = float(Decimal(str(rate)))
        for mapping in self.search([("title", "=ilike", (title or "").strip()),
                                    ("company_id", "in", [company.id, False])]):
            if abs(mapping.rate - rate) < 1e-6:
                return mapping.tax_id
        return self.env["account.tax"]
