"""Stock moves: a done move re-announces its product's stock at both ends' warehouses; an open
delivery move knows the units Shopify fulfilled before Odoo validated it; the reservation of an
imported order's delivery runs right after the import, in a transaction of its own
(docs/flows.md, "Reserving stock right after the import")."""
import logging
import random
import time

from psycopg2 import OperationalError

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY

from .. import compat

_logger = logging.getLogger(__name__)

# The context key `apply_order` sets when the reservation is to run after the import.
DEFER_RESERVATION = "shopify_sync_defer_reservation"
# Transaction data (`cr.postcommit.data`, cleared at commit and rollback, not by a flush):
# this transaction left a reservation to the scheduled action.
RESERVATION_DEFERRED = "shopify_sync.reservation_deferred"
RESERVE_CRON = "shopify_sync.ir_cron_shopify_reserve"
# Deliveries per transaction: each is committed (and visible as Ready) as soon as it is
# reserved, and a conflict with another transaction rolls back this many only.
RESERVE_BATCH = 1
PENDING = [("shopify_reserve_pending", "!=", False)]
# A run stops after this long (the rest goes to a run triggered right after), well within
# Odoo's time limit for a scheduled action (`limit_time_real_cron`).
RESERVE_BUDGET_SECONDS = 60
# Odoo deletes a job's triggers stamped (to the second) before the job started when it ends
# (`ir.cron._reschedule_later`): a run that reserved something looks for new work until that
# second is over, so an import committed meanwhile is not left to the next regular run.
RESERVE_LINGER_SECONDS = 1.2
RESERVE_POLL_SECONDS = 0.2
RESERVE_MAX_CONFLICTS = 5


class StockMove(models.Model):
    _inherit = "stock.move"

    shopify_fulfilled_qty = fields.Float(
        string="Fulfilled in Shopify", copy=False, digits="Product Unit of Measure",
        help="Units of this open delivery move that a fulfillment made in Shopify (POS, an "
        "app, the Shopify admin) shipped already. Shopify counts them as gone: they are held "
        "back from the stock pushed to Shopify until the delivery is validated.")
    shopify_reserve_pending = fields.Datetime(
        string="Reservation after import", copy=False, readonly=True, index="btree_not_null",
        help="Set when a Shopify import confirmed this move and left its reservation to the "
        "scheduled action \"Shopify: reserve imported orders' deliveries\", which reserves it "
        "a moment later as Odoo would have at confirmation, then clears this date.")

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        for move in moves.filtered(lambda m: m.state == "done"):
            warehouses = (move.location_id.warehouse_id | move.location_dest_id.warehouse_id)
            move.product_id._shopify_emit_stock(warehouses)
        return moves

    def _action_assign(self, force_qty=False):
        """Inside `apply_order` (context key DEFER_RESERVATION), the moves that would reserve
        stock from quants are only marked for the scheduled action: every order of a flash sale
        reserves the same quant, and two imports doing so at once conflict (REPEATABLE READ),
        so Odoo would retry one of them whole. Moves that bypass the reservation (a product not
        stored, a customer or supplier location) touch no quant and are assigned as usual.
        Same signature in Odoo 17.0, 18.0 and 19.0 (`addons/stock/models/stock_move.py`)."""
        if not self.env.context.get(DEFER_RESERVATION):
            return super()._action_assign(force_qty=force_qty)
        deferred = self.filtered(lambda move: not move._should_bypass_reservation())
        if deferred:
            # The integration user has no stock rights; the mark is the addon's own field.
            deferred.sudo().write({"shopify_reserve_pending": fields.Datetime.now()})
            self.env.cr.postcommit.data[RESERVATION_DEFERRED] = True
        if self - deferred:
            super(StockMove, self - deferred)._action_assign(force_qty=force_qty)
        return None

    @api.model
    def _shopify_reserve_cron(self):
        """The scheduled action: reserve what imports left to it, committing each batch."""
        self._shopify_reserve_pending(commit=True, linger=RESERVE_LINGER_SECONDS)

    @api.model
    def _shopify_reserve_pending(self, batch_size=RESERVE_BATCH, commit=False, linger=0.0):
        """Reserve the moves imports marked, oldest first, the marked moves of `batch_size`
        deliveries a transaction (committed when `commit`). A batch that conflicts with another
        transaction is rolled back and tried again in a fresh one; after RESERVE_MAX_CONFLICTS
        in a row, or RESERVE_BUDGET_SECONDS, the run stops and triggers the next. Returns the
        number of moves handled."""
        # The scheduled action reserves the deliveries of every company's Shopify orders.
        moves_model = self.sudo()
        started = time.monotonic()
        handled = conflicts = 0
        while time.monotonic() - started < RESERVE_BUDGET_SECONDS:
            moves = moves_model._shopify_next_pending(batch_size)
            if not moves:
                if not handled or time.monotonic() - started >= linger:
                    return handled
                if commit:
                    self.env.cr.commit()  # end the snapshot: the next search sees new imports
                time.sleep(RESERVE_POLL_SECONDS)
                continue
            try:
                moves._shopify_reserve_batch()
                if commit:
                    self.env.cr.commit()
            except OperationalError as error:
                if not commit or error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY:
                    raise
                self.env.cr.rollback()
                conflicts += 1
                _logger.info("Shopify reservation: batch of %d moves conflicted (%s), %s",
                             len(moves), error.pgcode, "stopping" if conflicts >=
                             RESERVE_MAX_CONFLICTS else "trying again")
                if conflicts >= RESERVE_MAX_CONFLICTS:
                    break
                time.sleep(random.uniform(0.0, 0.1 * 2 ** conflicts))
                continue
            conflicts = 0
            handled += len(moves)
        # Out of time, or conflicting, with work left: a run right after this one takes the rest.
        self._shopify_trigger_reservation()
        return handled

    def _shopify_next_pending(self, batch_size):
        """The marked moves of the `batch_size` deliveries marked first (a move without a
        delivery counts as one)."""
        oldest = self.search(PENDING, order="shopify_reserve_pending, id", limit=batch_size)
        pickings = oldest.picking_id
        if not pickings:
            return oldest
        return oldest | self.search(PENDING + [("picking_id", "in", pickings.ids)])

    def _shopify_reserve_batch(self):
        """Reserve these marked moves as Odoo's confirmation would have, picking by picking, and
        clear their mark. A move no longer waiting (validated, cancelled, reserved by hand) is
        only unmarked; one Odoo cannot reserve stays "Waiting", as after a confirmation."""
        todo = self.filtered(lambda move: move.state in ("confirmed", "partially_available"))
        by_picking = {}
        for move in todo:
            by_picking[move.picking_id] = by_picking.get(move.picking_id, self.browse()) | move
        for picking, moves in by_picking.items():
            try:
                with self.env.cr.savepoint():
                    moves.with_company(moves.company_id[:1])._action_assign()
            except (UserError, ValidationError) as error:
                # What would have failed the import at confirmation: said on the delivery.
                _logger.warning("Shopify reservation: %s not reserved: %s",
                                picking.display_name or moves.ids, error)
                if picking:
                    translate = compat.translator(self.env)
                    picking.message_post(body=translate(
                        "Odoo could not reserve this delivery after its Shopify import: "
                        "%(error)s. Use Check Availability once the cause is fixed.")
                        % {"error": str(error)})
        self.write({"shopify_reserve_pending": False})

    @api.model
    def _shopify_trigger_reservation(self):
        """Run the scheduled action as soon as a cron worker is free (after this commit)."""
        cron = self.env.ref(RESERVE_CRON, raise_if_not_found=False)
        if cron:
            # The scheduled action is the addon's; the integration user cannot read ir.cron.
            cron.sudo()._trigger()
