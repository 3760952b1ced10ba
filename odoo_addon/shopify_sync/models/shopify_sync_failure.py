"""Errors (Shopify → Errors): every sync failure a person must act on, in plain words.

One open row per thing that failed (`identity`): a record whose binding is in error (a held or
flagged order, a push Shopify refused), or a job the sidecar dead-lettered (contract method
`report_failure`, docs/contract.md "report_failure"), also when it concerns no Odoo record yet —
a Shopify order that could not be imported (an unknown SKU) is listed here with its number,
amount and customer name. Each row says what happened and what to do (lib/explain.py), when it
failed first and last and how many times.

Retry: a dead letter is re-queued through the sidecar's admin API (`POST /admin/api/unblock`),
because the failed job keeps blocking its key in the sidecar's queue — a fresh outbox event for
the same key would wait behind it. Without a dead letter (a held order, a refused push) Retry
emits the record's outbox event, as its Resync button does. A row is resolved when its record
syncs again (`_shopify_set_result`) or its order is imported.
"""
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .. import compat

from ..lib import explain
from .shopify_sidecar import SidecarNotFound

FAILURE_STATES = [
    ("open", "To fix"),
    ("retrying", "Retry queued"),
    ("resolved", "Resolved"),
]
ACTIVE_STATES = ("open", "retrying")


class ShopifySyncFailure(models.Model):
    _name = "shopify.sync.failure"
    _description = "Shopify sync error"
    _order = "last_failed_at desc, id desc"

    identity = fields.Char(
        required=True, readonly=True, index=True,
        help="What failed: record:<model>:<id>, or shopify:<GID> when Odoo has no record yet.")
    state = fields.Selection(FAILURE_STATES, required=True, default="open", readonly=True,
                             index=True, string="Status")
    category = fields.Selection(explain.CATEGORIES, string="Type", readonly=True, index=True)
    reason = fields.Text(string="What happened", readonly=True)
    fix = fields.Text(string="What to do", readonly=True)
    message = fields.Text(string="Technical detail", readonly=True)
    source = fields.Selection(
        [("odoo", "Record in error"), ("sidecar", "Stopped in the sidecar")],
        required=True, default="odoo", readonly=True, string="Where")
    res_model = fields.Char(string="Record type", readonly=True)
    res_id = fields.Integer(string="Record ID", readonly=True)
    record_name = fields.Char(string="Record", readonly=True)
    shopify_gid = fields.Char(string="Shopify ID", readonly=True, index=True)
    shopify_name = fields.Char(string="Shopify number", readonly=True)
    amount = fields.Char(string="Amount", readonly=True, help="As Shopify charged it (decimal).")
    currency = fields.Char(readonly=True)
    customer_name = fields.Char(string="Customer", readonly=True)
    queue = fields.Char(string="Sidecar queue", readonly=True)
    job_key = fields.Char(string="Sidecar key", readonly=True)
    sidecar_job_id = fields.Char(string="Sidecar job", readonly=True)
    attempts = fields.Integer(readonly=True, default=1,
                              help="Attempts the sidecar made (or failures seen), in total.")
    first_failed_at = fields.Datetime(string="First failed", readonly=True)
    last_failed_at = fields.Datetime(string="Last failed", readonly=True, index=True)
    retried_at = fields.Datetime(string="Retry queued at", readonly=True)
    resolved_at = fields.Datetime(readonly=True)
    shopify_admin_url = fields.Char(string="Open in Shopify", compute="_compute_shopify_admin_url")

    def init(self):
        # One active row per identity; resolved rows are history.
        self.env.cr.execute(SQL(
            "CREATE UNIQUE INDEX IF NOT EXISTS shopify_sync_failure_active_identity "
            "ON shopify_sync_failure (identity) WHERE state IN ('open', 'retrying')"))

    @api.depends("shopify_gid")
    def _compute_shopify_admin_url(self):
        shop = self.env["shopify.binding.mixin"]._shopify_default_shop()
        paths = {"Order": "orders", "Product": "products", "Customer": "customers"}
        for failure in self:
            parts = (failure.shopify_gid or "").split("/")
            path = paths.get(parts[3]) if len(parts) == 5 else None
            failure.shopify_admin_url = f"https://{shop}/admin/{path}/{parts[4]}" \
                if shop and path else False

    @api.depends("shopify_name", "record_name", "category")
    def _compute_display_name(self):
        labels = dict(self._fields["category"]._description_selection(self.env))
        for failure in self:
            subject = failure.record_name or (
                _("Shopify order %s", failure.shopify_name) if failure.shopify_name
                else failure.shopify_gid or failure._scheduled_job_label() or failure.identity)
            failure.display_name = f"{subject}: {labels.get(failure.category, '')}".strip(": ")

    # ------------------------------------------------------------------ writing failures
    @api.model
    def _explained(self, message):
        category, reason, fix = explain.render(message, translate=compat.translator(self.env))
        return {"category": category, "reason": reason, "fix": fix, "message": message}

    @api.model
    def _upsert(self, identity, vals, job_id=None, attempt=None):
        """The active row of `identity`, created or updated with `vals`.

        `attempts` counts failed attempts: one per new binding error (the same message written
        again is the same failure), or the attempts of the sidecar's job (`attempt`: its total
        so far; a job reported again after a Retry continues its count; another job adds).
        Written with administrator rights: callers are the integration user and any user whose
        change failed to sync — errors are the integration's bookkeeping.
        """
        now = fields.Datetime.now()
        Failure = self.sudo()  # see the docstring: bookkeeping written for any caller
        failure = Failure.search([("identity", "=", identity),
                                  ("state", "in", ACTIVE_STATES)], limit=1)
        if job_id:
            vals = dict(vals, sidecar_job_id=job_id)
        if not failure:
            return Failure.create(dict(vals, identity=identity, state="open", first_failed_at=now,
                                       last_failed_at=now, attempts=attempt or 1))
        if job_id and job_id == failure.sidecar_job_id:
            attempts = max(failure.attempts, attempt or 1)
        elif job_id:
            attempts = failure.attempts + (attempt or 1)
        else:
            repeated = failure.state == "open" and failure.message == vals.get("message")
            attempts = failure.attempts + (0 if repeated else 1)
        if attempts == failure.attempts and failure.state == "open":
            failure.write(vals)  # the same failure reported again: nothing new happened
        else:
            failure.write(dict(vals, state="open", last_failed_at=now, attempts=attempts))
        return failure

    @api.model
    def _record_error(self, record, message):
        """A record's binding went to error (held or flagged order, refused push)."""
        vals = self._explained(message or record.shopify_error or "")
        vals.update(res_model=record._name, res_id=record.id, record_name=record.display_name,
                    shopify_gid=record.shopify_gid or False)
        if record._name == "sale.order":
            vals.update(shopify_name=record.shopify_name or False,
                        customer_name=record.partner_id.commercial_partner_id.name or False,
                        amount="%.2f" % record.amount_total,
                        currency=record.currency_id.name)
        return self._upsert(f"record:{record._name}:{record.id}", vals)

    @api.model
    def _resolve(self, records=None, gids=()):
        """Resolve the active rows of `records` and of Shopify IDs `gids` (now in Odoo)."""
        domain = []
        if records:
            identities = [f"record:{r._name}:{r.id}" for r in records]
            domain = [("identity", "in", identities)]
        gids = [gid for gid in gids if gid]
        if gids:
            gid_domain = [("identity", "in", [f"shopify:{gid}" for gid in gids])]
            domain = ["|"] + domain + gid_domain if domain else gid_domain
        if not domain:
            return self.browse()
        # Same as _upsert: bookkeeping, whoever's sync succeeded.
        active = self.sudo().search(domain + [("state", "in", ACTIVE_STATES)])
        active.write({"state": "resolved", "resolved_at": fields.Datetime.now()})
        return active

    @api.model
    def _mark_retrying(self, records):
        """The records' active rows show "Retry queued" (a Resync or Re-import was asked)."""
        if not records:
            return
        identities = [f"record:{r._name}:{r.id}" for r in records]
        # Same as _upsert: bookkeeping, whoever asked for the resync.
        self.sudo().search([("identity", "in", identities), ("state", "=", "open")]).write(
            {"state": "retrying", "retried_at": fields.Datetime.now()})

    # ------------------------------------------------------------------ actions
    def _check_manager(self):
        if not self.env.user.has_group("shopify_sync.group_shopify_manager"):
            raise AccessError(_("Only Shopify managers can retry or dismiss a sync error."))

    def _scheduled_job_label(self):
        """A sidecar job about no record (go-live's catalog push, a reconciliation), by name."""
        labels = {
            "catalog.bulk": _("Go-live catalog push"),
            "catalog.reconcile": _("Catalog reconciliation"),
            "inventory.reconcile": _("Stock reconciliation"),
            "orders.pull": _("Orders pull from Shopify"),
            "reports.reconcile": _("Daily reconciliation"),
            "reports.integrity": _("Integrity check"),
            "webhooks.purge": _("Webhook payload purge"),
            "webhooks.subscriptions": _("Webhook subscriptions check"),
        }
        if self.source != "sidecar" or self.job_key or not self.queue:
            return None
        return labels.get(self.queue) or _("Sidecar job %s", self.queue)

    def _sidecar_job(self):
        """How the sidecar names this failure's dead letter: its key, or its job id without one."""
        if self.source != "sidecar" or not self.queue:
            return None
        if self.job_key:
            return {"queue": self.queue, "key": self.job_key}
        if self.sidecar_job_id:
            return {"queue": self.queue, "job_id": self.sidecar_job_id}
        return None

    def _record(self):
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env:
            return None
        return self.env[self.res_model].browse(self.res_id).exists() or None

    def action_retry(self):
        """Queue the failed work again and say what was queued."""
        self._check_manager()
        done = []
        for failure in self:
            done.append(failure._retry_one())
        # Managers retry any row; the state is bookkeeping (the ACL gives them read only).
        self.sudo().write({"state": "retrying", "retried_at": fields.Datetime.now()})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": _("Retry queued"), "message": "\n".join(done),
                       "type": "success", "sticky": False,
                       "next": {"type": "ir.actions.client", "tag": "soft_reload"}},
        }

    def _retry_one(self):
        subject = self.display_name
        job = self._sidecar_job()
        if job:
            try:
                answer = self.env["shopify.sidecar"]._call(
                    "POST", "/api/unblock", dict(job, action="retry"), accept_404=True)
                count = len(answer.get("results") or [])
                return _("%(subject)s: the sidecar runs the failed job again (%(count)s "
                         "dead letter(s) re-queued).", subject=subject, count=count)
            except SidecarNotFound:
                pass  # nothing left in the sidecar's dead letters: queue it afresh below
        record = self._record()
        if record is not None and hasattr(record, "action_shopify_resync"):
            # The manager may retry records of any salesperson or company.
            record.sudo().action_shopify_resync()
            return _("%(subject)s: queued for the sidecar again.", subject=subject)
        if self.shopify_gid and self.shopify_gid.startswith("gid://shopify/Order/"):
            self.env["shopify.sync.event"].with_context(shopify_sync_origin=False)._emit(
                "order.reimport", self, f"order:{self.shopify_gid}",
                {"order_gid": self.shopify_gid})
            return _("%(subject)s: re-import from Shopify queued.", subject=subject)
        raise UserError(_("%(subject)s: there is nothing to retry; dismiss it once handled.",
                          subject=subject))

    def action_dismiss(self):
        """Mark handled. A dead letter is discarded in the sidecar too (it frees its key)."""
        self._check_manager()
        for failure in self.filtered(lambda f: f._sidecar_job()):
            try:
                self.env["shopify.sidecar"]._call(
                    "POST", "/api/unblock", dict(failure._sidecar_job(), action="discard"),
                    accept_404=True)
            except SidecarNotFound:
                pass  # already gone from the sidecar
        # Managers may dismiss any row; see action_retry.
        self.sudo().write({"state": "resolved", "resolved_at": fields.Datetime.now()})
        return True

    def action_open_record(self):
        record = self._record()
        if record is None:
            raise UserError(_("This error concerns no Odoo record (yet)."))
        return {"type": "ir.actions.act_window", "res_model": record._name,
                "res_id": record.id, "view_mode": "form", "target": "current"}
