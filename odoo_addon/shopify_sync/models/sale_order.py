"""Sales order bindings (Shopify order identity and statuses)."""
from odoo import _, fields, models


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "shopify.binding.mixin"]

    _shopify_admin_paths = {"Order": "orders"}

    shopify_name = fields.Char(string="Shopify order", copy=False, index=True)
    shopify_financial_status = fields.Char(string="Shopify financial status", copy=False)
    shopify_fulfillment_status = fields.Char(string="Shopify fulfillment status", copy=False)
    shopify_updated_at = fields.Char(string="Shopify updated at", copy=False,
                                     help="updated_at of the last applied order document (ISO).")
    shopify_presentment_currency = fields.Char(copy=False)
    shopify_refund_ids = fields.One2many(
        "shopify.refund", "sale_order_id", string="Shopify refunds", readonly=True)
    shopify_needs_return = fields.Boolean(
        string="Cancelled in Shopify after delivery", copy=False,
        help="Shopify cancelled the order after goods left: a return is needed.")

    def _shopify_resync_event(self):
        self.action_shopify_reimport()

    def action_shopify_reimport(self):
        """'Re-import from Shopify': ask the sidecar to re-read and re-apply the order."""
        Event = self.env["shopify.sync.event"]
        for order in self.filtered("shopify_gid"):
            Event.with_context(shopify_sync_origin=False)._emit(
                "order.reimport", order, f"order:{order.shopify_gid}",
                {"sale_order_id": order.id, "order_gid": order.shopify_gid})
        # The state is a binding field; a salesperson may re-import orders they cannot write.
        self.filtered("shopify_gid").sudo().with_context(shopify_sync_origin=True).write(
            {"shopify_state": "pending"})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": _("Re-import queued."), "type": "success"},
        }

    def action_shopify_resync(self):
        return self.action_shopify_reimport()
