"""Contract area `deliveries`, the other direction: a fulfillment made in Shopify (POS, a 3PL
app, the Shopify admin) applied to the Odoo delivery of its order (docs/contract.md,
"ShopifyFulfillmentDocument"; docs/flows.md, "Fulfillments made in Shopify").

By the setting `shopify_sync.shopify_fulfillment_policy`:
- `validate` (default): the matching quantities of the order's open deliveries are validated;
  what stays open goes to a backorder, as when a user validates part of a delivery;
- `flag`: the delivery is left open, marked in error for a person, and its moves carry the units
  Shopify fulfilled (`stock.move.shopify_fulfilled_qty`), which `stock_levels` holds back from
  Shopify until the delivery is validated.
Either way the fulfillment's GID is recorded on the picking, so the delivery.done of that picking
sends nothing again. A cancelled fulfillment undoes a flag; after a validation it flags the
picking (the goods left in Odoo: a person decides whether they come back).
"""
from odoo import api, models
from odoo.exceptions import ValidationError

from .shopify_sync_api import quantity_text

FULFILLED_STATUSES = {"SUCCESS", "OPEN", "PENDING"}
WITHDRAWN_STATUSES = {"CANCELLED", "ERROR", "FAILURE"}
POLICIES = ("validate", "flag")


class ShopifySyncApi(models.AbstractModel):
    _inherit = "shopify.sync.api"

    @api.model
    def apply_fulfillment(self, document):
        self = self._begin(document)
        gid = self._gid(document, "fulfillment_gid", "Fulfillment", "fulfillment")
        order_gid = self._gid(document, "order_gid", "Order", f"fulfillment {gid}")
        self._lock(f"order:{order_gid}")
        label = f"Shopify fulfillment {document.get('name') or gid}"
        status = (document.get("status") or "").upper()
        if status not in FULFILLED_STATUSES | WITHDRAWN_STATUSES:
            raise ValidationError(f"{label}: status {document.get('status')!r} is not a "
                                  "Shopify fulfillment status")
        order = self._imported_order(label, order_gid)
        wanted = self._fulfilled_lines(order, label, document.get("lines"))
        pickings = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing"
            and gid in (p.shopify_fulfillment_gids or "").split(","))
        if status in WITHDRAWN_STATUSES:
            return self._fulfillment_withdrawn(pickings, wanted, gid, label)
        if pickings:
            return self._fulfillment_result("unchanged", pickings)
        policy = self._param("shopify_sync.shopify_fulfillment_policy", "validate")
        if policy not in POLICIES:
            policy = "validate"
        plan, delivered = self._plan_fulfillment(order, wanted)
        if not plan:
            return self._fulfillment_recorded(order, gid, label, delivered)
        warehouse = self.env["shopify.location.map"]._warehouse_for(document.get("location_gid"))
        if policy == "flag" or any(
                warehouse and p.picking_type_id.warehouse_id != warehouse for p in plan):
            return self._fulfillment_flag(plan, gid, label, warehouse)
        return self._fulfillment_validate(plan, gid, label, document.get("tracking") or {})

    def _fulfilled_lines(self, order, label, lines):
        """{sale line: units} of the fulfillment, checked before anything is written."""
        if not isinstance(lines, list) or not lines:
            raise ValidationError(f"{label}: lines must be a non-empty list")
        wanted = {}
        for index, line in enumerate(lines, start=1):
            line_label = f"{label} line {index}"
            if not isinstance(line, dict):
                raise ValidationError(f"{line_label}: must be an object")
            qty = self._qty(line.get("quantity"), line_label)
            so_line = self._order_line_for(order, line, line_label)
            wanted[so_line] = wanted.get(so_line, 0) + qty
        return wanted

    @staticmethod
    def _open_moves(so_line):
        return so_line.move_ids.filtered(
            lambda m: m.picking_code == "outgoing" and m.state not in ("done", "cancel")
            and m.picking_id).sorted("id")

    def _plan_fulfillment(self, order, wanted):
        """({open picking: {move: units}}, units Odoo had delivered already). Units Shopify
        fulfilled beyond what is open were delivered in Odoo before (nothing to move)."""
        plan = {}
        delivered = 0
        for so_line, qty in wanted.items():
            remaining = qty
            for move in self._open_moves(so_line):
                free = move.product_uom_qty - move.shopify_fulfilled_qty
                take = min(remaining, free)
                if take <= 0:
                    continue
                plan.setdefault(move.picking_id, {})[move] = take
                remaining -= take
            delivered += remaining
        return plan, delivered

    def _fulfillment_recorded(self, order, gid, label, delivered):
        """Nothing open: Odoo delivered these units already. The GID goes on the order's last
        done delivery, so a retried delivery.done of it counts the fulfillment as its own."""
        done = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state == "done").sorted("id")
        if not done:
            raise ValidationError(
                f"{label}: order {order.name} has no open or done delivery for these units")
        picking = done[-1]
        self._add_fulfillment_gid(picking, gid)
        picking._shopify_set_result(
            "synced", message=f"{label} ({quantity_text(delivered)} unit(s)) matches what this "
            "delivery shipped in Odoo already.")
        return self._fulfillment_result("recorded", picking)

    def _fulfillment_validate(self, plan, gid, label, tracking):
        """Validate exactly the fulfilled units; the rest of each picking goes to a backorder."""
        pickings = self.env["stock.picking"]
        backorders = self.env["stock.picking"]
        for picking, moves in plan.items():
            for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
                take = moves.get(move, 0)
                move.quantity = take
                move.picked = bool(take)
            values = {}
            if tracking.get("number") and not picking.carrier_tracking_ref:
                values["carrier_tracking_ref"] = tracking["number"]
            if values:
                picking.write(values)
            # skip_sms: stock_sms would answer with a wizard instead of validating;
            # skip_backorder: the units not fulfilled stay to deliver in a backorder.
            picking.with_context(skip_sms=True, skip_backorder=True).button_validate()
            self._add_fulfillment_gid(picking, gid)
            units = self._units_text(moves)
            picking._shopify_set_result(
                "synced", message=f"Validated from {label}: {units}.")
            pickings |= picking
            backorders |= self.env["stock.picking"].search([("backorder_id", "=", picking.id)])
        return self._fulfillment_result("validated", pickings, backorders)

    def _fulfillment_flag(self, plan, gid, label, warehouse):
        """Leave the delivery open for a person; its moves hold the fulfilled units back."""
        pickings = self.env["stock.picking"]
        for picking, moves in plan.items():
            for move, take in moves.items():
                # A stock field the integration user (no stock rights) writes for the flag.
                move.sudo().write({"shopify_fulfilled_qty": move.shopify_fulfilled_qty + take})
            self._add_fulfillment_gid(picking, gid)
            units = self._units_text(moves)
            why = "the settings ask a person to validate deliveries fulfilled in Shopify"
            if warehouse and picking.picking_type_id.warehouse_id != warehouse:
                why = (f"Shopify fulfilled from {warehouse.name}, this delivery leaves from "
                       f"{picking.picking_type_id.warehouse_id.name}")
            picking._shopify_set_result(
                "error", message=f"{label} shipped {units} in Shopify; this delivery was not "
                f"validated because {why}. Validate it for those units (or return them).")
            pickings |= picking
        return self._fulfillment_result("flagged", pickings)

    def _fulfillment_withdrawn(self, pickings, wanted, gid, label):
        """A cancelled fulfillment: an open (flagged) delivery forgets it; a validated one is
        flagged, since its goods left in Odoo."""
        if not pickings:
            return self._fulfillment_result("unchanged", pickings)
        status = "unchanged"
        for picking in pickings:
            if picking.state in ("done", "cancel"):
                if picking.shopify_state != "error":
                    picking._shopify_set_result(
                        "error", message=f"{label} was cancelled in Shopify after this delivery "
                        "was validated in Odoo: the units are open again in Shopify. Fulfill "
                        "them again in Shopify, or return them here if they came back.")
                    status = "flagged"
                continue
            for move in picking.move_ids.filtered(lambda m: m.shopify_fulfilled_qty):
                release = min(move.shopify_fulfilled_qty, wanted.get(move.sale_line_id, 0))
                wanted[move.sale_line_id] = wanted.get(move.sale_line_id, 0) - release
                # A stock field the integration user (no stock rights) writes for the flag.
                move.sudo().write({"shopify_fulfilled_qty": move.shopify_fulfilled_qty - release})
            gids = [g for g in (picking.shopify_fulfillment_gids or "").split(",")
                    if g and g != gid]
            # The fulfillment GIDs are binding fields the sidecar alone writes.
            picking.sudo().write({"shopify_fulfillment_gids": ",".join(gids)})
            picking._shopify_set_result(
                "synced", message=f"{label} was cancelled in Shopify; this delivery is to "
                "ship as before.")
            status = "cancelled"
        return self._fulfillment_result(status, pickings)

    @staticmethod
    def _units_text(moves):
        return ", ".join(f"{quantity_text(q)} × {m.product_id.default_code or m.product_id.name}"
                         for m, q in moves.items())

    @staticmethod
    def _add_fulfillment_gid(picking, gid):
        gids = [g for g in (picking.shopify_fulfillment_gids or "").split(",") if g]
        if gid not in gids:
            gids.append(gid)
        # The fulfillment GIDs are binding fields the sidecar alone writes.
        picking.sudo().write({"shopify_fulfillment_gids": ",".join(gids)})

    @staticmethod
    def _fulfillment_result(status, pickings, backorders=None):
        return {"status": status, "picking_ids": pickings.ids,
                "backorder_ids": backorders.ids if backorders else []}
