"""Sales order lines: the Shopify line they mirror and its role on the order."""
from odoo import fields, models

LINE_ROLES = [
    ("product", "Product"),
    ("discount", "Line discount"),
    ("shipping", "Shipping"),
    ("shipping_discount", "Shipping discount"),
]


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    shopify_line_gid = fields.Char(string="Shopify line ID", copy=False, index=True)
    shopify_line_role = fields.Selection(LINE_ROLES, copy=False)
