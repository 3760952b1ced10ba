"""Explicit mapping of Shopify payment gateways to Odoo journals, per company: a Shopify
transaction becomes a payment in the journal of its gateway, never a guessed one (an unmapped
gateway holds the order's payments, docs/flows.md "Payments")."""
from odoo import api, fields, models


class ShopifyPaymentGateway(models.Model):
    _name = "shopify.payment.gateway"
    _description = "Shopify payment gateway → Odoo journal"
    _order = "name"

    name = fields.Char(string="Shopify gateway", required=True,
                       help="The gateway as Shopify names it on the order's transactions, e.g. "
                       "'shopify_payments', 'paypal', 'manual', 'Cash on Delivery (COD)'. "
                       "Compared without regard to case or surrounding spaces.")
    journal_id = fields.Many2one(
        "account.journal", string="Journal", required=True, ondelete="restrict",
        domain=[("type", "in", ("bank", "cash"))],
        help="Payments received (and refunded) through this gateway are booked in this journal.")
    company_id = fields.Many2one(related="journal_id.company_id", store=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)",
         "This Shopify gateway is already mapped in this company."),
    ]

    @api.model
    def _find(self, gateway, company):
        """The journal of a Shopify gateway in `company`; empty when unmapped."""
        wanted = (gateway or "").strip().lower()
        for mapping in self.search([("company_id", "=", company.id)]):
            if mapping.name.strip().lower() == wanted:
                return mapping.journal_id
        return self.env["account.journal"]
