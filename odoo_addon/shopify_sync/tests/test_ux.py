"""What users see and do in Odoo: access levels, held and flagged orders, Errors and Retry,
events in plain words, salesperson and team of imported orders, no noise from the sidecar's
writes, which contacts a resync pushes, and the admin tools that call the sidecar."""
import json
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .. import compat
from .common import ShopifySyncCase

REQUEST = "odoo.addons.shopify_sync.models.shopify_sidecar.requests.request"


class FakeResponse:
    def __init__(self, status, body):
        self.status_code = status
        self.reason = "status"
        self._body = body

    def json(self):
        return self._body


class Sidecar:
    """Records the admin API calls Odoo makes and answers from a table of routes."""

    def __init__(self, routes):
        self.routes = routes
        self.calls = []

    def __call__(self, method, url, json=None, timeout=None, headers=None):
        path = url.split("/admin", 1)[1]
        self.calls.append((method, path, json, headers.get("Authorization")))
        status, body = self.routes.get((method, path.split("?")[0]), (404, {"error": "not_found"}))
        return FakeResponse(status, body)


@tagged("shopify_sync", "at_install")
class TestAccessLevels(ShopifySyncCase):
    def test_the_user_form_offers_one_shopify_choice_and_keeps_the_integration_apart(self):
        kinds = compat.access_choices(self.env)
        kind, chain = kinds["shopify_sync.module_category_shopify"]
        self.assertEqual(kind, "selection")
        self.assertEqual(chain, ["shopify_sync.group_shopify_user",
                                 "shopify_sync.group_shopify_manager"])
        integration = kinds["shopify_sync.module_category_shopify_integration"][1]
        self.assertEqual(integration, ["shopify_sync.group_shopify_integration"])
        # The user form's access rights part (17.0 and 18.0 generate it from the groups once
        # modules are loaded; during an install it is a placeholder).
        levels = self.env.ref("shopify_sync.group_shopify_user") | \
            self.env.ref("shopify_sync.group_shopify_manager")
        self.assertTrue(compat.user_form_offers(self.env, levels),
                        "the user form offers the Shopify access levels as one choice")

    def test_sales_users_see_the_shopify_status_of_their_orders(self):
        order, _result = self.import_order(9301)
        salesman = self.env["res.users"].create({
            "name": "Seller", "login": "seller-9301",
            compat.field("res.users", "groups_id"): [
                (6, 0, [self.env.ref("sales_team.group_sale_salesman").id])]})
        self.assertFalse(order.user_id, "no salesperson: every salesperson sees the order")
        seen = order.with_user(salesman).read(["shopify_state", "shopify_name"])[0]
        self.assertEqual(seen["shopify_state"], "synced")
        arch = order.with_user(salesman).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="shopify"', arch, "the Shopify tab is shown to salespeople")
        with self.assertRaises(AccessError):
            self.env["shopify.sync.failure"].with_user(salesman).search([])


@tagged("shopify_sync", "at_install")
class TestImportedOrderOwner(ShopifySyncCase):
    def test_imported_orders_have_no_salesperson_by_default_never_the_integration_user(self):
        order, _result = self.import_order(9311)
        self.assertFalse(order.user_id)
        self.assertFalse(order.team_id)

    def test_the_configured_salesperson_and_team_are_set(self):
        team = self.env["crm.team"].create({"name": "Web shop"})
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("shopify_sync.salesperson_id", str(self.manager_user.id))
        params.set_param("shopify_sync.team_id", str(team.id))
        order, _result = self.import_order(9312)
        self.assertEqual((order.user_id, order.team_id), (self.manager_user, team))


@tagged("shopify_sync", "at_install")
class TestNoNoise(ShopifySyncCase):
    def activities(self, order):
        return self.env["mail.activity"].search([
            ("res_model", "=", "stock.picking"), ("res_id", "in", order.picking_ids.ids)])

    def test_an_update_of_a_confirmed_order_with_the_same_address_logs_no_activity(self):
        order, _result = self.import_order(9321)
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.picking_ids)
        result = self.api.apply_order(self.order_doc(
            9321, updated_at="2026-11-27T11:00:00Z", financial_status="partially_refunded"))
        self.assertEqual(result["status"], "updated")
        self.assertEqual(order.shopify_financial_status, "partially_refunded")
        self.assertFalse(self.activities(order), "no 'delivery address changed' activity")

    def moved(self, number, street, updated_at):
        doc = self.order_doc(number, updated_at=updated_at)
        doc["shipping_address"] = dict(doc["shipping_address"], address1=street)
        return self.api.apply_order(doc)

    def test_follow_ups_raised_during_a_sidecar_call_go_to_a_person(self):
        order, _result = self.import_order(9322)
        self.moved(9322, "2 New Street", "2026-11-27T11:00:00Z")
        activities = self.activities(order)
        self.assertTrue(activities, "Odoo asks someone to update the delivery's address")
        self.assertNotIn(self.integration_user, activities.user_id)
        self.assertEqual(activities.user_id, self.env.ref("base.user_admin"))
        self.env["ir.config_parameter"].sudo().set_param(
            "shopify_sync.responsible_id", str(self.manager_user.id))
        self.moved(9322, "3 Other Street", "2026-11-27T12:00:00Z")
        self.assertIn(self.manager_user, self.activities(order).user_id)


@tagged("shopify_sync", "at_install")
class TestHeldOrders(ShopifySyncCase):
    def held_order(self, number):
        doc = self.order_doc(number)
        doc["lines"][0]["tax_lines"] = [{"title": "City tax", "rate": "0.05", "amount": "1.25"}]
        result = self.api.apply_order(doc)
        self.assertEqual(result["status"], "held")
        return self.env["sale.order"].browse(result["sale_order_id"])

    def test_a_held_order_says_why_and_is_confirmed_through_a_dialog(self):
        order = self.held_order(9331)
        self.assertEqual((order.state, order.shopify_hold), ("draft", "held"))
        self.assertIn('"City tax" at rate 0.05', order.shopify_hold_reason)
        failure = self.env["shopify.sync.failure"].search(
            [("identity", "=", f"record:sale.order:{order.id}")])
        self.assertEqual((failure.category, failure.state), ("tax_mapping", "open"))
        action = order.action_shopify_confirm_held()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertIn("City tax", wizard.difference)
        wizard.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_a_flagged_order_names_both_totals(self):
        result = self.api.apply_order(self.order_doc(9332, total_price="37.20"))
        order = self.env["sale.order"].browse(result["sale_order_id"])
        self.assertEqual(order.shopify_hold, "flagged")
        wizard = self.env["shopify.confirm.held"].create({"sale_order_id": order.id})
        self.assertIn("paid 37.20 in Shopify; this order totals 36.00", wizard.difference)

    def test_create_tax_mapping_is_pre_filled_and_reimports(self):
        order = self.held_order(9333)
        action = order.with_user(self.manager_user).action_shopify_create_tax_mapping()
        wizard = self.env[action["res_model"]].with_user(self.manager_user).browse(
            action["res_id"])
        # The rate at the field's 6 digits (17.0's float_round gives 0.049999999999999996).
        self.assertEqual([(line.title, round(line.rate, 6)) for line in wizard.line_ids],
                         [("City tax", 0.05)])
        wizard.line_ids.tax_id = self.tax20
        self.clear_events()
        wizard.action_create()
        self.assertTrue(self.env["shopify.tax.map"].search([("title", "=", "City tax")]))
        self.assertTrue(self.events("order.reimport", f"order:{order.shopify_gid}"))


@tagged("shopify_sync", "at_install")
class TestErrorsAndRetry(ShopifySyncCase):
    def setUp(self):
        super().setUp()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("shopify_sync.sidecar_url", "http://127.0.0.1:9/")
        params.set_param("shopify_sync.admin_token", "test-admin-token")

    def orphan(self, number):
        gid = f"gid://shopify/Order/{number}"
        answer = self.api.report_failure({
            "queue": "orders", "key": f"order:test-shop.myshopify.com:{gid}",
            "job_id": f"job-{number}", "attempt": 1, "kind": "permanent",
            "message": f'order #{number} line 1: SKU "NOPE" is unknown in Odoo',
            "failed_at": "2026-11-27T10:00:00Z", "shopify_gid": gid,
            "order_name": f"#{number}", "amount": "10.00", "currency": "USD",
            "customer_name": "Grace Hopper"})
        return self.env["shopify.sync.failure"].browse(answer["failure_id"])

    def test_retry_of_a_dead_letter_asks_the_sidecar_to_run_it_again_and_says_so(self):
        failure = self.orphan(9341)
        sidecar = Sidecar({("POST", "/api/unblock"): (200, {"results": [{"id": "x"}]})})
        with patch(REQUEST, side_effect=sidecar):
            action = failure.with_user(self.manager_user).action_retry()
        self.assertEqual(sidecar.calls, [("POST", "/api/unblock", {
            "queue": "orders", "key": failure.job_key, "action": "retry"},
            "Bearer test-admin-token")])
        self.assertEqual(failure.state, "retrying")
        self.assertIn("runs the failed job again", action["params"]["message"])

    def test_a_scheduled_job_without_a_key_is_named_and_retried_by_its_job_id(self):
        answer = self.api.report_failure({
            "queue": "catalog.bulk", "key": None, "job_id": "job-bulk-1", "attempt": 3,
            "kind": "retryable",
            "message": "RetryableError: bulk operation FAILED (INTERNAL_SERVER_ERROR)",
            "failed_at": "2026-11-27T10:00:00Z"})
        failure = self.env["shopify.sync.failure"].browse(answer["failure_id"])
        self.assertTrue(failure.display_name.startswith("Go-live catalog push"),
                        failure.display_name)
        sidecar = Sidecar({("POST", "/api/unblock"): (200, {"results": [{"id": "x"}]})})
        with patch(REQUEST, side_effect=sidecar):
            action = failure.with_user(self.manager_user).action_retry()
            failure.with_user(self.manager_user).action_dismiss()
        self.assertEqual([call[2] for call in sidecar.calls], [
            {"queue": "catalog.bulk", "job_id": "job-bulk-1", "action": "retry"},
            {"queue": "catalog.bulk", "job_id": "job-bulk-1", "action": "discard"}])
        self.assertIn("runs the failed job again", action["params"]["message"])

    def test_without_a_dead_letter_retry_reimports_the_order_through_the_outbox(self):
        failure = self.orphan(9342)
        self.clear_events()
        with patch(REQUEST, side_effect=Sidecar({})):
            action = failure.with_user(self.manager_user).action_retry()
        event = self.events("order.reimport", f"order:{failure.shopify_gid}")
        self.assertEqual(event.payload, {"order_gid": failure.shopify_gid})
        self.assertIn("re-import from Shopify queued", action["params"]["message"])

    def test_an_unreachable_sidecar_is_said_plainly_and_the_error_stays(self):
        failure = self.orphan(9343)
        with self.assertRaisesRegex(UserError, "did not answer at http://127.0.0.1:9"):
            failure.with_user(self.manager_user).action_retry()
        self.assertEqual(failure.state, "open")

    def test_only_managers_retry(self):
        failure = self.orphan(9344)
        with self.assertRaises(AccessError):
            failure.with_user(self.shopify_user).action_retry()

    def test_retry_of_a_record_in_error_resyncs_it_and_counts_a_new_failure(self):
        result = self.api.apply_order(self.order_doc(9345, total_price="1.00"))
        order = self.env["sale.order"].browse(result["sale_order_id"])
        failure = self.env["shopify.sync.failure"].search(
            [("identity", "=", f"record:sale.order:{order.id}")])
        self.assertEqual((failure.category, failure.attempts), ("totals_differ", 1))
        self.clear_events()
        action = failure.with_user(self.manager_user).action_retry()
        self.assertIn(order.name, action["params"]["message"])
        self.assertEqual(failure.state, "retrying")
        self.assertTrue(self.events("order.reimport"))
        self.api.apply_order(self.order_doc(9345, total_price="1.00",
                                            updated_at="2026-11-27T11:00:00Z"))
        self.assertEqual((failure.state, failure.attempts), ("open", 2))
        self.assertTrue(failure.first_failed_at <= failure.last_failed_at)

    def test_the_status_list_retry_says_what_it_queued(self):
        result = self.api.apply_order(self.order_doc(9346, total_price="1.00"))
        status = self.env["shopify.sync.status"].search(
            [("model", "=", "sale.order"), ("res_id", "=", result["sale_order_id"])])
        action = status.with_user(self.manager_user).action_retry()
        self.assertIn(result["name"], action["params"]["message"])


@tagged("shopify_sync", "at_install")
class TestEventsInPlainWords(ShopifySyncCase):
    def test_an_event_shows_its_record_name_and_the_outcome_of_the_push(self):
        template = self.env["product.template"].create({"name": "Lantern", "sale_ok": True})
        event = self.events("product.changed", f"product:{template.id}")
        self.assertEqual((event.record_name, event.outcome), ("Lantern", "waiting"))
        event.write({"state": "done"})
        self.api.record_sync_result({"model": "product.template", "res_id": template.id,
                                     "state": "error", "message": "Shopify refused: bad title"})
        event.invalidate_recordset()
        self.assertEqual(event.outcome, "failed")
        self.assertEqual(dict(event._fields["state"].selection)["done"], "Handed over")


@tagged("shopify_sync", "at_install")
class TestWhichContactsArePushed(ShopifySyncCase):
    def test_resync_pushes_customers_but_never_internal_users_vendors_or_contacts_without_sale(
            self):
        customer, _result = self.import_order(9351)
        customer = customer.partner_id
        customer.shopify_gid = False  # as if never linked: the rule decides
        admin = self.env.ref("base.user_admin").partner_id
        vendor = self.env["res.partner"].create({"name": "Supplier", "email": "v@example.com",
                                                 "supplier_rank": 1})
        nobody = self.env["res.partner"].create({"name": "Lead", "email": "l@example.com"})
        ticked = self.env["res.partner"].create({"name": "Ticked", "email": "t@example.com",
                                                 "shopify_sync": True})
        self.clear_events()
        ids = [customer.id, admin.id, vendor.id, nobody.id, ticked.id]
        preview = self.api.request_resync({"model": "res.partner", "ids": ids, "dry_run": True})
        self.assertFalse(self.events("customer.changed"), "a dry run queues nothing")
        self.assertEqual(preview["queued"], 2)
        reasons = {row["id"]: row["reason"] for row in preview["skipped"]}
        self.assertEqual(reasons, {admin.id: "internal_user", vendor.id: "vendor",
                                   nobody.id: "no_sale"})
        answer = self.api.request_resync({"model": "res.partner", "ids": ids})
        self.assertEqual(answer["skipped"], preview["skipped"])
        pushed = self.events("customer.changed").mapped("res_id")
        self.assertEqual(sorted(pushed), sorted([customer.id, ticked.id]))

    def test_the_resync_button_says_who_it_left_out(self):
        vendor = self.env["res.partner"].create({"name": "Supplier", "supplier_rank": 1})
        action = vendor.with_user(self.manager_user).action_shopify_resync()
        self.assertIn("1 contact(s) not pushed", action["params"]["message"])
        self.assertFalse(vendor.shopify_state)


@tagged("shopify_sync", "at_install")
class TestAdminTools(ShopifySyncCase):
    def setUp(self):
        super().setUp()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("shopify_sync.sidecar_url", "http://127.0.0.1:9")
        params.set_param("shopify_sync.admin_token", "test-admin-token")
        self.overview = self.env.ref("shopify_sync.overview_main").with_user(self.manager_user)

    def test_test_connection_stores_the_sidecar_status_and_says_what_answered(self):
        from .test_api_status import status_doc
        sidecar = Sidecar({("GET", "/api/status"): (200, status_doc())})
        with patch(REQUEST, side_effect=sidecar):
            action = self.overview.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("Sidecar 0.3.0 answered", action["params"]["message"])
        self.env.invalidate_all()
        self.assertEqual(self.overview.connection_state, "ok")
        self.assertIn("15 of 16 topics subscribed", self.overview.webhooks_html)

    def test_test_connection_reports_a_refused_token(self):
        with patch(REQUEST, side_effect=Sidecar({("GET", "/api/status"): (401, {})})):
            action = self.overview.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("refused the admin token", action["params"]["message"])
        self.assertNotIn("test-admin-token", action["params"]["message"])
        self.assertEqual(self.overview.connection_state, "failed")

    def test_go_live_runs_a_dry_run_then_the_real_onboarding(self):
        report = {"dryRun": True, "counts": {"productsLinked": 2, "variantsLinked": 3,
                                             "customersLinked": 1},
                  "push": {"products": 4, "customers": 2,
                           "skipped": [{"reason": "internal_user", "count": 1}]},
                  "plan": {"conflicts": [{"message": "SKU X is on two Shopify variants"}]},
                  "writeErrors": []}
        sidecar = Sidecar({("POST", "/onboarding"): (200, report)})
        wizard = self.env["shopify.go.live"].with_user(self.manager_user).create({})
        with patch(REQUEST, side_effect=sidecar):
            wizard.action_dry_run()
            self.assertEqual(wizard.state, "reviewed")
            self.assertIn("Would be pushed to Shopify afterwards: 4 products, 2 customers",
                          wizard.report_html)
            self.assertIn("Not pushed: 1 internal users", wizard.report_html)
            self.assertIn("SKU X is on two Shopify variants", wizard.report_html)
            wizard.action_go_live()
        self.assertEqual([call[1] for call in sidecar.calls],
                         ["/onboarding?dry_run=1", "/onboarding?dry_run=0"])
        self.assertEqual(wizard.state, "done")
        self.assertIn("Products", wizard.progress_html)

    def test_locations_are_picked_from_the_shops_list(self):
        locations = {"locations": [
            {"id": "gid://shopify/Location/1", "name": "Main store", "isActive": True},
            {"id": "gid://shopify/Location/2", "name": "Pop-up", "isActive": True}]}
        with patch(REQUEST, side_effect=Sidecar({("GET", "/api/shopify/locations"): (
                200, locations)})):
            wizard = self.env["shopify.location.import"].with_user(self.manager_user).create({})
        self.assertEqual(wizard.line_ids.mapped("name"), ["Main store", "Pop-up"])
        self.assertEqual(wizard.line_ids[0].warehouse_id, self.warehouse, "already mapped")
        second = self.env["stock.warehouse"].create({"name": "Pop-up WH", "code": "POP"})
        wizard.line_ids[1].warehouse_id = second
        wizard.action_apply()
        mapping = self.env["shopify.location.map"].search(
            [("location_gid", "=", "gid://shopify/Location/2")])
        self.assertEqual((mapping.name, mapping.warehouse_id), ("Pop-up", second))

    def test_reimport_an_order_by_number(self):
        sidecar = Sidecar({("POST", "/api/orders/reimport"): (
            200, {"name": "#1001", "orderGid": "gid://shopify/Order/1001"})})
        wizard = self.env["shopify.order.reimport"].with_user(self.manager_user).create(
            {"order_name": "1001"})
        with patch(REQUEST, side_effect=sidecar):
            action = wizard.action_reimport()
        self.assertEqual(sidecar.calls[0][2], {"name": "#1001"})
        self.assertIn("#1001", action["params"]["message"])
        wizard = self.env["shopify.order.reimport"].create({"order_name": "#9999"})
        with patch(REQUEST, side_effect=Sidecar({})), \
                self.assertRaisesRegex(UserError, "Shopify has no order #9999"):
            wizard.action_reimport()

    def test_tools_say_what_to_set_when_the_sidecar_is_not_configured(self):
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.admin_token", "")
        with self.assertRaisesRegex(UserError, "Set the sidecar URL and its admin token"):
            self.env["shopify.sidecar"]._call("GET", "/api/status")

    def test_labels_are_plain_words(self):
        order, _result = self.import_order(9361, financial_status="partially_refunded")
        order.shopify_fulfillment_status = "partially_fulfilled"
        self.assertEqual(order.shopify_financial_status_label, "Partially refunded")
        self.assertEqual(order.shopify_fulfillment_status_label, "Partially fulfilled")
        overview = self.env["shopify.sync.overview"]
        self.assertEqual(overview._fields["sidecar_dlq_depth"].string, "Dead letters")
        self.assertTrue(json.dumps(overview.fields_get(["sidecar_dlq_depth"])))
