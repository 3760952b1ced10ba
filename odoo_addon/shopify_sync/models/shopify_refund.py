"""A Shopify refund as applied to its sales order: the identity that makes apply_refund
idempotent, what Shopify refunded, the credit note it became (when the order was invoiced), the
credit notes of the order edits it pays back, and where it stands (docs/contract.md,
"RefundDocument")."""
from odoo import fields, models

REFUND_STATES = [
    ("pending", "Counted in the order, not applied yet"),
    ("applied", "Applied"),
    ("flagged", "Credit note left in draft"),
]
REFUND_ORIGINS = [
    ("shopify", "Shopify"),
    ("odoo", "Odoo credit note"),
]


class ShopifyRefund(models.Model):
    _name = "shopify.refund"
    _description = "Shopify refund"
    _order = "id desc"

    name = fields.Char(required=True, readonly=True)
    shopify_gid = fields.Char(string="Shopify refund ID", required=True, readonly=True,
                              index=True)
    shopify_shop = fields.Char(string="Shopify shop", readonly=True)
    sale_order_id = fields.Many2one("sale.order", required=True, readonly=True,
                                    ondelete="cascade", index=True)
    company_id = fields.Many2one(related="sale_order_id.company_id", store=True)
    currency_id = fields.Many2one(related="sale_order_id.currency_id")
    amount_total = fields.Monetary(
        string="Refunded in Shopify", readonly=True,
        help="What Shopify refunded: lines, their tax, shipping and adjustments.")
    credit_note_id = fields.Many2one(
        "account.move", string="Credit note", readonly=True, index="btree_not_null",
        help="The customer credit note of this refund. None while the order was not invoiced "
        "when the refund arrived: the order itself carries the refund then.")
    credit_note_state = fields.Selection(related="credit_note_id.state",
                                         string="Credit note status")
    edit_balance = fields.Monetary(
        string="Pays back order edits", readonly=True,
        help="The part of this refund that pays the customer back for order edits made in "
        "Shopify after invoicing: the edits' credit notes credit it, this refund does not "
        "credit it again.")
    edit_credit_note_ids = fields.Many2many(
        "account.move", "shopify_refund_edit_credit_note_rel", "refund_id", "move_id",
        string="Edit credit notes", readonly=True,
        help="The credit notes of the order edits this refund pays back. The order's refunds "
        "and its edits' credit notes are matched oldest first, amount by amount: a refund "
        "lists every credit note it pays part of.")
    return_gid = fields.Char(string="Shopify return ID", readonly=True,
                             help="The Shopify return this refund closes.")
    origin = fields.Selection(REFUND_ORIGINS, required=True, default="shopify", readonly=True,
                              help="Odoo credit note: the refund was made in Shopify from a "
                              "credit note posted in Odoo.")
    state = fields.Selection(REFUND_STATES, required=True, default="applied", readonly=True)
    message = fields.Text(readonly=True)
    note = fields.Text(readonly=True)
    refunded_at = fields.Char(string="Refunded at (Shopify)", readonly=True)

    _sql_constraints = [
        ("shopify_gid_shop_uniq", "unique(shopify_shop, shopify_gid)",
         "This Shopify refund is already recorded."),
    ]
