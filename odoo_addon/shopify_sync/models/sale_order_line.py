"""Sales order lines: the Shopify line they mirror, their role on the order, and what refunds
left on them."""
from odoo import fields, models

LINE_ROLES = [
    ("product", "Product"),
    ("discount", "Line discount"),
    ("shipping", "Shipping"),
    ("shipping_discount", "Shipping discount"),
    # An import duty Shopify charged on a line item (shopify_line_gid: the Duty GID).
    ("duty", "Duties"),
    # An additional fee Shopify charged on the order (shopify_line_gid: the AdditionalFee GID).
    ("fee", "Additional fee"),
    # Written by refunds (apply_refund): what a Shopify refund took off the order.
    ("refund", "Shopify refund"),
    ("refund_adjustment", "Shopify refund adjustment"),
    # Written by apply_order: the credit for units an order edit removed in Shopify after Odoo
    # delivered them (docs/flows.md, "Order edits after delivery").
    ("edit_removal", "Removed in Shopify after delivery"),
    # Written by apply_order under the "Shopify's charged amounts" tax source: the cents by
    # which Odoo's tax computation differs from what Shopify charged (docs/flows.md, "Taxes").
    ("tax_adjustment", "Shopify tax rounding difference"),
    # Written by apply_order: what Shopify raised a shipping line, duty or fee by after Odoo
    # invoiced it, to invoice (shopify_line_gid: the charged line's; docs/flows.md, "Shipping
    # lines and order edits").
    ("raised", "Raised in Shopify after invoicing"),
]
# Lines the sidecar's order documents never carry: apply_order matches no document line to them.
REFUND_ROLES = ("refund", "refund_adjustment", "edit_removal")


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    shopify_line_gid = fields.Char(string="Shopify line ID", copy=False, index=True)
    shopify_line_role = fields.Selection(LINE_ROLES, copy=False)
    shopify_refund_gid = fields.Char(
        string="Shopify refund ID", copy=False, index="btree_not_null",
        help="The Shopify refund that wrote this line (refund and refund adjustment lines).")
    shopify_kept_qty = fields.Float(
        string="Refunded, kept by the customer", copy=False, digits="Product Unit of Measure",
        help="Units of this line delivered by Odoo that Shopify's current quantity no longer "
        "counts: refunded without a return, or removed by an order edit after delivery. They "
        "stay on the line and their credit is a line of its own.")

    def _shopify_is_gift_card(self):
        """A Shopify gift card sold on this line (the addon's gift card product)."""
        self.ensure_one()
        gift_card = self.env.ref("shopify_sync.product_shopify_gift_card", raise_if_not_found=False)
        return bool(gift_card) and self.product_id.product_tmpl_id == gift_card

    def _prepare_invoice_line(self, **optional_values):
        """A gift card is invoiced to the company's gift card liability account, never to
        revenue (docs/flows.md, "Gift cards")."""
        vals = super()._prepare_invoice_line(**optional_values)
        account = self.company_id.shopify_gift_card_account_id
        if account and self._shopify_is_gift_card():
            vals["account_id"] = account.id
        return vals
