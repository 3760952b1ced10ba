"""Browser tours (static/tests/tours/shopify_sync_tours.js) on a running Odoo with Chrome: the
admin's go-live and error-fixing path and a Sales user's view of Shopify orders. The sidecar's
admin API is answered by a table (the same stand-in as test_ux.py); the Odoo side is real."""
from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged

from .. import compat
from .common import ShopifySyncCase
from .test_api_status import status_doc
from .test_ux import REQUEST, Sidecar

GO_LIVE_REPORT = {
    "dryRun": True,
    "counts": {"productsLinked": 2, "variantsLinked": 3, "customersLinked": 1},
    "push": {"products": 4, "customers": 2, "skipped": [{"reason": "internal_user", "count": 1}]},
    "plan": {"conflicts": []},
    "writeErrors": [],
}


class ShopifyTourCase(HttpCase, ShopifySyncCase):
    """A day's planted failures: an order the sidecar could not import (unknown SKU), a held
    order (unmapped tax) and a flagged one (paid more than Odoo's total)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("shopify_sync.sidecar_url", "http://127.0.0.1:9")
        params.set_param("shopify_sync.admin_token", "test-admin-token")
        cls.tour_tax = cls.env["account.tax"].create({
            "name": "Tour VAT 5%", "amount": 5.0, "amount_type": "percent",
            "type_tax_use": "sale", "company_id": cls.company.id})
        cls.admin_user = new_test_user(
            cls.env, login="shopify-admin", name="Alex Admin",
            groups="base.group_system,shopify_sync.group_shopify_manager,"
                   "sales_team.group_sale_manager,stock.group_stock_manager")
        cls.sales_user = new_test_user(
            cls.env, login="shopify-sales", name="Sam Sales",
            groups="sales_team.group_sale_salesman,shopify_sync.group_shopify_user")
        gid = "gid://shopify/Order/9401"
        cls.orphan = cls.env["shopify.sync.failure"].browse(cls.api.report_failure({
            "queue": "orders", "key": f"order:test-shop.myshopify.com:{gid}",
            "job_id": "job-9401", "attempt": 6, "kind": "permanent",
            "message": 'order #9401 line 1: SKU "NOPE" is unknown in Odoo',
            "failed_at": "2026-11-27T10:00:00Z", "shopify_gid": gid, "order_name": "#9401",
            "amount": "42.00", "currency": "USD", "customer_name": "Grace Hopper"})["failure_id"])
        held = cls.order_doc(9402)
        held["lines"][0]["tax_lines"] = [{"title": "City tax", "rate": "0.05", "amount": "1.25"}]
        cls.held = cls.env["sale.order"].browse(cls.api.apply_order(held)["sale_order_id"])
        cls.flagged = cls.env["sale.order"].browse(
            cls.api.apply_order(cls.order_doc(9403, total_price="37.20"))["sale_order_id"])


@tagged("shopify_sync", "post_install", "-at_install", "is_tour")
class TestTours(ShopifyTourCase):
    def test_admin_goes_live_and_fixes_an_order_from_errors(self):
        overview = self.env.ref("shopify_sync.overview_main")
        self.assertGreaterEqual(overview.error_count, 2)
        sidecar = Sidecar({
            ("GET", "/api/status"): (200, status_doc()),
            ("POST", "/onboarding"): (200, GO_LIVE_REPORT),
            ("POST", "/api/unblock"): (200, {"results": [{"id": "dead-1"}]}),
        })
        with patch(REQUEST, side_effect=sidecar):
            self.start_tour(compat.web_url("shopify_sync.action_shopify_sync_overview"),
                            "shopify_sync_admin_go_live_and_fix", login="shopify-admin")
        self.assertEqual([c[:2] for c in sidecar.calls], [
            ("GET", "/api/status"), ("POST", "/onboarding?dry_run=1"),
            ("POST", "/onboarding?dry_run=0"), ("POST", "/api/unblock")])
        self.assertEqual(self.orphan.state, "retrying")

    def test_admin_creates_the_tax_mapping_of_a_held_order(self):
        self.start_tour(compat.web_url("sale.action_quotations_with_onboarding", self.held.id),
                        "shopify_sync_admin_tax_mapping", login="shopify-admin")
        mapping = self.env["shopify.tax.map"].search([("title", "=", "City tax")])
        self.assertEqual(mapping.tax_id, self.tour_tax)
        self.assertTrue(self.events("order.reimport", f"order:{self.held.shopify_gid}"))

    def test_sales_user_sees_the_status_and_confirms_a_flagged_order_knowingly(self):
        self.start_tour(compat.web_url("sale.action_quotations_with_onboarding"),
                        "shopify_sync_sales_user", login="shopify-sales")
        self.assertEqual(self.flagged.state, "sale")
        self.assertFalse(self.flagged.user_id, "imported orders have no salesperson")
