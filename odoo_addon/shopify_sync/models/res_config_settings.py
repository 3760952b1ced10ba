from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    shopify_sidecar_url = fields.Char(
        string="Sidecar URL", config_parameter="shopify_sync.sidecar_url",
        help="Base URL of the sidecar, e.g. http://sidecar:3000. Odoo pings <url>/odoo/wake "
        "after each commit that wrote outbox events.")
    shopify_shared_secret = fields.Char(
        string="Shared secret", config_parameter="shopify_sync.shared_secret",
        help="Signs the wake-up ping (HMAC-SHA256 of the body, header X-Shopify-Sync-Signature).")
    shopify_shop_domain = fields.Char(
        string="Shop domain", config_parameter="shopify_sync.shop_domain",
        help="example.myshopify.com")
    shopify_import_policy = fields.Selection(
        [("all", "Confirm every order"), ("paid", "Confirm paid orders only")],
        string="Order import policy", config_parameter="shopify_sync.import_policy",
        default="all")
    shopify_safety_stock = fields.Integer(
        string="Safety stock", config_parameter="shopify_sync.safety_stock", default=0,
        help="Units per product and location held back from Shopify.")
    shopify_privacy_group_id = fields.Many2one(
        "res.groups", string="Privacy group", config_parameter="shopify_sync.privacy_group_id",
        help="Who answers privacy requests: its people get an activity with the due date when a "
        "request needs a person. Empty: the group Shopify / Privacy.")
