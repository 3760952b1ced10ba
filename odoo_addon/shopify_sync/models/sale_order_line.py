"""Sales order lines: the Shopify line they mirror, their role on the order, and what refunds
left on them."""
from odoo import fields, models

LINE_ROLES = [
    ("product", "Product"),
    ("discount", "Line discount"),
    ("shipping", "Shipping"),
    ("shipping_discount", "Shipping discount"),
    # Written by refunds (apply_refund): what a Shopify refund took off the order.
    ("refund", "Shopify refund"),
    ("refund_adjustment", "Shopify refund adjustment"),
    # Written by apply_order under the "Shopify's charged amounts" tax source: the cents by
    # which Odoo's tax computation differs from what Shopify charged (docs/flows.md, "Taxes").
    ("tax_adjustment", "Shopify tax rounding difference"),
]
# Lines the sidecar's order documents never carry: apply_order leaves them alone.
REFUND_ROLES = ("refund", "refund_adjustment")


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    shopify_line_gid = fields.Char(string="Shopify line ID", copy=False, index=True)
    shopify_line_role = fields.Selection(LINE_ROLES, copy=False)
    shopify_refund_gid = fields.Char(
        string="Shopify refund ID", copy=False, index="btree_not_null",
        help="The Shopify refund that wrote this line (refund and refund adjustment lines).")
    shopify_kept_qty = fields.Float(
        string="Refunded, kept by the customer", copy=False, digits="Product Unit of Measure",
        help="Units of this line refunded in Shopify that were delivered and not returned: "
        "they stay on the line (Shopify's current quantity no longer counts them) and their "
        "refund is a line of its own.")
