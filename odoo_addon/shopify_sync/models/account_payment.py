"""Payments made from Shopify order transactions: the transaction's identity (one payment per
transaction and company, whatever retries or duplicate webhooks do) and the order it pays."""
from odoo import fields, models

from .. import compat


class AccountPayment(models.Model):
    _inherit = "account.payment"

    shopify_transaction_gid = fields.Char(
        string="Shopify transaction ID", copy=False, readonly=True, index="btree_not_null",
        help="The Shopify order transaction (sale, capture, refund or cash change) this "
             "payment books.")
    shopify_gateway = fields.Char(string="Shopify gateway", copy=False, readonly=True)
    shopify_transaction_kind = fields.Selection(
        [("sale", "Sale"), ("capture", "Capture"), ("refund", "Refund"),
         ("change", "Cash change")],
        string="Shopify transaction kind", copy=False, readonly=True,
        help="Cash change is money a point of sale handed back from a cash sale: an outbound "
             "payment settled against that sale's payment, not against a credit note.")
    shopify_sale_order_id = fields.Many2one(
        "sale.order", string="Shopify order", copy=False, readonly=True,
        index="btree_not_null")

    _sql_constraints = [
        ("shopify_transaction_company_uniq", compat.PAYMENT_TRANSACTION_UNIQUE,
         "This Shopify transaction is already booked as a payment in this company."),
    ]
