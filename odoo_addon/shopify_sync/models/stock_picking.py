"""Deliveries and returns of Shopify orders: bindings, delivery.done / return.done events and
tracking numbers (stock_delivery)."""
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

# What the FulfillmentDocument's tracking {number, company, url} is made of (stock_delivery).
TRACKING_FIELDS = ("carrier_tracking_ref", "carrier_id")


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "shopify.binding.mixin"]

    shopify_fulfillment_gids = fields.Char(
        string="Shopify fulfillment IDs", copy=False,
        help="Comma-separated fulfillment GIDs created in Shopify for this delivery.")
    shopify_return_gid = fields.Char(
        string="Shopify return ID", copy=False, index=True,
        help="Shopify Return GID this return picking was created for (apply_return).")
    shopify_return_no_refund = fields.Boolean(
        string="Processed in Shopify without a refund", copy=False, readonly=True,
        help="A user chose to process this return in Shopify without waiting for a credit "
        "note (an exchange, store credit, no refund).")
    shopify_return_waiting = fields.Boolean(
        compute="_compute_shopify_return_waiting", string="Waiting for the credit note",
        help="Received in Odoo, not processed in Shopify yet: the company refunds returns with "
        "the Shopify return (Settings → Shopify), so Shopify processes it when the credit note "
        "of its units is posted.")
    shopify_order_id = fields.Many2one("sale.order", compute="_compute_shopify_order_id",
                                       string="Shopify order")
    shopify_reservation_pending = fields.Boolean(
        compute="_compute_shopify_reservation_pending", string="Reservation after import",
        help="The Shopify import confirmed this delivery and left its reservation to the "
        "scheduled action \"Shopify: reserve imported orders' deliveries\", which has not run "
        "yet (Settings → Shopify → Reserve stock).")

    @api.depends("move_ids.shopify_reserve_pending")
    def _compute_shopify_reservation_pending(self):
        for picking in self:
            picking.shopify_reservation_pending = any(
                picking.move_ids.mapped("shopify_reserve_pending"))

    @api.depends("sale_id", "return_id")
    def _compute_shopify_order_id(self):
        for picking in self:
            order = picking.sale_id or picking.return_id.sale_id
            picking.shopify_order_id = order if order.shopify_gid else False

    @api.depends("state", "shopify_state", "shopify_return_no_refund", "return_id")
    def _compute_shopify_return_waiting(self):
        for picking in self:
            picking.shopify_return_waiting = picking._shopify_return_held()

    def _shopify_return_held(self):
        """A done return of a Shopify order not processed in Shopify yet, whose refund goes with
        the Shopify return (the company's shopify_return_refund) and nobody chose to process it
        without one."""
        self.ensure_one()
        order = self.shopify_order_id
        return bool(order and self.state == "done" and self.picking_type_code == "incoming"
                    and (self.return_id or self.shopify_return_gid)
                    and order.company_id.shopify_return_refund == "return"
                    and not self.shopify_return_no_refund and self.shopify_state == "pending")

    def _shopify_awaits_credit_note(self):
        """Held (above) and a credit note is expected for its units: more of a returned line
        is invoiced than stays delivered, or a credit note of the order is posted and not
        refunded in Shopify yet (its credit_note.posted job decides whether it is this
        return's refund)."""
        self.ensure_one()
        if not self._shopify_return_held():
            return False
        lines = self.move_ids.filtered(lambda m: m.state == "done").mapped(
            lambda m: m.sale_line_id or m.origin_returned_move_id.sale_line_id)
        if any(float_compare(line.qty_invoiced, line.qty_delivered, precision_digits=3) > 0
               for line in lines):
            return True
        return any(m.move_type == "out_refund" and m.state == "posted" and not m.shopify_gid
                   and m.shopify_state == "pending"
                   for m in self.shopify_order_id.invoice_ids)

    def action_shopify_process_without_refund(self):
        """The return is processed in Shopify now, without a refund (an exchange, store credit,
        no refund): return.done again, which the sidecar no longer holds."""
        held = self.filtered(lambda p: p._shopify_return_held())
        if not held:
            raise UserError(_("Only a return received in Odoo that waits for its credit note can "
                              "be processed in Shopify without a refund."))
        # Binding fields: the integration's bookkeeping, whoever presses the button.
        held.sudo().with_context(shopify_sync_origin=True).write(
            {"shopify_return_no_refund": True})
        held._shopify_emit_done(force=True)
        return True

    def _shopify_event_type(self):
        self.ensure_one()
        if self.picking_type_code == "outgoing":
            return "delivery.done"
        if self.picking_type_code == "incoming" and self.return_id:
            return "return.done"
        return None

    def _shopify_emit_done(self, force=False):
        Event = self.env["shopify.sync.event"]
        for picking in self:
            order = picking.shopify_order_id
            event_type = picking._shopify_event_type()
            if not order or not event_type or picking.state != "done":
                continue
            Event._emit(event_type, picking, f"order:{order.shopify_gid}",
                        {"picking_id": picking.id, "sale_order_id": order.id,
                         "order_gid": order.shopify_gid}, force=force)
            if not self.env.context.get("shopify_sync_origin") or force:
                # The state is a binding field; the user validating may not write it otherwise.
                picking.sudo().with_context(shopify_sync_origin=True).write(
                    {"shopify_state": "pending"})

    def _shopify_resync_event(self):
        self._shopify_emit_done(force=True)

    def _action_done(self):
        res = super()._action_done()
        self._shopify_emit_done()
        delivered = self.filtered(lambda p: p.picking_type_code == "outgoing").shopify_order_id
        if delivered:
            # Policy "on delivery" (docs/flows.md, "Invoices"): the integration's bookkeeping,
            # whoever validates; the validating user may not create invoices.
            self.env["shopify.sync.api"].sudo()._shopify_invoice_delivered(delivered)
        return res

    def _shopify_tracking_changed(self, vals):
        """Done pickings whose tracking number or carrier `vals` changes."""
        if not any(f in vals for f in TRACKING_FIELDS):
            return self.browse()
        new_ref = vals.get("carrier_tracking_ref") or False
        new_carrier = vals.get("carrier_id") or False
        if isinstance(new_carrier, models.BaseModel):
            new_carrier = new_carrier.id
        return self.filtered(lambda p: p.state == "done" and p.shopify_order_id and (
            ("carrier_tracking_ref" in vals and (p.carrier_tracking_ref or False) != new_ref)
            or ("carrier_id" in vals and p.carrier_id.id != new_carrier)))

    def write(self, vals):
        # Tracking numbers (stock_delivery) are often entered after validation: a changed
        # number or carrier of a done delivery emits delivery.done again, so the sidecar
        # updates the fulfillment's tracking (number, company, URL) in Shopify. Not while
        # the picking's delivery.done is still pending: the sidecar reads the current
        # tracking when it handles that one (e.g. a carrier's label bought at validation).
        changed = self._shopify_tracking_changed(vals)
        res = super().write(vals)
        if changed and not self.env.context.get("shopify_sync_origin"):
            # Stock users who enter tracking numbers have no access to the outbox.
            pending = self.env["shopify.sync.event"].sudo().search([
                ("type", "=", "delivery.done"), ("model", "=", "stock.picking"),
                ("res_id", "in", changed.ids), ("state", "=", "pending")]).mapped("res_id")
            changed.filtered(lambda p: p.id not in pending)._shopify_emit_done()
        return res
