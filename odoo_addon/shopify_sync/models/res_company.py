"""Per-company money settings of the integration (Settings → Shopify, and the go-live wizard):
when customer invoices are made, and where gift cards are booked (docs/configuration.md,
"Invoices, payments and gift cards")."""
from odoo import fields, models

INVOICE_POLICIES = [
    ("never", "Never (invoice by hand)"),
    ("on_payment", "When Shopify reports a payment"),
    ("on_delivery", "When the order is fully delivered"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    # "never" by default: upgrading the addon, or installing it, invoices nothing by itself;
    # invoicing is an accounting decision taken in Settings or the go-live wizard.
    shopify_invoice_policy = fields.Selection(
        INVOICE_POLICIES, string="Shopify invoices", default="never", required=True,
        help="When customer invoices are made for orders imported from Shopify. Only orders "
        "with something left to invoice are invoiced, when a payment arrives or a delivery "
        "completes after the choice: older orders are never invoiced in bulk.")
    shopify_gift_card_account_id = fields.Many2one(
        "account.account", string="Gift card liability account",
        domain=[("account_type", "in", ("liability_current", "liability_non_current"))],
        help="Gift cards sold on Shopify are invoiced to this liability account, never to "
        "revenue.")
    shopify_gift_card_journal_id = fields.Many2one(
        "account.journal", string="Gift card journal", domain=[("type", "in", ("bank", "cash"))],
        help="Payments made with a Shopify gift card (gateway gift_card) are booked in this "
        "journal; its incoming payment method's outstanding account should be the gift card "
        "liability account, so a redemption lowers the liability, not cash.")
