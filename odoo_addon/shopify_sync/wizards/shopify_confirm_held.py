"""Confirming a held or flagged Shopify order: the dialog names the difference first."""
from odoo import _, api, fields, models

from .. import compat
from ..lib import explain


class ShopifyConfirmHeld(models.TransientModel):
    _name = "shopify.confirm.held"
    _description = "Confirm a held or flagged Shopify order"

    sale_order_id = fields.Many2one("sale.order", required=True, readonly=True)
    hold = fields.Selection(related="sale_order_id.shopify_hold")
    difference = fields.Text(compute="_compute_difference", string="Difference")

    @api.depends("sale_order_id")
    def _compute_difference(self):
        for wizard in self:
            order = wizard.sale_order_id
            lines = []
            for part in (order.shopify_error or "").split("; "):
                category, _reason, _fix, values = explain.explain(part)
                if category == "totals_differ":
                    lines.append(_(
                        "The customer paid %(shopify)s in Shopify; this order totals %(odoo)s in "
                        "Odoo. Confirming it keeps Odoo's total.",
                        shopify=values["shopify"], odoo=values["odoo"]))
                elif category in ("tax_mapping", "tax_included"):
                    lines.append(_("%(reason)s The order has no tax on those lines until it is "
                                   "re-imported with a mapping.",
                                   reason=explain.render(part, compat.translator(self.env))[1]))
                elif part.strip():
                    lines.append(explain.render(part, compat.translator(self.env))[1])
            wizard.difference = "\n".join(lines) or False

    def action_confirm(self):
        self.ensure_one()
        order = self.sale_order_id
        order.action_confirm()
        order.message_post(body=_("Confirmed although the Shopify order was %(hold)s: "
                                  "%(difference)s", hold=order.shopify_hold,
                                  difference=self.difference or ""))
        return {"type": "ir.actions.act_window_close"}
