"""Screenshots of the Shopify screens for the documentation (docs/images/), taken by Chrome on a
running Odoo after a scripted day of commerce with planted failures, as an admin and as a Sales
user. Not a standard test: `scripts/screenshots-real-odoo.sh` runs it (tag
shopify_sync_screenshots) with SHOPIFY_SCREENSHOTS_DIR set."""
import base64
import json
import os
import pathlib
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser

from .test_api_status import status_doc
from .test_tours import GO_LIVE_REPORT, ShopifyTourCase
from .test_ux import REQUEST, Sidecar

NOT_LOADING = "!document.querySelector('.o_loading_indicator, .o_blockUI')"
LOCATIONS = {"locations": [
    {"id": "gid://shopify/Location/1", "name": "Main warehouse", "isActive": True},
    {"id": "gid://shopify/Location/2", "name": "Pop-up store", "isActive": True}]}


def _find(selector, text=None):
    """JS: the first element matching `selector` (whose text contains `text`)."""
    if text is None:
        return f"document.querySelector({json.dumps(selector)})"
    return (f"[...document.querySelectorAll({json.dumps(selector)})]"
            f".find((e) => e.textContent.includes({json.dumps(text)}))")


@tagged("-standard", "shopify_sync_screenshots", "post_install", "-at_install")
class TestScreenshots(ShopifyTourCase):
    browser_size = "1440x960"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The rest of the day: orders imported and confirmed (import policy "all"), one
        # delivered and invoiced, a product Shopify refused.
        orders = [cls.env["sale.order"].browse(cls.api.apply_order(cls.order_doc(n))[
            "sale_order_id"]) for n in (1001, 1002, 1003, 1004)]
        picking = orders[0].picking_ids[:1]
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.with_context(skip_sms=True, skip_backorder=True).button_validate()
        orders[0]._create_invoices().action_post()
        tee = cls.tee.product_tmpl_id.id
        cls.api.report_failure({
            "queue": "products", "key": f"product:test-shop.myshopify.com:{tee}",
            "job_id": "job-p1", "attempt": 3, "kind": "permanent",
            "message": "ShopifyGraphQLError: productSet userErrors: Title can't be blank",
            "failed_at": "2026-11-27T11:30:00Z", "res_model": "product.template",
            "res_id": tee})

    def setUp(self):
        super().setUp()
        self.out = pathlib.Path(os.environ.get("SHOPIFY_SCREENSHOTS_DIR", ""))
        self.assertTrue(self.out.is_dir(), "set SHOPIFY_SCREENSHOTS_DIR to an existing folder")

    def _until(self, browser, code, what):
        self.assertTrue(browser._wait_ready(f"!!({code}) && {NOT_LOADING}", timeout=30),
                        f"screenshots: {what} never appeared")

    def _click(self, browser, element, what):
        self._until(browser, f"(() => {{ const e = {element}; if (!e) return false; "
                             f"e.click(); return true; }})()", what)

    def _shoot(self, browser, name, ready):
        self._until(browser, ready, name)
        data = browser._websocket_request("Page.captureScreenshot", params={"format": "png"},
                                          timeout=30)["data"]
        (self.out / f"{name}.png").write_bytes(base64.b64decode(data))

    def _session(self, login, shots):
        browser = ChromeBrowser(self)
        try:
            self.http_request_key = self.canonical_tag + "_browser_js"
            self.authenticate(login, login, browser=browser)
            self.cr.flush()
            self.cr.clear()
            for shot in shots:
                shot(browser)
        finally:
            browser.stop()
            self._wait_remaining_requests()
            self.http_request_key = self.canonical_tag

    def _open(self, browser, path, ready):
        browser.navigate_to(self.base_url() + path, wait_stop=True)
        self._until(browser, ready, path)

    def test_screens(self):
        sidecar = Sidecar({
            ("GET", "/api/status"): (200, status_doc()),
            ("POST", "/onboarding"): (200, GO_LIVE_REPORT),
            ("GET", "/api/shopify/locations"): (200, LOCATIONS),
        })
        with patch(REQUEST, side_effect=sidecar):
            self.env.ref("shopify_sync.overview_main").action_test_connection()
            self._session("shopify-admin", [self._admin_overview, self._admin_errors,
                                            self._admin_held, self._admin_go_live,
                                            self._admin_locations, self._admin_access])
            self._session("shopify-sales", [self._sales_list, self._sales_flagged])

    def _admin_overview(self, b):
        self._open(b, "/odoo/action-shopify_sync.action_shopify_sync_overview",
                   "document.querySelector('.o_form_view')")
        self._shoot(b, "overview", _find(".o_form_view", "topics subscribed"))

    def _admin_errors(self, b):
        self._open(b, "/odoo/action-shopify_sync.action_shopify_sync_failure",
                   "document.querySelector('.o_list_view')")
        self._shoot(b, "errors", _find(".o_data_row", "#9401"))
        self._click(b, _find(".o_data_row td[name='display_name']", "#9401"),
                    "the order that was not imported")
        self._shoot(b, "error-order-not-imported", _find(".o_form_view .alert-danger", "NOPE"))

    def _admin_held(self, b):
        self._open(b, f"/odoo/action-sale.action_quotations_with_onboarding/{self.held.id}",
                   "document.querySelector('.o_form_view')")
        self._shoot(b, "held-order", _find(".o_form_view .ribbon", "Held"))
        self._click(b, _find("button[name='action_shopify_create_tax_mapping']"),
                    "Create tax mapping")
        self._shoot(b, "create-tax-mapping", _find(".modal .o_data_row", "City tax"))

    def _admin_go_live(self, b):
        self._open(b, "/odoo/action-shopify_sync.action_shopify_go_live",
                   "document.querySelector('.modal')")
        self._click(b, _find(".modal button[name='action_dry_run']"), "Dry run")
        self._shoot(b, "go-live-dry-run", _find(".modal", "pushed to Shopify afterwards"))

    def _admin_locations(self, b):
        self._open(b, "/odoo/action-shopify_sync.action_shopify_location_import",
                   "document.querySelector('.modal')")
        self._shoot(b, "locations-picker", _find(".modal .o_data_row", "Pop-up store"))

    def _admin_access(self, b):
        self._open(b, f"/odoo/action-base.action_res_users/{self.sales_user.id}",
                   "document.querySelector('.o_form_view')")
        self._click(b, _find(".o_notebook a.nav-link", "Access Rights"), "Access Rights tab")
        self._shoot(b, "user-access-level", _find(".o_form_view .tab-pane.active", "Shopify"))

    def _sales_list(self, b):
        self._open(b, "/odoo/action-sale.action_quotations_with_onboarding",
                   "document.querySelector('.o_list_view')")
        self._click(b, _find(".o_searchview_facet .o_facet_remove"), "the My Quotations facet")
        self._shoot(b, "sales-quotations", _find(".o_data_row", "#9403"))

    def _sales_flagged(self, b):
        self._open(b, f"/odoo/action-sale.action_quotations_with_onboarding/{self.flagged.id}",
                   "document.querySelector('.o_form_view')")
        self._click(b, _find(".o_notebook a.nav-link", "Shopify"), "the Shopify tab")
        self._shoot(b, "sales-order-shopify-tab",
                    _find(".o_notebook .tab-pane.active", "Paid"))
        self._click(b, _find("button[name='action_shopify_confirm_held']"), "Confirm")
        self._shoot(b, "sales-confirm-flagged", _find(".modal", "paid 37.20 in Shopify"))
