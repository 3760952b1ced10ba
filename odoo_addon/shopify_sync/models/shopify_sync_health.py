"""Sidecar health on Odoo's Shopify overview (contract 1.x extension `report_health`).

The sidecar evaluates its alerts every minute (sidecar/observability/alerts.ts: a dead-letter
queue above its threshold, a webhook topic silent too long) and reports the active ones here,
so the merchant sees them in Shopify → Overview even without access to the sidecar's
dashboard. Stored as one JSON ir.config_parameter: the report is small and replaced whole.
Writes are skipped while nothing but `checked_at` changed and the stored report is younger
than HEALTH_REFRESH (a write to ir.config_parameter clears Odoo's caches in every worker).
"""
import json
from datetime import datetime, timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import ValidationError

HEALTH_PARAM = "shopify_sync.sidecar_health"
HEALTH_REFRESH = timedelta(minutes=10)
MAX_ALERTS = 100


def _parse_checked_at(value):
    """An ISO 8601 timestamp as a naive UTC datetime (Odoo's convention), or None."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = (parsed - parsed.utcoffset()).replace(tzinfo=None)
    return parsed


def validate_health(document):
    """The report's shape (methods.schema.json report_health_params); returns it normalised."""
    if set(document) - {"alerts", "dlq_depth", "checked_at"}:
        raise ValidationError("report_health: unknown fields %s"
                              % sorted(set(document) - {"alerts", "dlq_depth", "checked_at"}))
    alerts = document.get("alerts")
    depth = document.get("dlq_depth")
    checked = document.get("checked_at")
    if not isinstance(alerts, list) or len(alerts) > MAX_ALERTS:
        raise ValidationError(f"report_health: alerts must be a list of at most {MAX_ALERTS}")
    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 0:
        raise ValidationError("report_health: dlq_depth must be a non-negative integer")
    if not isinstance(checked, str) or _parse_checked_at(checked) is None:
        raise ValidationError("report_health: checked_at must be an ISO 8601 timestamp")
    clean = []
    for alert in alerts:
        if not isinstance(alert, dict) or not isinstance(alert.get("key"), str) \
                or not isinstance(alert.get("summary"), str):
            raise ValidationError("report_health: each alert needs a key and a summary")
        since = alert.get("since")
        if since is not None and (not isinstance(since, str) or _parse_checked_at(since) is None):
            raise ValidationError("report_health: an alert's since must be an ISO 8601 timestamp")
        clean.append({"key": alert["key"][:200], "summary": alert["summary"][:500],
                      "since": since})
    return {"alerts": clean, "dlq_depth": depth, "checked_at": checked}


class ShopifySyncApiHealth(models.AbstractModel):
    _inherit = "shopify.sync.api"

    @api.model
    def report_health(self, document):
        self = self._begin(document)
        report = validate_health(document)
        params = self.env["ir.config_parameter"].sudo()
        stored = params.get_param(HEALTH_PARAM)
        previous = json.loads(stored) if stored else None
        same = previous is not None and \
            {k: v for k, v in previous.items() if k != "checked_at"} == \
            {k: v for k, v in report.items() if k != "checked_at"}
        previous_at = _parse_checked_at(previous["checked_at"]) if previous else None
        if not same or previous_at is None or \
                _parse_checked_at(report["checked_at"]) - previous_at >= HEALTH_REFRESH:
            params.set_param(HEALTH_PARAM, json.dumps(report, sort_keys=True))
        self._record_contact()
        return {"ok": True}


class ShopifySyncOverviewHealth(models.TransientModel):
    _inherit = "shopify.sync.overview"

    sidecar_alert_count = fields.Integer(compute="_compute_sidecar_health")
    sidecar_dlq_depth = fields.Integer(compute="_compute_sidecar_health")
    sidecar_health_checked_at = fields.Datetime(compute="_compute_sidecar_health")
    sidecar_alerts_html = fields.Html(compute="_compute_sidecar_health", sanitize=False)

    def _compute_sidecar_health(self):
        stored = self.env["ir.config_parameter"].sudo().get_param(HEALTH_PARAM)
        report = json.loads(stored) if stored else None
        for overview in self:
            if not report:
                overview.sidecar_alert_count = 0
                overview.sidecar_dlq_depth = 0
                overview.sidecar_health_checked_at = False
                overview.sidecar_alerts_html = Markup("<p class='text-muted'>No health report from the sidecar yet.</p>")
                continue
            alerts = report.get("alerts") or []
            overview.sidecar_alert_count = len(alerts)
            overview.sidecar_dlq_depth = report.get("dlq_depth") or 0
            overview.sidecar_health_checked_at = _parse_checked_at(report["checked_at"]) or False
            if alerts:
                items = "".join(f"<li>{escape(a['summary'])}</li>" for a in alerts)
                overview.sidecar_alerts_html = Markup(
                    "<div class='alert alert-danger' role='alert'><strong>Sidecar alerts</strong><ul>"
                    + items + "</ul></div>")
            else:
                overview.sidecar_alerts_html = Markup(
                    "<div class='alert alert-success' role='status'>No active sidecar alerts.</div>")
