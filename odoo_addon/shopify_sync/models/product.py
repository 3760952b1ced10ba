"""Product bindings and the hooks that put product changes into the outbox."""
from odoo import api, fields, models

# Template fields whose change must be pushed to Shopify (others are Odoo-only).
PRODUCT_TEMPLATE_FIELDS = {
    "name", "description_sale", "list_price", "default_code", "barcode", "active",
    "attribute_line_ids", "sale_ok", "is_storable", "type",
}
PRODUCT_VARIANT_FIELDS = {
    "default_code", "barcode", "active", "product_template_attribute_value_ids", "lst_price",
}


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "shopify.binding.mixin"]

    _shopify_admin_paths = {"Product": "products"}

    def _shopify_should_sync(self):
        self.ensure_one()
        return bool(self.shopify_gid) or (self.sale_ok and self.type != "combo")

    def _shopify_emit_changed(self, reason, force=False):
        Event = self.env["shopify.sync.event"]
        for template in self:
            if force or template._shopify_should_sync():
                Event._emit("product.changed", template, f"product:{template.id}",
                            {"template_id": template.id, "reason": reason,
                             "active": template.active}, force=force)
                if force or not self.env.context.get("shopify_sync_origin"):
                    template._shopify_mark_pending()

    def _shopify_resync_event(self):
        self._shopify_emit_changed("resync", force=True)

    @api.model_create_multi
    def create(self, vals_list):
        # Variants created with their template are part of the "create" event.
        templates = super(ProductTemplate, self.with_context(shopify_sync_new_template=True)
                          ).create(vals_list).with_env(self.env)
        templates._shopify_emit_changed("create")
        return templates

    def write(self, vals):
        res = super().write(vals)
        if PRODUCT_TEMPLATE_FIELDS.intersection(vals):
            reason = "archive" if vals.get("active") is False else "write"
            self._shopify_emit_changed(reason)
        return res


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
        Map = self.env["shopify.location.map"].sudo()
        Event = self.env["shopify.sync.event"]
        for warehouse in warehouses:
            location_gid = Map._gid_for_warehouse(warehouse)
            if not location_gid:
                continue
            for product in self:
                if not product.is_storable:
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
