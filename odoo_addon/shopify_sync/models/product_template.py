"""Product template bindings and the hooks that put product changes into the outbox."""
from odoo import api, models

from .. import compat

# Template fields whose change must be pushed to Shopify (others are Odoo-only).
PRODUCT_TEMPLATE_FIELDS = {
    "name", "description_sale", "list_price", "default_code", "barcode", "active",
    "attribute_line_ids", "sale_ok", "type",
    compat.field("product.template", "is_storable"),
}


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "shopify.binding.mixin"]

    _shopify_admin_paths = {"Product": "products"}
    _shopify_push_event = ("product.changed", "product", "template_id")

    def _shopify_should_sync(self):
        self.ensure_one()
        return bool(self.shopify_gid) or (self.sale_ok and self.type != "combo")

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
