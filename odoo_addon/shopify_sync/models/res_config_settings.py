from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    shopify_sidecar_url = fields.Char(
        string="Sidecar URL", config_parameter="shopify_sync.sidecar_url",
        help="Base URL of the sidecar, e.g. http://sidecar:3000. Odoo pings <url>/odoo/wake "
        "after each commit that wrote outbox events, and calls its admin API at <url>/admin "
        "(Test connection, Go live, locations, re-import, Retry).")
    shopify_shared_secret = fields.Char(
        string="Shared secret", config_parameter="shopify_sync.shared_secret",
        help="Signs the wake-up ping (HMAC-SHA256 of the body, header X-Shopify-Sync-Signature).")
    shopify_admin_token = fields.Char(
        string="Sidecar admin token", config_parameter="shopify_sync.admin_token",
        help="The sidecar's ADMIN_TOKEN: Odoo sends it as a bearer token to the sidecar's "
        "admin API.")
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
    shopify_salesperson_id = fields.Many2one(
        "res.users", string="Salesperson of imported orders",
        config_parameter="shopify_sync.salesperson_id", domain=[("share", "=", False)],
        help="Set on every order imported from Shopify. Empty: no salesperson (every "
        "salesperson sees them). Never the integration user.")
    shopify_team_id = fields.Many2one(
        "crm.team", string="Sales team of imported orders",
        config_parameter="shopify_sync.team_id",
        help="Set on every order imported from Shopify. Empty: no sales team.")
    shopify_responsible_id = fields.Many2one(
        "res.users", string="Responsible for follow-ups",
        config_parameter="shopify_sync.responsible_id", domain=[("share", "=", False)],
        help="Odoo's follow-up activities raised while the sidecar updates a record (e.g. a "
        "quantity lowered on a confirmed order) go to this user. Empty: the order's "
        "salesperson, else the administrator — never the integration user.")
    shopify_invoice_policy = fields.Selection(
        related="company_id.shopify_invoice_policy", readonly=False)
    shopify_gift_card_account_id = fields.Many2one(
        related="company_id.shopify_gift_card_account_id", readonly=False)
    shopify_gift_card_journal_id = fields.Many2one(
        related="company_id.shopify_gift_card_journal_id", readonly=False)
