"""Shopify → Overview: one record (`overview_main`), whose figures are computed each time it is
read, so the screen is right whenever it is opened — from the menu, a breadcrumb or a reload.

It shows the connection (the sidecar's last contact and the result of Test connection, the
contract, the Shopify API version and the end of its support, the webhook subscriptions and
when each topic last arrived), the backlog and dead letters per sidecar queue with their oldest
age, the errors by type, the outbox, the sync state of every record type, the sidecar's alerts
and its latest reconciliation and integrity reports. What only the sidecar knows comes from its
status snapshot (`report_status`, or Test connection), stored on the record with its time.

(An earlier Overview was a new transient record per visit: the web client's first `onchange`
returns a new record's computed fields as 0 and empty, so it showed nothing.)
"""
import json

from markupsafe import Markup

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..lib import contract, timestamps
from .shopify_sync_api_operations import HEALTH_PARAM, REPORT_KINDS, REPORT_PARAM
from .shopify_sync_api_status import validate_status
from .shopify_sync_status import RECORD_TYPES

TABLE = "<table class='table table-sm table-borderless o_shopify_table mb-0'>"


def _table(head, rows, empty):
    """An HTML table (cells already escaped or Markup), or a muted line when empty."""
    if not rows:
        return Markup("<p class='text-muted mb-0'>%s</p>") % empty
    cells = Markup("").join(Markup("<th>%s</th>") % h for h in head)
    body = Markup("").join(
        Markup("<tr>%s</tr>") % Markup("").join(Markup("<td>%s</td>") % c for c in row)
        for row in rows)
    return Markup(TABLE) + Markup("<thead><tr>%s</tr></thead><tbody>%s</tbody></table>") % (
        cells, body)


def _badge(text, tone):
    return Markup("<span class='badge rounded-pill text-bg-%s'>%s</span>") % (tone, text)


class ShopifySyncOverview(models.Model):
    _name = "shopify.sync.overview"
    _description = "Shopify sync overview"

    name = fields.Char(default="Shopify", required=True)
    sidecar_status = fields.Json(readonly=True, help="The sidecar's latest status snapshot.")
    sidecar_status_at = fields.Datetime(string="Sidecar status received", readonly=True)
    connection_state = fields.Selection(
        [("ok", "Connected"), ("failed", "Not connected")], readonly=True,
        string="Test connection")
    connection_checked_at = fields.Datetime(string="Tested at", readonly=True)
    connection_message = fields.Char(string="Test result", readonly=True)

    pending_events = fields.Integer(string="Changes waiting", compute="_compute_overview")
    leased_events = fields.Integer(string="Changes being handed over",
                                   compute="_compute_overview")
    oldest_pending_event = fields.Datetime(string="Oldest waiting change",
                                           compute="_compute_overview")
    last_sidecar_contact = fields.Datetime(string="Sidecar last seen",
                                           compute="_compute_overview")
    sidecar_version = fields.Char(string="Sidecar version", compute="_compute_overview")
    error_count = fields.Integer(string="Errors to fix", compute="_compute_overview")
    held_order_count = fields.Integer(string="Held or flagged orders",
                                      compute="_compute_overview")
    summary_html = fields.Html(string="Sync state by record type", compute="_compute_overview",
                               sanitize=False)
    errors_html = fields.Html(string="Errors by type", compute="_compute_overview",
                              sanitize=False)
    report_html = fields.Html(compute="_compute_report_html", sanitize=False,
                              string="Latest reports")
    sidecar_alert_count = fields.Integer(string="Active alerts",
                                         compute="_compute_sidecar_health")
    sidecar_dlq_depth = fields.Integer(string="Dead letters", compute="_compute_sidecar_health")
    sidecar_health_checked_at = fields.Datetime(string="Alerts checked at",
                                                compute="_compute_sidecar_health")
    sidecar_alerts_html = fields.Html(compute="_compute_sidecar_health", sanitize=False)
    connection_html = fields.Html(string="Connection", compute="_compute_status_html",
                                  sanitize=False)
    webhooks_html = fields.Html(string="Webhooks", compute="_compute_status_html",
                                sanitize=False)
    backlog_html = fields.Html(string="Backlog and dead letters",
                               compute="_compute_status_html", sanitize=False)

    # ------------------------------------------------------------------ Odoo's own figures
    def _compute_overview(self):
        # The overview counts every record and event: Shopify users may not read the other
        # users' records (and events are manager-deletable only).
        Status = self.env["shopify.sync.status"].sudo()
        # Same: the counts cover events of every user's changes.
        Event = self.env["shopify.sync.event"].sudo()
        # Same: errors of every user's records.
        Failure = self.env["shopify.sync.failure"].sudo()
        # The last contact and the sidecar's version are system parameters.
        params = self.env["ir.config_parameter"].sudo()
        summary = self._summary_table(Status._counts())
        by_category = Failure._read_group([("state", "in", ("open", "retrying"))],
                                          ["category"], ["__count"])
        oldest = Event.search([("state", "=", "pending")], order="id asc", limit=1)
        last = params.get_param("shopify_sync.last_contact_at")
        # Same as the status counts: orders of every salesperson.
        held = self.env["sale.order"].sudo().search_count([("shopify_hold", "!=", False)])
        for overview in self:
            overview.summary_html = summary
            overview.errors_html = self._errors_table(by_category)
            overview.pending_events = Event.search_count([("state", "=", "pending")])
            overview.leased_events = Event.search_count([("state", "=", "leased")])
            overview.oldest_pending_event = oldest.created_at or False
            overview.last_sidecar_contact = fields.Datetime.to_datetime(last) if last else False
            overview.sidecar_version = params.get_param(
                "shopify_sync.last_sidecar_version") or False
            overview.error_count = sum(count for _category, count in by_category)
            overview.held_order_count = held

    def _summary_table(self, counts):
        states = self.env["shopify.sync.status"]._fields["state"]._description_selection(
            self.env)
        rows = []
        for model, label in RECORD_TYPES:
            by_state = counts.get(model, {})
            rows.append([_(label)] + [by_state.get(state, 0) for state, _label in states])
        return _table([_("Record type")] + [label for _state, label in states], rows, "")

    def _errors_table(self, by_category):
        labels = dict(self.env["shopify.sync.failure"]._fields["category"]
                      ._description_selection(self.env))
        rows = [[labels.get(category, category or _("Other")), count]
                for category, count in sorted(by_category, key=lambda row: -row[1])]
        return _table([_("Type"), _("Errors")], rows, _("No errors to fix."))

    def _compute_report_html(self):
        # The sidecar's reports are stored as system parameters (store_report).
        params = self.env["ir.config_parameter"].sudo()
        rows = []
        for kind in sorted(REPORT_KINDS):
            raw = params.get_param(REPORT_PARAM % kind)
            try:
                value = json.loads(raw) if raw else None
            except ValueError:
                value = None
            title = _("Reconciliation") if kind == "reconciliation" else _("Integrity check")
            if not value:
                rows.append([title, _("never run"), ""])
                continue
            rows.append([title, value.get("created_at", ""),
                         (value.get("summary") or {}).get("headline", "")])
        for overview in self:
            overview.report_html = _table([_("Report"), _("Stored at"), _("Result")], rows, "")

    def _compute_sidecar_health(self):
        # The sidecar's health report is stored as a system parameter (report_health).
        stored = self.env["ir.config_parameter"].sudo().get_param(HEALTH_PARAM)
        report = json.loads(stored) if stored else None
        for overview in self:
            if not report:
                overview.sidecar_alert_count = 0
                overview.sidecar_dlq_depth = 0
                overview.sidecar_health_checked_at = False
                overview.sidecar_alerts_html = Markup(
                    "<p class='text-muted'>%s</p>") % _("No health report from the sidecar yet.")
                continue
            alerts = report.get("alerts") or []
            overview.sidecar_alert_count = len(alerts)
            overview.sidecar_dlq_depth = report.get("dlq_depth") or 0
            overview.sidecar_health_checked_at = timestamps.parse_iso(
                report["checked_at"]) or False
            if alerts:
                items = Markup("").join(Markup("<li>%s</li>") % a["summary"] for a in alerts)
                overview.sidecar_alerts_html = Markup(
                    "<div class='alert alert-danger' role='alert'><strong>%s</strong>"
                    "<ul class='mb-0'>%s</ul></div>") % (_("Sidecar alerts"), items)
            else:
                overview.sidecar_alerts_html = Markup(
                    "<div class='alert alert-success' role='status'>%s</div>") % _(
                    "No active sidecar alerts.")

    # ------------------------------------------------------------------ the sidecar's snapshot
    def _compute_status_html(self):
        now = fields.Datetime.now()
        for overview in self:
            status = overview.sidecar_status or {}
            overview.connection_html = overview._connection_table(status, now)
            overview.webhooks_html = overview._webhooks_table(status, now)
            overview.backlog_html = overview._backlog_table(status, now)

    def _connection_table(self, status, now):
        rows = []
        # The last contact is a system parameter.
        last = self.env["ir.config_parameter"].sudo().get_param("shopify_sync.last_contact_at")
        seen = fields.Datetime.to_datetime(last) if last else None
        recent = seen and (now - seen).total_seconds() < 600
        rows.append([_("Sidecar"), _badge(_("seen") if recent else _("silent"),
                                          "success" if recent else "danger"),
                     _("last contact %s ago", timestamps.age_text(now, seen)) if seen
                     else _("never")])
        if self.connection_checked_at:
            rows.append([_("Test connection"),
                         _badge(dict(self._fields["connection_state"]._description_selection(
                             self.env)).get(self.connection_state, ""),
                             "success" if self.connection_state == "ok" else "danger"),
                         self.connection_message or ""])
        if status:
            spoken = status.get("contract_version")
            ok = contract.compatible(contract.CONTRACT_VERSION, spoken)
            rows.append([_("Contract"), _badge(_("compatible") if ok else _("incompatible"),
                                               "success" if ok else "danger"),
                         _("Odoo speaks %(odoo)s, the sidecar %(sidecar)s (version %(version)s)",
                           odoo=contract.CONTRACT_VERSION, sidecar=spoken,
                           version=status.get("sidecar_version"))])
            rows.append(self._api_row(status.get("shopify") or {}, now))
            rows.append([_("Status received"), "", _("%s ago", timestamps.age_text(
                now, self.sidecar_status_at)) if self.sidecar_status_at else ""])
        return _table([_("Check"), _("State"), _("Detail")], rows, "")

    def _api_row(self, shopify, now):
        version = shopify.get("api_version") or "?"
        until = timestamps.parse_iso(shopify.get("supported_until"))
        days = (until - now).days if until else None
        tone = "success" if days is None or days > 90 else ("warning" if days > 0 else "danger")
        detail = _("supported until %(date)s (%(days)s days)", date=until.date().isoformat(),
                   days=days) if until else _("end of support unknown")
        notices = shopify.get("deprecation_notices") or 0
        if notices:
            detail += " · " + _("%s deprecated field uses since start", notices)
        return [_("Shopify API"), _badge(version, tone), detail]

    def _webhooks_table(self, status, now):
        hooks = status.get("webhooks") or {}
        if not status:
            return _table([], [], _("No status from the sidecar yet: click Test connection."))
        missing = hooks.get("missing") or []
        head = _("%(subscribed)s of %(required)s topics subscribed", subscribed=hooks.get(
            "subscribed", 0), required=hooks.get("required", 0))
        if missing:
            head += " · " + _("missing: %s", ", ".join(missing))
        rows = []
        for topic in hooks.get("topics") or []:
            at = timestamps.parse_iso(topic.get("last_received_at"))
            rows.append([topic.get("topic", "?"),
                         _("%s ago", timestamps.age_text(now, at)) if at else _("never"),
                         topic.get("count_24h", 0)])
        tone = "danger" if missing else "success"
        return Markup("<p class='mb-1'>%s</p>") % _badge(head, tone) + _table(
            [_("Topic"), _("Last delivery"), _("Last 24 h")], rows,
            _("No webhook delivered yet."))

    def _backlog_table(self, status, now):
        rows = []
        for row in status.get("queues") or []:
            waiting_at = timestamps.parse_iso(row.get("oldest_waiting_at"))
            dead_at = timestamps.parse_iso(row.get("oldest_dead_letter_at"))
            dead = row.get("dead_letters", 0)
            rows.append([
                row.get("queue"), row.get("waiting", 0),
                timestamps.age_text(now, waiting_at) if waiting_at else "–",
                _badge(dead, "danger") if dead else 0,
                timestamps.age_text(now, dead_at) if dead_at else "–"])
        return _table([_("Queue"), _("Waiting"), _("Oldest waiting"), _("Dead letters"),
                       _("Oldest dead letter")], rows,
                      _("No status from the sidecar yet: click Test connection."))

    # ------------------------------------------------------------------ writing and actions
    def _main(self):
        # The one overview record (recreated if someone deleted it), written by the integration
        # user and by Test connection: users may only read it.
        main = self.env.ref("shopify_sync.overview_main", raise_if_not_found=False)
        return main.sudo() if main else self.sudo().create({})  # same reason

    def _store_status(self, document):
        # Written by the integration user (report_status) and by Test connection.
        self._main().write({"sidecar_status": document,
                            "sidecar_status_at": fields.Datetime.now()})

    def action_test_connection(self):
        """Ask the sidecar for its status now (admin API), store it and say what was found."""
        try:
            status = validate_status(self.env["shopify.sidecar"]._call("GET", "/api/status"))
        except UserError as exc:
            message, ok = str(exc), False
        else:
            self._store_status(status)
            spoken = status.get("contract_version")
            ok = contract.compatible(contract.CONTRACT_VERSION, spoken)
            message = _("Sidecar %(version)s answered; contract %(contract)s%(verdict)s; "
                        "Shopify API %(api)s.", version=status.get("sidecar_version"),
                        contract=spoken, api=(status.get("shopify") or {}).get("api_version"),
                        verdict="" if ok else _(" (incompatible with Odoo's %s)",
                                                contract.CONTRACT_VERSION))
        self._main().write({"connection_state": "ok" if ok else "failed",
                            "connection_checked_at": fields.Datetime.now(),
                            "connection_message": message})
        return {
            "type": "ir.actions.client", "tag": "display_notification",
            "params": {"title": _("Test connection"), "message": message,
                       "type": "success" if ok else "danger", "sticky": not ok,
                       "next": {"type": "ir.actions.client", "tag": "soft_reload"}},
        }

    def _open(self, xmlid, context=None):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        if context:
            action["context"] = context
        return action

    def action_open_errors(self):
        return self._open("shopify_sync.action_shopify_sync_failure")

    def action_open_events(self):
        return self._open("shopify_sync.action_shopify_sync_event")

    def action_open_status(self):
        return self._open("shopify_sync.action_shopify_sync_status")

    def action_open_held_orders(self):
        return self._open("shopify_sync.action_shopify_held_orders")

    def action_open_category(self):
        return self._open("shopify_sync.action_shopify_sync_failure",
                          {"search_default_group_category": 1})
