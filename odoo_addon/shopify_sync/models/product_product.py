"""Variant bindings (variant and inventory item GIDs), variant hooks and stock.changed events."""
from odoo import api, fields, models

from .. import compat

# Variant fields whose change must be pushed to Shopify (as a change of the template).
PRODUCT_VARIANT_FIELDS = {
    "default_code", "barcode", "active", "product_template_attribute_value_ids", "lst_price",
}


class ProductProduct(models.Model):
    _inherit = "product.product"

    shopify_variant_gid = fields.Char(string="Shopify variant ID", copy=False, index=True)
    shopify_inventory_item_gid = fields.Char(string="Shopify inventory item ID", copy=False,
                                             index=True)

    _sql_constraints = [
        ("shopify_variant_gid_uniq", "unique(shopify_variant_gid)",
         "This Shopify variant is already bound to another product."),
        ("shopify_inventory_item_gid_uniq", "unique(shopify_inventory_item_gid)",
         "This Shopify inventory item is already bound to another product."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        products = super().create(vals_list)
        # New variants of an existing template (attribute added) change the template.
        if not self.env.context.get("shopify_sync_new_template"):
            products.product_tmpl_id._shopify_emit_changed("variant")
        return products

    def write(self, vals):
        res = super().write(vals)
        if PRODUCT_VARIANT_FIELDS.intersection(vals):
            reason = "archive" if vals.get("active") is False else "variant"
            self.product_tmpl_id._shopify_emit_changed(reason)
        return res

    def _shopify_emit_stock(self, warehouses):
        """stock.changed for each (storable product, mapped warehouse) pair."""
        # Any user's stock change emits, in any company; most users cannot read the mapping.
        Map = self.env["shopify.location.map"].sudo()
        Event = self.env["shopify.sync.event"]
        for warehouse in warehouses:
            location_gid = Map._gid_for_warehouse(warehouse)
            if not location_gid:
                continue
            for product in self:
                if not compat.value(product, "is_storable"):
                    continue
                if not product.product_tmpl_id._shopify_should_sync():
                    continue
                # Forced even for changes the sidecar caused (a refund's restock, an
                # order's reservation): stock flows one way (Odoo → Shopify) and the
                # event only says "re-read", so it cannot loop.
                Event._emit("stock.changed", product, f"stock:{product.id}:{location_gid}",
                            {"product_id": product.id, "location_gid": location_gid},
                            force=True)

    def action_shopify_resync(self):
        return self.product_tmpl_id.action_shopify_resync()
