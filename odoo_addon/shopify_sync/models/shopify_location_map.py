"""Explicit mapping of Shopify locations to Odoo warehouses."""
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
