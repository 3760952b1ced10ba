"""Payments made from Shopify order transactions: the transaction's identity (one payment per
transaction and company, whatever retries or duplicate webhooks do) and the order it pays."""
from odoo import fields, models

from .. import compat


class AccountPayment(models.Model):
    _inherit = "account.payment"

    shopify_transaction_gid = fields.Char(
        string="Shopify transaction ID", copy=False, readonly=True, index="btree_not_null",
        help="The Shopify order transaction (sale, capture or refund) this payment books.")
    shopify_gateway = fields.Char(string="Shopify gateway", copy=False, readonly=True)
    shopify_sale_order_id = fields.Many2one(
        "sale.order", string="Shopify order", copy=False, readonly=True,
        index="btree_not_null")

    _sql_constraints = [
        ("shopify_transaction_company_uniq", compat.PAYMENT_TRANSACTION_UNIQUE,
         "This Shopify transaction is already booked as a payment in this company."),
    ]
