"""report_health: the sidecar's active alerts on the Shopify overview."""
import json

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ShopifySyncCase
from ..models.shopify_sync_api_operations import HEALTH_PARAM


@tagged("shopify_sync", "at_install")
class TestSidecarHealth(ShopifySyncCase):
    def overview(self):
        self.env.invalidate_all()
        return self.env.ref("shopify_sync.overview_main")

    def report(self, alerts, depth=12, at="2026-11-27T12:00:00.000Z"):
        return self.api.report_health({"alerts": alerts, "dlq_depth": depth, "checked_at": at})

    def test_the_overview_says_no_report_before_the_sidecar_sends_one(self):
        self.env["ir.config_parameter"].sudo().set_param(HEALTH_PARAM, False)
        overview = self.overview()
        self.assertEqual(overview.sidecar_alert_count, 0)
        self.assertIn("No health report", overview.sidecar_alerts_html)

    def test_reported_alerts_show_on_the_overview_escaped(self):
        alert = {"key": "dlq:orders", "summary": "orders dead-letter queue holds 12 jobs <b>",
                 "since": "2026-11-27T11:58:00.000Z"}
        self.assertEqual(self.report([alert]), {"ok": True})
        overview = self.overview()
        self.assertEqual(overview.sidecar_alert_count, 1)
        self.assertEqual(overview.sidecar_dlq_depth, 12)
        self.assertEqual(str(overview.sidecar_health_checked_at), "2026-11-27 12:00:00")
        self.assertIn("orders dead-letter queue holds 12 jobs &lt;b&gt;",
                      overview.sidecar_alerts_html)
        self.report([], depth=0, at="2026-11-27T12:01:00.000Z")
        overview = self.overview()
        self.assertEqual(overview.sidecar_alert_count, 0)
        self.assertIn("No active sidecar alerts", overview.sidecar_alerts_html)

    def test_an_unchanged_report_is_not_rewritten_within_ten_minutes(self):
        params = self.env["ir.config_parameter"].sudo()
        self.report([], depth=0, at="2026-11-27T12:00:00Z")
        self.report([], depth=0, at="2026-11-27T12:05:00Z")
        self.assertEqual(json.loads(params.get_param(HEALTH_PARAM))["checked_at"],
                         "2026-11-27T12:00:00Z")
        self.report([], depth=0, at="2026-11-27T12:10:00Z")
        self.assertEqual(json.loads(params.get_param(HEALTH_PARAM))["checked_at"],
                         "2026-11-27T12:10:00Z")

    def test_a_malformed_report_is_refused(self):
        with self.assertRaises(ValidationError):
            self.report("none")
        with self.assertRaises(ValidationError):
            self.report([], depth=-1)
        with self.assertRaises(ValidationError):
            self.api.report_health({"alerts": [], "dlq_depth": 0, "checked_at": "yesterday"})
        with self.assertRaises(ValidationError):
            self.report([{"key": "dlq:orders"}])
