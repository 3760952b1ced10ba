"""Re-import one Shopify order by its number (Shopify → Configuration → Re-import an order):
the sidecar finds the order in Shopify and queues its import (`POST /admin/api/orders/reimport`).
An order that never reached Odoo — its webhook lost, or older than the pull — is fetched too."""
from odoo import _, fields, models
from odoo.exceptions import UserError

from ..models.shopify_sidecar import SidecarNotFound


class ShopifyOrderReimport(models.TransientModel):
    _name = "shopify.order.reimport"
    _description = "Re-import a Shopify order by number"

    order_name = fields.Char(string="Shopify order number", required=True,
                             help="As Shopify shows it, e.g. #1001 (the # is optional).")

    def action_reimport(self):
        self.ensure_one()
        name = self.order_name.strip()
        if not name.lstrip("#"):
            raise UserError(_("Type the order number, e.g. #1001."))
        name = name if name.startswith("#") else f"#{name}"
        try:
            answer = self.env["shopify.sidecar"]._call(
                "POST", "/api/orders/reimport", {"name": name}, accept_404=True)
        except SidecarNotFound:
            raise UserError(_("Shopify has no order %s.", name)) from None
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"title": _("Re-import queued"),
                           "message": _("Order %(name)s: the sidecar imports it from Shopify "
                                        "now; it appears in Sales within a minute.",
                                        name=answer.get("name") or name),
                           "type": "success",
                           "next": {"type": "ir.actions.act_window_close"}}}
