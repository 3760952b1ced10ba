"""Operator methods: order_status, bound_records, request_resync, store_report, Overview."""
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ShopifySyncCase


@tagged("shopify_sync", "at_install")
class TestOperatorApi(ShopifySyncCase):
    def setUp(self):
        super().setUp()
        self.clear_events()

    def test_order_status_reports_total_state_and_product_lines_or_not_found(self):
        order, result = self.import_order(4101)
        answer = self.api.order_status(
            {"order_gids": ["gid://shopify/Order/4101", "gid://shopify/Order/4199"]})
        self.assertEqual(answer["orders"], [
            {"order_gid": "gid://shopify/Order/4101", "found": True,
             "sale_order_id": order.id, "name": order.name, "state": order.state,
             "amount_total": "36.00", "currency": order.currency_id.name, "line_count": 1},
            {"order_gid": "gid://shopify/Order/4199", "found": False, "sale_order_id": None,
             "name": None, "state": None, "amount_total": None, "line_count": None},
        ])
        with self.assertRaisesRegex(ValidationError, "order_gids must be a list of strings"):
            self.api.order_status({"order_gids": "gid://shopify/Order/4101"})

    def test_bound_records_lists_bound_partners_only(self):
        bound = self.env["res.partner"].create({"name": "Bound", "email": "b@example.com"})
        unbound = self.env["res.partner"].create({"name": "Unbound", "email": "u@example.com"})
        self.api.record_sync_result({"model": "res.partner", "res_id": bound.id,
                                     "state": "synced", "shopify_gid": "gid://shopify/Customer/77"})
        records = self.api.bound_records({"model": "res.partner"})["records"]
        self.assertIn({"id": bound.id, "shopify_gid": "gid://shopify/Customer/77"}, records)
        self.assertNotIn(unbound.id, [r["id"] for r in records])

    def test_request_resync_emits_the_resync_buttons_events(self):
        template = self.mug.product_tmpl_id
        self.clear_events()
        answer = self.api.request_resync({"model": "product.template",
                                          "ids": [template.id, 999999999]})
        self.assertEqual(answer, {"queued": 1, "missing_ids": [999999999], "skipped": []})
        event = self.events("product.changed", key=f"product:{template.id}")
        self.assertEqual(len(event), 1)
        self.assertEqual(event.payload["reason"], "resync")
        self.assertEqual(template.shopify_state, "pending")
        stock = self.api.request_resync({"model": "product.product", "ids": [self.mug.id]})
        self.assertEqual(stock["queued"], 1)
        self.assertEqual(len(self.events("stock.changed")), 1)
        with self.assertRaisesRegex(ValidationError, "request_resync: model must be one of"):
            self.api.request_resync({"model": "account.move"})

    def test_store_report_shows_the_headline_on_the_overview(self):
        self.api.store_report({"kind": "reconciliation",
                               "summary": {"headline": "3 Shopify orders, 1 missing"}})
        self.env.invalidate_all()
        overview = self.env.ref("shopify_sync.overview_main")
        self.assertIn("3 Shopify orders, 1 missing", overview.report_html)
        self.assertIn("never run", overview.report_html)
        with self.assertRaisesRegex(ValidationError, "store_report: kind must be one of"):
            self.api.store_report({"kind": "weekly", "summary": {"headline": "x"}})
