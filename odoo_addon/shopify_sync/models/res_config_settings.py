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
    shopify_reservation = fields.Selection(
        [("after_import", "Right after import (no conflicts at flash-sale rates)"),
         ("at_import", "At import (Odoo's default)")],
        string="Reserve stock", config_parameter="shopify_sync.reservation",
        default="after_import",
        help="When the delivery of an imported order reserves its stock (for operation types "
        "that reserve at confirmation). Right after import: the scheduled action \"Shopify: "
        "reserve imported orders' deliveries\" reserves it a second or two later, oldest order "
        "first, so imports of the same product at once never conflict; the delivery shows "
        "Waiting until then. At import: inside the import, as Odoo does; at flash-sale rates "
        "Odoo retries conflicting imports whole, seconds later.")
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
    shopify_fulfillment_policy = fields.Selection(
        [("validate", "Validate the Odoo delivery"), ("flag", "Flag the delivery for a person")],
        string="Fulfillments made in Shopify",
        config_parameter="shopify_sync.shopify_fulfillment_policy", default="validate",
        help="A fulfillment made in Shopify (POS, an app, the Shopify admin) for an order "
        "imported in Odoo: validate the fulfilled quantities of its open delivery (a backorder "
        "keeps the rest), or leave the delivery open and flag it. A fulfillment from another "
        "warehouse's location is always flagged.")
    shopify_tax_source = fields.Selection(
        [("shopify", "Shopify's charged amounts"), ("odoo", "Odoo's tax engine")],
        string="Source of truth for tax", config_parameter="shopify_sync.tax_source",
        default="shopify",
        help="Shopify's charged amounts: what the customer paid is booked; when Odoo's own tax "
        "computation (per line or globally, see Invoicing > Settings) differs by rounding cents, "
        "the difference is a \"Shopify tax rounding difference\" line on the order, its "
        "invoice and credit notes. Odoo's tax engine: Odoo's taxes are booked; a total that "
        "differs from Shopify's by more than the tolerance flags the order or credit note.")
    shopify_tax_tolerance = fields.Float(
        string="Tax tolerance", config_parameter="shopify_sync.tax_tolerance", default=0.0,
        digits=(16, 2),
        help="With Odoo's tax engine: the largest difference from Shopify's total (in the "
        "order's currency) accepted without flagging. 0: any cent is flagged.")
    shopify_currency_policy = fields.Selection(
        [("company", "Company currency only"), ("pricelist", "Pricelist in the shop currency"),
         ("convert", "Convert with Odoo's rates")],
        string="Shop currency", config_parameter="shopify_sync.currency_policy",
        default="company",
        help="When the shop's currency is not the company's. Company currency only: such orders "
        "are refused. Pricelist: the order takes the company's first pricelist in the shop "
        "currency and keeps Shopify's amounts (Odoo converts them when posting). Convert: "
        "every amount is converted into the company currency with Odoo's rate of the order's "
        "date.")
    shopify_presentment_policy = fields.Selection(
        [("shop", "Shop currency"), ("presentment", "Customer's (presentment) currency")],
        string="Book orders in", config_parameter="shopify_sync.presentment_policy",
        default="shop",
        help="An order the customer paid in another currency than the shop's. Shop currency: "
        "Shopify's amounts in the shop currency are booked. Customer's currency: the order, its "
        "invoice, credit notes and payments are booked with the amounts the customer paid, in "
        "that currency (the shop currency setting then applies to it: a pricelist in it, or "
        "Odoo's rates). An order keeps the currency it was first booked in.")
    shopify_invoice_policy = fields.Selection(
        related="company_id.shopify_invoice_policy", readonly=False)
    shopify_edit_removal_policy = fields.Selection(
        related="company_id.shopify_edit_removal_policy", readonly=False)
    shopify_return_refund = fields.Selection(
        related="company_id.shopify_return_refund", readonly=False)
    shopify_gift_card_account_id = fields.Many2one(
        related="company_id.shopify_gift_card_account_id", readonly=False)
    shopify_gift_card_journal_id = fields.Many2one(
        related="company_id.shopify_gift_card_journal_id", readonly=False)
    shopify_duties_product_id = fields.Many2one(
        related="company_id.shopify_duties_product_id", readonly=False)
    shopify_fees_product_id = fields.Many2one(
        related="company_id.shopify_fees_product_id", readonly=False)
