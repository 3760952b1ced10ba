"""Explicit mappings: Shopify locations ↔ warehouses, Shopify tax lines → Odoo taxes."""
from decimal import Decimal

from odoo import api, fields, models


class ShopifyLocationMap(models.Model):
    _name = "shopify.location.map"
    _description = "Shopify location ↔ Odoo warehouse"
    _rec_name = "location_gid"

    location_gid = fields.Char(string="Shopify location GID", required=True,
                               help="gid://shopify/Location/<id>")
    name = fields.Char(string="Shopify location name")
    warehouse_id = fields.Many2one("stock.warehouse", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="warehouse_id.company_id", store=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("location_gid_uniq", "unique(location_gid)",
         "A Shopify location can be mapped to one warehouse only."),
        ("warehouse_uniq", "unique(warehouse_id)",
         "A warehouse can be mapped to one Shopify location only."),
    ]

    @api.model
    def _warehouse_for(self, location_gid):
        if not location_gid:
            return self.env["stock.warehouse"]
        return self.search([("location_gid", "=", location_gid)], limit=1).warehouse_id

    @api.model
    def _gid_for_warehouse(self, warehouse):
        if not warehouse:
            return False
        return self.search([("warehouse_id", "=", warehouse.id)], limit=1).location_gid


class ShopifyTaxMap(models.Model):
    _name = "shopify.tax.map"
    _description = "Shopify tax line → Odoo tax"
    _rec_name = "title"

    title = fields.Char(string="Shopify tax title", required=True,
                        help="The tax line title as Shopify reports it, e.g. 'VAT' or 'CA State Tax'.")
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
