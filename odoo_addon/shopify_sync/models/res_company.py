"""Per-company money settings of the integration (Settings → Shopify, and the go-live wizard):
when customer invoices are made, where gift cards, duties and additional fees are booked
(docs/configuration.md, "Invoices, payments and gift cards")."""
from odoo import fields, models

# What an order edit does to units Odoo delivered and Shopify no longer counts
# (docs/flows.md, "Order edits after delivery").
EDIT_REMOVAL_POLICIES = [
    ("return", "Return and credit"),
    ("flag", "Flag the order"),
]
# How the refund of a return received in Odoo reaches Shopify (docs/flows.md, "Returns received
# in Odoo"): on the Shopify return when it is processed, or as a refund of its own.
RETURN_REFUND_POLICIES = [
    ("return", "With the Shopify return"),
    ("separate", "Separately"),
]
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
    # "return" by default: Odoo's order, invoice and credit notes then equal Shopify's to the cent
    # without waiting for anyone, and nothing moves in stock until the goods are received.
    shopify_edit_removal_policy = fields.Selection(
        EDIT_REMOVAL_POLICIES, string="Units removed after delivery", default="return",
        required=True,
        help="When an order edit in Shopify removes units Odoo has already delivered. Return "
        "and credit: the order mirrors Shopify (a credit line for the removed units, credited "
        "on a credit note when the order is invoiced) and a return is prepared to receive "
        "them. Flag the order: nothing is changed for those units; the order gets an activity "
        "naming the lines and quantities, for a person to decide.")
    # "separate" by default: upgrading changes nothing, and no return received in Odoo waits
    # for a person (the accountant's credit note) before Shopify processes it.
    shopify_return_refund = fields.Selection(
        RETURN_REFUND_POLICIES, string="Refund of returns received in Odoo", default="separate",
        required=True,
        help="A return received in Odoo for an invoiced order. With the Shopify return: Shopify "
        "processes the return when the credit note of its units is posted, and the refund is "
        "the return's (Shopify shows the return refunded); until then the return picking says "
        "it waits for the credit note, with a button to process it in Shopify without a refund "
        "(an exchange, store credit, no refund). Separately: Shopify processes the return at "
        "reception, and the credit note becomes a refund of its own, not linked to the return.")
    shopify_gift_card_account_id = fields.Many2one(
        "account.account", string="Gift card liability account",
        domain=[("account_type", "in", ("liability_current", "liability_non_current"))],
        help="Gift cards sold on Shopify are invoiced to this liability account, never to "
        "revenue.")
    shopify_duties_product_id = fields.Many2one(
        "product.product", string="Duties product", domain=[("type", "=", "service")],
        help="Import duties a customer paid at checkout are booked on this service product, one "
        "line per duty (its income account is the product's). Empty: the product \"Shopify "
        "duties\" the module created.")
    shopify_fees_product_id = fields.Many2one(
        "product.product", string="Additional fees product", domain=[("type", "=", "service")],
        help="Additional fees Shopify charged on an order (import fees beyond duties) are booked "
        "on this service product, one line per fee (its income account is the product's). "
        "Empty: the product \"Shopify additional fees\" the module created.")
    shopify_gift_card_journal_id = fields.Many2one(
        "account.journal", string="Gift card journal", domain=[("type", "in", ("bank", "cash"))],
        help="Payments made with a Shopify gift card (gateway gift_card) are booked in this "
        "journal; its incoming payment method's outstanding account should be the gift card "
        "liability account, so a redemption lowers the liability, not cash.")

    def _shopify_duties_product(self):
        """The product duties are booked on: the company's setting, else the module's."""
        self.ensure_one()
        return self.shopify_duties_product_id or self.env.ref(
            "shopify_sync.product_shopify_duties").product_variant_id

    def _shopify_fees_product(self):
        """The product additional fees are booked on: the company's setting, else the module's."""
        self.ensure_one()
        return self.shopify_fees_product_id or self.env.ref(
            "shopify_sync.product_shopify_additional_fees").product_variant_id
