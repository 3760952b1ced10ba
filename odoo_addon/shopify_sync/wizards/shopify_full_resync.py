"""Full resync wizard: emit outbox events for the whole catalogue, stock and customers."""
from odoo import _, fields, models


class ShopifyFullResync(models.TransientModel):
    _name = "shopify.full.resync"
    _description = "Shopify full resync"

    products = fields.Boolean(default=True)
    stock = fields.Boolean(default=True)
    customers = fields.Boolean(default=False)
    event_count = fields.Integer(readonly=True)

    def action_run(self):
        self.ensure_one()
        Event = self.env["shopify.sync.event"].with_context(shopify_sync_origin=False)
        before = Event.search_count([])
        if self.products or self.stock:
            templates = self.env["product.template"].search(
                ["|", ("shopify_gid", "!=", False),
                 "&", ("sale_ok", "=", True), ("type", "!=", "combo")])
            if self.products:
                templates._shopify_emit_changed("resync", force=True)
            if self.stock:
                warehouses = self.env["shopify.location.map"].search([]).warehouse_id
                templates.product_variant_ids._shopify_emit_stock(warehouses)
        if self.customers:
            partners = self.env["res.partner"].search(
                ["|", ("shopify_gid", "!=", False), ("shopify_sync", "=", True)])
            partners._shopify_emit_changed("resync", force=True)
        self.event_count = Event.search_count([]) - before
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": _("%s sync events queued.", self.event_count),
                       "type": "success", "next": {"type": "ir.actions.act_window_close"}},
        }
