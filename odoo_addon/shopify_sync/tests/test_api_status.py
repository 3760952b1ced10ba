"""Contract area `status`: report_failure (dead letters as rows of Shopify → Errors) and
report_status (the sidecar's snapshot on the Overview)."""
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ShopifySyncCase

GHOST_GID = "gid://shopify/Order/424242"


def failure_doc(**overrides):
    doc = {
        "queue": "orders", "key": f"order:test-shop.myshopify.com:{GHOST_GID}",
        "job_id": "3f7c8a10-0000-4000-8000-000000000001", "attempt": 1, "kind": "permanent",
        "message": 'OdooPermanentError: order #4242 line 2: SKU "GHOST-1" is unknown in Odoo',
        "failed_at": "2026-11-27T10:00:00Z", "shopify_gid": GHOST_GID, "order_name": "#4242",
        "amount": "21.20", "currency": "USD", "customer_name": "Ada Lovelace",
    }
    doc.update(overrides)
    return doc


def status_doc(**overrides):
    doc = {
        "checked_at": "2026-11-27T10:00:00Z", "sidecar_version": "0.3.0",
        "contract_version": "1.0",
        "shopify": {"api_version": "2026-10", "supported_until": "2027-10-01T00:00:00Z",
                    "deprecation_notices": 0},
        "webhooks": {"callback_url": "https://sidecar.example/webhooks/shopify",
                     "subscribed": 15, "required": 16, "missing": ["refunds/create"],
                     "topics": [{"topic": "orders/create",
                                 "last_received_at": "2026-11-27T09:58:00Z", "count_24h": 12}]},
        "queues": [{"queue": "orders", "waiting": 2, "oldest_waiting_at": "2026-11-27T09:59:00Z",
                    "dead_letters": 1, "oldest_dead_letter_at": "2026-11-27T09:00:00Z"}],
        "onboarding": {"complete": True},
    }
    doc.update(overrides)
    return doc


@tagged("shopify_sync", "at_install")
class TestReportFailure(ShopifySyncCase):
    def failures(self, **domain):
        return self.env["shopify.sync.failure"].search(
            [(key, "=", value) for key, value in domain.items()])

    def test_an_order_that_could_not_be_imported_is_listed_with_what_to_do(self):
        answer = self.api.report_failure(failure_doc())
        failure = self.env["shopify.sync.failure"].browse(answer["failure_id"])
        self.assertEqual(answer, {"failure_id": failure.id, "state": "open"})
        self.assertEqual(failure.category, "unknown_sku")
        self.assertEqual((failure.state, failure.source), ("open", "sidecar"))
        self.assertEqual(failure.shopify_name, "#4242")
        self.assertEqual((failure.amount, failure.currency), ("21.20", "USD"))
        self.assertEqual(failure.customer_name, "Ada Lovelace")
        self.assertEqual(failure.reason,
                         'Line 2: no Odoo product has the SKU "GHOST-1" as Internal Reference.')
        self.assertIn('Internal Reference "GHOST-1"', failure.fix)
        self.assertEqual(failure.attempts, 1)
        self.assertFalse(failure.res_model)
        self.assertIn("#4242", failure.display_name)
        self.assertEqual(failure.shopify_admin_url,
                         "https://test-shop.myshopify.com/admin/orders/424242")

    def test_the_same_report_twice_is_one_row_and_a_later_job_adds_its_attempts(self):
        first = self.api.report_failure(failure_doc())["failure_id"]
        again = self.api.report_failure(failure_doc())["failure_id"]
        self.assertEqual(first, again)
        failure = self.env["shopify.sync.failure"].browse(first)
        self.assertEqual(failure.attempts, 1)
        failure.write({"state": "retrying"})
        self.api.report_failure(failure_doc(attempt=2))
        self.assertEqual((failure.state, failure.attempts), ("open", 2))
        self.api.report_failure(failure_doc(job_id="3f7c8a10-0000-4000-8000-000000000002",
                                            attempt=3))
        self.assertEqual(failure.attempts, 5)
        self.assertEqual(len(self.failures(identity=f"shopify:{GHOST_GID}")), 1)

    def test_the_failure_is_resolved_once_the_order_is_imported(self):
        failure_id = self.api.report_failure(failure_doc(shopify_gid="gid://shopify/Order/4243"))[
            "failure_id"]
        order, result = self.import_order(4243)
        self.assertEqual(result["status"], "created")
        failure = self.env["shopify.sync.failure"].browse(failure_id)
        self.assertEqual(failure.state, "resolved")
        self.assertEqual(order.shopify_state, "synced")

    def test_a_dead_letter_about_an_odoo_record_puts_its_binding_in_error(self):
        template = self.mug.product_tmpl_id
        answer = self.api.report_failure(failure_doc(
            queue="products",
            key=f"product:test-shop.myshopify.com:odoo:product.template:{template.id}",
            shopify_gid=None, order_name=None, amount=None, currency=None, customer_name=None,
            res_model="product.template", res_id=template.id,
            message="ShopifyGraphQLError: productSet userErrors: Title can't be blank"))
        failure = self.env["shopify.sync.failure"].browse(answer["failure_id"])
        self.assertEqual((failure.category, failure.res_model, failure.res_id),
                         ("shopify_refused", "product.template", template.id))
        self.assertEqual(template.shopify_state, "error")
        self.assertIn("Title can't be blank", template.shopify_error)
        self.assertIn("Shopify refused the change", template.shopify_error_reason)
        self.assertEqual(len(self.failures(identity=f"record:product.template:{template.id}")), 1)
        self.api.record_sync_result({"model": "product.template", "res_id": template.id,
                                     "state": "synced"})
        self.assertEqual(failure.state, "resolved")

    def test_a_dead_letter_naming_a_bound_order_is_shown_on_that_order(self):
        order, _result = self.import_order(4244)
        answer = self.api.report_failure(failure_doc(
            shopify_gid=order.shopify_gid, message="OdooPermanentError: order #4244: shop "
            "currency EUR differs from the company currency USD; configure the company currency"))
        failure = self.env["shopify.sync.failure"].browse(answer["failure_id"])
        self.assertEqual((failure.res_model, failure.res_id), ("sale.order", order.id))
        self.assertEqual(order.shopify_state, "error")

    def test_malformed_reports_are_refused_naming_the_field(self):
        for overrides, field in [({"attempt": 0}, "attempt"), ({"kind": "odd"}, "kind"),
                                 ({"failed_at": "today"}, "failed_at"),
                                 ({"amount": 21.2}, "amount"), ({"queue": ""}, "queue"),
                                 ({"shopify_gid": "424242"}, "shopify_gid"),
                                 ({"res_model": "res.users", "res_id": 2}, "res_model")]:
            with self.subTest(field=field), self.assertRaisesRegex(ValidationError, field):
                self.api.report_failure(failure_doc(**overrides))


@tagged("shopify_sync", "at_install")
class TestReportStatus(ShopifySyncCase):
    def overview(self):
        self.env.invalidate_all()
        return self.env.ref("shopify_sync.overview_main")

    def test_the_snapshot_shows_on_the_overview(self):
        self.assertEqual(self.api.report_status(status_doc()), {"ok": True})
        overview = self.overview()
        self.assertEqual(overview.sidecar_status["sidecar_version"], "0.3.0")
        self.assertIn("2026-10", overview.connection_html)
        self.assertIn("supported until 2027-10-01", overview.connection_html)
        self.assertIn("compatible", overview.connection_html)
        self.assertIn("15 of 16 topics subscribed", overview.webhooks_html)
        self.assertIn("missing: refunds/create", overview.webhooks_html)
        self.assertIn("orders/create", overview.webhooks_html)
        self.assertIn("<td>orders</td><td>2</td>", overview.backlog_html)

    def test_an_incompatible_contract_is_shown_as_such(self):
        self.api.report_status(status_doc(contract_version="2.0"))
        self.assertIn("incompatible", self.overview().connection_html)

    def test_malformed_snapshots_are_refused(self):
        for doc, field in [(status_doc(checked_at="now"), "checked_at"),
                           (status_doc(queues="none"), "queues"),
                           (status_doc(extra=1), "unknown fields"),
                           (status_doc(queues=[{"queue": "orders", "waiting": -1,
                                                "dead_letters": 0}]), "waiting")]:
            with self.subTest(field=field), self.assertRaisesRegex(ValidationError, field):
                self.api.report_status(doc)
