"""Shopify locations picked from the shop's list (Configuration → Location mapping → Fetch
from Shopify): the sidecar lists the shop's locations (`GET /admin/api/shopify/locations`);
the manager picks a warehouse for each and the mappings are created or updated."""
from odoo import _, api, fields, models


class ShopifyLocationImport(models.TransientModel):
    _name = "shopify.location.import"
    _description = "Map Shopify locations to warehouses"

    line_ids = fields.One2many("shopify.location.import.line", "wizard_id", string="Locations")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "line_ids" in fields_list:
            answer = self.env["shopify.sidecar"]._call("GET", "/api/shopify/locations")
            Map = self.env["shopify.location.map"].with_context(active_test=False)
            lines = []
            for location in answer.get("locations") or []:
                mapped = Map.search([("location_gid", "=", location.get("id"))], limit=1)
                lines.append((0, 0, {
                    "location_gid": location.get("id"), "name": location.get("name"),
                    "shopify_active": bool(location.get("isActive", True)),
                    "warehouse_id": mapped.warehouse_id.id or False}))
            values["line_ids"] = lines
        return values

    def action_apply(self):
        self.ensure_one()
        Map = self.env["shopify.location.map"].with_context(active_test=False)
        count = 0
        for line in self.line_ids.filtered("warehouse_id"):
            mapping = Map.search([("location_gid", "=", line.location_gid)], limit=1)
            vals = {"location_gid": line.location_gid, "name": line.name,
                    "warehouse_id": line.warehouse_id.id, "active": True}
            if mapping:
                mapping.write(vals)
            else:
                Map.create(vals)
            count += 1
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"message": _("%s Shopify location(s) mapped.", count),
                           "type": "success", "next": {"type": "ir.actions.act_window_close"}}}


class ShopifyLocationImportLine(models.TransientModel):
    _name = "shopify.location.import.line"
    _description = "Shopify location to map"

    wizard_id = fields.Many2one("shopify.location.import", required=True, ondelete="cascade")
    location_gid = fields.Char(string="Shopify location ID", required=True, readonly=True)
    name = fields.Char(string="Shopify location", readonly=True)
    shopify_active = fields.Boolean(string="Active in Shopify", readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", string="Warehouse")
