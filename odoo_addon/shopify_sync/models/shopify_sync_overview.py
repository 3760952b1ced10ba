"""Overview screen: counts by state per record type, outbox lag, last sidecar contact, the
sidecar's latest reports (store_report) and its active alerts (report_health)."""
import json

from markupsafe import Markup, escape

from odoo import fields, models

from ..lib import timestamps
from .shopify_sync_api_operations import HEALTH_PARAM, REPORT_KINDS, REPORT_PARAM
from .shopify_sync_status import RECORD_TYPES


class ShopifySyncOverview(models.TransientModel):
    _name = "shopify.sync.overview"
    _description = "Shopify sync overview"

    summary_html = fields.Html(compute="_compute_overview", sanitize=False)
    pending_events = fields.Integer(compute="_compute_overview")
    leased_events = fields.Integer(compute="_compute_overview")
    oldest_pending_event = fields.Datetime(compute="_compute_overview")
    last_sidecar_contact = fields.Datetime(compute="_compute_overview")
    sidecar_version = fields.Char(compute="_compute_overview")
    error_count = fields.Integer(compute="_compute_overview")
    report_html = fields.Html(compute="_compute_report_html", sanitize=False,
                              string="Latest reports")
    sidecar_alert_count = fields.Integer(compute="_compute_sidecar_health")
    sidecar_dlq_depth = fields.Integer(compute="_compute_sidecar_health")
    sidecar_health_checked_at = fields.Datetime(compute="_compute_sidecar_health")
    sidecar_alerts_html = fields.Html(compute="_compute_sidecar_health", sanitize=False)

    def _compute_overview(self):
        # The overview shows counts over every record and event: Shopify users may not
        # read the other users' records (and events are manager-deletable only).
        Status = self.env["shopify.sync.status"].sudo()
        # Same: the counts cover events of every user's changes.
        Event = self.env["shopify.sync.event"].sudo()
        # The last contact and the sidecar's version are system parameters.
        params = self.env["ir.config_parameter"].sudo()
        counts = Status._counts()
        states = ["pending", "synced", "error", "ignored"]
        rows = []
        for model, label in RECORD_TYPES:
            by_state = counts.get(model, {})
            cells = "".join(f"<td>{by_state.get(state, 0)}</td>" for state in states)
            rows.append(f"<tr><td>{escape(label)}</td>{cells}</tr>")
        head = "".join(f"<th>{state.title()}</th>" for state in states)
        html = Markup(
            "<table class='table table-sm'><thead><tr><th>Record type</th>"
            + head + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
        oldest = Event.search([("state", "=", "pending")], order="id asc", limit=1)
        last = params.get_param("shopify_sync.last_contact_at")
        for overview in self:
            overview.summary_html = html
            overview.pending_events = Event.search_count([("state", "=", "pending")])
            overview.leased_events = Event.search_count([("state", "=", "leased")])
            overview.oldest_pending_event = oldest.created_at or False
            overview.last_sidecar_contact = fields.Datetime.to_datetime(last) if last else False
            overview.sidecar_version = params.get_param(
                "shopify_sync.last_sidecar_version") or False
            overview.error_count = Status.search_count([("state", "=", "error")])

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
            if not value:
                rows.append(Markup("<tr><td>%s</td><td colspan='2'>never run</td></tr>")
                            % kind.title())
                continue
            rows.append(Markup("<tr><td>%s</td><td>%s</td><td>%s</td></tr>") % (
                kind.title(), value.get("created_at", ""),
                (value.get("summary") or {}).get("headline", "")))
        html = Markup("<table class='table table-sm'><thead><tr><th>Report</th><th>Stored at"
                      "</th><th>Result</th></tr></thead><tbody>") + Markup("").join(rows) + \
            Markup("</tbody></table>")
        for overview in self:
            overview.report_html = html

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
                    "<p class='text-muted'>No health report from the sidecar yet.</p>")
                continue
            alerts = report.get("alerts") or []
            overview.sidecar_alert_count = len(alerts)
            overview.sidecar_dlq_depth = report.get("dlq_depth") or 0
            overview.sidecar_health_checked_at = timestamps.parse_iso(
                report["checked_at"]) or False
            if alerts:
                items = "".join(f"<li>{escape(a['summary'])}</li>" for a in alerts)
                overview.sidecar_alerts_html = Markup(
                    "<div class='alert alert-danger' role='alert'><strong>Sidecar alerts"
                    "</strong><ul>" + items + "</ul></div>")
            else:
                overview.sidecar_alerts_html = Markup(
                    "<div class='alert alert-success' role='status'>"
                    "No active sidecar alerts.</div>")

    def action_open_errors(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "shopify_sync.action_shopify_sync_status_errors")

    def action_open_events(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "shopify_sync.action_shopify_sync_event")
