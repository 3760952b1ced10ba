"""Transactional outbox: one row per change the sidecar must push to Shopify.

Rows are inserted in the same transaction as the business change (so a rollback drops
them too); after commit the sidecar is woken without blocking the user (a post-commit
ping in a daemon thread, plus the cron trigger as a fallback). The sidecar leases rows
with `pull_events` and acknowledges them with `ack_events` (at-least-once delivery).
"""
import hashlib
import hmac
import json
import logging
import threading
import uuid
from datetime import timedelta

import requests

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

EVENT_TYPES = [
    ("product.changed", "Product changed"),
    ("stock.changed", "Stock changed"),
    ("customer.changed", "Customer changed"),
    ("customer.erased", "Customer erased"),
    ("delivery.done", "Delivery done"),
    ("return.done", "Return done"),
    ("credit_note.posted", "Credit note posted"),
    ("order.reimport", "Order re-import requested"),
]

# Event types coalesced while pending: one pending row per key is enough, because the
# sidecar always re-reads the current state from Odoo when it handles the event.
COALESCED_TYPES = {"product.changed", "stock.changed", "customer.changed", "order.reimport"}

WAKE_TIMEOUT_SECONDS = 0.5


class ShopifySyncEvent(models.Model):
    _name = "shopify.sync.event"
    _description = "Shopify outbox event"
    _order = "id desc"
    _rec_name = "uuid"

    uuid = fields.Char(required=True, readonly=True, index=True, copy=False,
                       default=lambda self: str(uuid.uuid4()))
    type = fields.Selection(EVENT_TYPES, required=True, readonly=True, index=True)
    model = fields.Char(required=True, readonly=True)
    res_id = fields.Integer(required=True, readonly=True)
    key = fields.Char(required=True, readonly=True, index=True,
                      help="Per-entity ordering key used by the sidecar's queue.")
    payload = fields.Json(readonly=True)
    # Plain words: an event is only the request "push this record"; whether the push worked
    # is its outcome, read from the record's Shopify status.
    state = fields.Selection(
        [("pending", "Waiting for the sidecar"), ("leased", "Picked up by the sidecar"),
         ("done", "Handed over")],
        required=True, default="pending", index=True, readonly=True)
    outcome = fields.Selection(
        [("waiting", "Waiting"), ("in_progress", "In progress"), ("synced", "Synced"),
         ("failed", "Failed"), ("unknown", "No status")],
        compute="_compute_outcome", string="Outcome",
        help="What became of the change: the Shopify status of the record the event is about.")
    outcome_message = fields.Char(compute="_compute_outcome", string="Outcome detail")
    record_name = fields.Char(compute="_compute_outcome", string="Record")
    attempts = fields.Integer(default=0, readonly=True)
    lease_until = fields.Datetime(readonly=True)
    acked_at = fields.Datetime(readonly=True)
    created_at = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True,
                                 index=True)
    payload_text = fields.Text(compute="_compute_payload_text", string="Payload (JSON)")

    _sql_constraints = [("uuid_uniq", "unique(uuid)", "Event UUIDs are unique.")]

    def _compute_outcome(self):
        for event in self:
            record = event._record()
            event.record_name = record.display_name if record else False
            binding = record if record and "shopify_state" in record._fields else None
            if record and record._name == "product.product":
                binding = record.product_tmpl_id
            event.outcome, event.outcome_message = event._outcome_of(binding)

    def _record(self):
        if self.model not in self.env:
            return None
        # The event list shows every user's records by name; names only, no other field.
        return self.env[self.model].sudo().with_context(active_test=False).browse(
            self.res_id).exists() or None

    def _outcome_of(self, binding):
        if self.state != "done":
            return ("waiting", False) if self.state == "pending" else ("in_progress", False)
        if binding is None or not binding.shopify_state:
            return "unknown", False
        if binding.shopify_state == "error":
            return "failed", binding.shopify_error_reason or binding.shopify_error
        if binding.shopify_state == "synced":
            return "synced", False
        return "in_progress", False

    def _compute_payload_text(self):
        for event in self:
            event.payload_text = json.dumps(event.payload or {}, indent=2, sort_keys=True)

    @api.model
    def _emit(self, event_type, record, key, payload=None, force=False):
        """Write one outbox row in the current transaction, unless suppressed.

        Suppressed when the change comes from the sidecar itself (context
        `shopify_sync_origin`), which is what keeps bidirectional sync loop-free.
        A coalesced type reuses the pending row this transaction already wrote for the same
        type and key; rows of other transactions are collapsed when the sidecar leases them
        (`_lease`), never here: a row another transaction wrote may be leased, and its
        change read by the sidecar, while this transaction is still running, so a change
        absorbed into it would never reach Shopify (docs/contract.md, "OutboxEvent").
        """
        if self.env.context.get("shopify_sync_origin") and not force:
            return self.browse()
        # Any user's change writes its outbox row, but only managers and the sidecar may
        # write events directly (security/ir.model.access.csv).
        Event = self.sudo()
        written = self.env.cr.postcommit.data.setdefault("shopify_sync.pending_rows", {})
        if event_type in COALESCED_TYPES:
            # exists(): a savepoint rolled back since may have dropped the row.
            existing = Event.browse(written.get((event_type, key))).exists()
            if existing.state == "pending":
                return existing
        event = Event.create({
            "type": event_type,
            "model": record._name,
            "res_id": record.id,
            "key": key,
            "payload": payload or {},
        })
        if event_type in COALESCED_TYPES:
            written[(event_type, key)] = event.id
        self._schedule_wake()
        return event

    @api.model
    def _schedule_wake(self):
        """After commit: ping the sidecar (non-blocking) and trigger the fallback cron.

        Registered once per transaction. A rollback drops the callbacks, so the sidecar
        is never woken for a change that did not happen.
        """
        data = self.env.cr.postcommit.data
        if data.get("shopify_sync.wake"):
            return
        data["shopify_sync.wake"] = True
        # Reading the sidecar's URL and secret is system-only; any user's change may wake it.
        params = self.env["ir.config_parameter"].sudo()
        url = params.get_param("shopify_sync.sidecar_url")
        secret = params.get_param("shopify_sync.shared_secret") or ""
        dbname = self.env.cr.dbname
        if url:
            self.env.cr.postcommit.add(lambda: _wake_sidecar_async(url, secret, dbname))
        cron = self.env.ref("shopify_sync.ir_cron_shopify_outbox_housekeeping",
                            raise_if_not_found=False)
        if cron:
            # Triggering a cron writes ir.cron.trigger, which only administrators may do.
            cron.sudo()._trigger()

    # -- leasing (used by shopify.sync.api) -------------------------------------------------
    @api.model
    def _lease(self, limit, lease_seconds):
        """Lease up to `limit` pending (or expired-lease) events, oldest first.

        FOR UPDATE SKIP LOCKED lets several sidecar replicas pull concurrently without
        handing the same event to two of them in one lease period. Of a coalesced type, one
        event per key is leased; the other pending rows of that type and key are marked done
        (`_absorb_duplicates`): the sidecar re-reads the current state after this lease
        commits, which covers their changes. Absorbed rows do not count against `limit`: the
        page is filled with further events while there are any, because the sidecar reads a
        page shorter than its limit as "nothing more is waiting".
        """
        self.flush_model()
        now = fields.Datetime.now()
        ids, kept, duplicates, after = [], set(), [], 0
        while len(ids) < limit:
            rows = self._due_rows(now, after, limit - len(ids))
            if not rows:
                break
            for event_id, event_type, key in rows:
                after = event_id
                if event_type in COALESCED_TYPES:
                    if (event_type, key) in kept:
                        duplicates.append(event_id)
                        continue
                    kept.add((event_type, key))
                ids.append(event_id)
        events = self.browse(ids)
        if events:
            self.env.cr.execute(SQL(
                """
                UPDATE shopify_sync_event
                   SET state = 'leased', lease_until = %s, attempts = attempts + 1
                 WHERE id = ANY(%s)
                """, now + timedelta(seconds=lease_seconds), ids))
            self._absorb_duplicates(kept, ids, duplicates, now)
            events.invalidate_recordset(["state", "lease_until", "attempts"])
        return events

    @api.model
    def _due_rows(self, now, after, count):
        """(id, type, key) of the next `count` events due after id `after`, locked."""
        self.env.cr.execute(SQL(
            """
            SELECT id, type, key FROM shopify_sync_event
             WHERE (state = 'pending' OR (state = 'leased' AND lease_until < %s))
               AND id > %s
             ORDER BY id
             LIMIT %s
             FOR UPDATE SKIP LOCKED
            """, now, after, count))
        return self.env.cr.fetchall()

    @api.model
    def _absorb_duplicates(self, kept, leased_ids, duplicates, now):
        """Mark done the pending rows of the (type, key) pairs just leased, other than the
        leased ones: those on this page (`duplicates`) and those beyond it."""
        if kept:
            pairs = SQL(", ").join(SQL("(%s, %s)", event_type, key) for event_type, key in kept)
            self.env.cr.execute(SQL(
                """
                SELECT id FROM shopify_sync_event
                 WHERE state = 'pending' AND (type, key) IN (%s) AND NOT id = ANY(%s)
                 FOR UPDATE SKIP LOCKED
                """, pairs, leased_ids))
            duplicates = duplicates + [row[0] for row in self.env.cr.fetchall()]
        if duplicates:
            self.env.cr.execute(SQL(
                """
                UPDATE shopify_sync_event
                   SET state = 'done', acked_at = %s, lease_until = NULL
                 WHERE id = ANY(%s)
                """, now, duplicates))
            self.browse(duplicates).invalidate_recordset(["state", "acked_at", "lease_until"])

    def _to_document(self):
        self.ensure_one()
        return {
            "uuid": self.uuid,
            "type": self.type,
            "model": self.model,
            "res_id": self.res_id,
            "key": self.key,
            "payload": self.payload or {},
            "created_at": fields.Datetime.to_string(self.created_at).replace(" ", "T") + "Z",
            "attempts": self.attempts,
        }

    @api.model
    def _cron_housekeeping(self):
        """Drop acknowledged events older than 7 days; wake the sidecar if events wait."""
        limit = fields.Datetime.now() - timedelta(days=7)
        # The cron's user need not be a Shopify manager (the only ones who may delete events).
        self.sudo().search([("state", "=", "done"), ("acked_at", "<", limit)]).unlink()
        # Counting events needs Shopify rights the cron's user may lack.
        if self.sudo().search_count([("state", "=", "pending")]):
            # The sidecar's URL and secret are system parameters.
            params = self.env["ir.config_parameter"].sudo()
            url = params.get_param("shopify_sync.sidecar_url")
            if url:
                _wake_sidecar(url, params.get_param("shopify_sync.shared_secret") or "",
                              self.env.cr.dbname)

    def action_requeue(self):
        """Put events back to pending (manager action on the Sync events list)."""
        self.write({"state": "pending", "lease_until": False})


def _wake_body(dbname):
    return json.dumps({"type": "outbox.wake", "db": dbname}, separators=(",", ":")).encode()


def _wake_signature(secret, body):
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _wake_sidecar(url, secret, dbname):
    """POST <sidecar>/odoo/wake, signed with the shared secret. Never raises."""
    body = _wake_body(dbname)
    try:
        requests.post(
            url.rstrip("/") + "/odoo/wake",
            data=body,
            headers={"Content-Type": "application/json",
                     "X-Shopify-Sync-Signature": _wake_signature(secret, body)},
            timeout=WAKE_TIMEOUT_SECONDS,
        )
        return True
    except Exception as exc:  # the sidecar also polls: a failed ping only delays it
        _logger.info("shopify_sync: sidecar wake-up failed (%s); it will poll", exc)
        return False


def _wake_sidecar_async(url, secret, dbname):
    """Run the ping in a daemon thread so the user's request never waits on the network."""
    thread = threading.Thread(target=_wake_sidecar, args=(url, secret, dbname), daemon=True,
                              name="shopify-sync-wake")
    thread.start()
    return thread
