"""Credit note bindings (Shopify refund identity, or the order edit credited and the refunds that
pay it back), the credit-note-posted hook, and the
reconciliation of an invoice posted by hand with the order's Shopify payments."""
from odoo import fields, models


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "shopify.binding.mixin"]

    shopify_sale_order_id = fields.Many2one(
        "sale.order", string="Shopify order", copy=False, index="btree_not_null",
        help="Sales order of the Shopify order this credit note refunds.")
    shopify_edit_credit = fields.Boolean(
        string="Credits a Shopify order edit", copy=False, readonly=True,
        help="Made by the integration for what an order edit in Shopify took off the invoiced "
        "order.")
    # Shopify users only: others may not read Shopify refunds (security/ir.model.access.csv).
    shopify_edit_refund_ids = fields.Many2many(
        "shopify.refund", "shopify_refund_edit_credit_note_rel", "move_id", "refund_id",
        string="Paid back by Shopify refunds", copy=False, readonly=True,
        groups="shopify_sync.group_shopify_user",
        help="The Shopify refunds that pay the customer back for this order edit.")

    def _shopify_order(self):
        self.ensure_one()
        order = self.shopify_sale_order_id
        if not order:
            order = self.invoice_line_ids.sale_line_ids.order_id[:1]
        if not order and self.reversed_entry_id:
            order = self.reversed_entry_id.invoice_line_ids.sale_line_ids.order_id[:1]
        if not order and self.invoice_origin:
            # A credit note written from scratch names its order only in its source document;
            # the accountant posting it may not read sales orders: only its identity is read.
            order = self.env["sale.order"].sudo().search(
                [("name", "=", self.invoice_origin), ("shopify_gid", "!=", False)], limit=1)
        return order if order.shopify_gid else self.env["sale.order"]

    def _shopify_emit_posted(self, force=False):
        Event = self.env["shopify.sync.event"]
        for move in self.filtered(lambda m: m.move_type == "out_refund" and m.state == "posted"):
            order = move._shopify_order()
            if not order:
                continue
            event = Event._emit("credit_note.posted", move, f"order:{order.shopify_gid}",
                                {"move_id": move.id, "sale_order_id": order.id,
                                 "order_gid": order.shopify_gid,
                                 "amount_total": "%.2f" % move.amount_total}, force=force)
            if event and not move.shopify_gid:
                # Waiting for its Shopify refund (a return received in Odoo may wait for it:
                # StockPicking._shopify_awaits_credit_note). A binding field: bookkeeping.
                move.sudo().with_context(shopify_sync_origin=True).write(
                    {"shopify_state": "pending"})

    def _shopify_resync_event(self):
        self._shopify_emit_posted(force=True)

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._shopify_emit_posted()
        posted._shopify_reconcile_payments()
        return posted

    def _shopify_reconcile_payments(self):
        """An invoice posted for a Shopify order (by hand, under the invoice policy "never")
        takes the order's Shopify payments booked before it, as the invoices the policy makes
        do (shopify_sync_api_payments.py)."""
        # The integration's own reconciliation of its payments, whatever the rights of the user
        # who posted the invoice (it reads and matches the order's receivable lines only).
        api = self.env["shopify.sync.api"].sudo()
        for move in self.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted"):
            order = move._shopify_order()
            if order and api._shopify_has_payments(order):
                api._shopify_reconcile_order(order.with_env(api.env))
