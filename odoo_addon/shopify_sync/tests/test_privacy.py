"""Privacy requests (contract area `privacy`, model shopify.privacy.request): Shopify's
compliance requests and the erasure started in Odoo, idempotent by request, with Shopify's
rule for open orders, the export, the activities of the privacy group and the audit fields."""
import json
from datetime import date, timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import ShopifySyncCase

RECEIVED = "2026-11-27T10:00:00Z"


@tagged("shopify_sync", "at_install")
class TestPrivacyRequests(ShopifySyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer = new_test_user(cls.env, login="privacy-officer",
                                    groups="shopify_sync.group_shopify_privacy")
        group = cls.env.ref("shopify_sync.group_shopify_privacy")
        cls.env["ir.config_parameter"].sudo().set_param(
            "shopify_sync.privacy_group_id", str(group.id))

    def redact(self, number, key=None, **extra):
        doc = {"request_key": key or f"webhook:redact-{number}", "received_at": RECEIVED,
               "customer_gid": f"gid://shopify/Customer/{number}",
               "email": f"buyer{number}@example.com",
               "order_gids": [f"gid://shopify/Order/{number}"]}
        doc.update(extra)
        return self.api.privacy_redact_customer(doc)

    def request(self, result):
        return self.env["shopify.privacy.request"].browse(result["request_id"])

    def todo_users(self, request):
        return request.activity_ids.mapped("user_id")

    # -- customers/data_request ------------------------------------------------------------
    def test_data_request_attaches_the_export_once_and_asks_the_group_to_send_it(self):
        order, _result = self.import_order(7101)
        invoice = self.invoice(order)
        doc = {"request_key": "webhook:data-7101", "received_at": RECEIVED,
               "shopify_request_id": "9999", "customer_gid": "gid://shopify/Customer/7101",
               "email": "buyer7101@example.com", "phone": None,
               "order_gids": ["gid://shopify/Order/7101"],
               "sidecar_data": {"webhook_payloads": [{"topic": "orders/create",
                                                      "received_at": RECEIVED,
                                                      "payload": {"id": 7101}}]}}
        result = self.api.privacy_data_request(doc)
        request = self.request(result)
        self.assertEqual((result["state"], request.kind), ("done", "data_request"))
        self.assertEqual(request.due_date, date(2026, 12, 27))
        self.assertEqual(request.shopify_request_id, "9999")
        self.assertEqual(request.done_by, "sidecar (Shopify customers/data_request)")
        self.assertIn(order.partner_id.id, result["partner_ids"])
        self.assertEqual(result["sale_order_ids"], [order.id])
        files = self.env["ir.attachment"].browse(result["attachment_ids"])
        self.assertEqual(sorted(files.mapped("mimetype")), ["application/json", "text/plain"])
        export = json.loads(files.filtered(lambda f: f.mimetype == "application/json").raw)
        emails = [p["email"] for p in export["odoo"]["partners"]]
        self.assertIn("buyer7101@example.com", emails)
        self.assertEqual(export["odoo"]["sale_orders"][0]["amount_total"], "36.00")
        self.assertEqual(export["odoo"]["sale_orders"][0]["lines"][0]["quantity"], 2)
        self.assertEqual([i["name"] for i in export["odoo"]["invoices"]], [invoice.name])
        self.assertEqual(export["sidecar"], doc["sidecar_data"])
        summary = files.filtered(lambda f: f.mimetype == "text/plain").raw.decode()
        self.assertIn("Sales orders: 1", summary)
        self.assertIn("Stored webhook payloads: 1", summary)
        # The people of the privacy group, with the due date.
        self.assertIn(self.officer, self.todo_users(request))
        self.assertEqual(set(request.activity_ids.mapped("date_deadline")), {date(2026, 12, 27)})
        again = self.api.privacy_data_request(doc)
        self.assertEqual(again["request_id"], result["request_id"])
        self.assertEqual(again["attachment_ids"], result["attachment_ids"])
        self.assertEqual(len(request.activity_ids), len(self.todo_users(request)))

    # -- customers/redact ------------------------------------------------------------------
    def test_redaction_waits_for_open_orders_and_finishes_once_they_are_delivered(self):
        order, _result = self.import_order(7201)
        partner = order.partner_id
        result = self.redact(7201)
        request = self.request(result)
        self.assertEqual((result["state"], result["open_orders"]), ("waiting", [order.name]))
        self.assertIn(order.name, request.waiting_reason)
        self.assertEqual(partner.email, "buyer7201@example.com", "nothing erased while open")
        self.assertIn(self.officer, self.todo_users(request))
        self.api.privacy_record_result({"request_id": request.id,
                                        "sidecar": {"inbox_payloads_purged": 2}})
        self.assertEqual(request.state, "waiting")
        # Handled again (a retried job): still the same request, still waiting.
        self.assertEqual(self.redact(7201)["request_id"], request.id)
        self.deliver(order)
        request.with_user(self.officer).action_recheck()
        self.assertEqual(request.state, "done")
        self.assertEqual(request.done_by, self.officer.name)
        self.assertFalse(request.activity_ids, "the group's to-dos are closed")
        self.assertTrue(partner.shopify_erased)
        self.assertFalse(partner.email or partner.street)
        self.assertIn("contacts anonymised", request.outcome)
        self.assertIn("inbox payloads purged", request.sidecar_outcome)

    def test_cron_finishes_waiting_erasures(self):
        order, _result = self.import_order(7202)
        request = self.request(self.redact(7202))
        self.api.privacy_record_result({"request_id": request.id, "sidecar": {}})
        self.deliver(order)
        self.env["shopify.privacy.request"]._cron_recheck_waiting()
        self.assertEqual(request.state, "done")
        self.assertEqual(request.done_by, "cron: Shopify privacy requests")

    def test_redaction_anonymises_chatter_and_notes_and_keeps_accounting(self):
        order, _result = self.import_order(7301, note="Leave it with Jane at 1 Main St")
        self.deliver(order)
        invoice = self.invoice(order)
        partner = order.partner_id
        shipping = order.partner_shipping_id
        partner.message_post(body="Jane called from buyer7301@example.com")
        # A tracked change naming the customer on the order (the customer's display name).
        other = self.env["res.partner"].create({"name": "Someone Else"})
        order.with_context(tracking_disable=False).write({"partner_invoice_id": other.id})
        order.with_context(tracking_disable=False).write({"partner_invoice_id": shipping.id})
        result = self.redact(7301)
        request = self.request(result)
        self.assertEqual(result["open_orders"], [])
        self.assertEqual(request.state, "received", "the sidecar's part is not recorded yet")
        self.api.privacy_record_result({"request_id": request.id,
                                        "sidecar": {"inbox_payloads_purged": 3}})
        self.assertEqual(request.state, "done")
        for person in partner | shipping:
            self.assertFalse(person.email or person.phone or person.street or person.city)
            self.assertTrue(person.name.startswith("Redacted customer"))
        self.assertFalse(order.note)
        Message = self.env["mail.message"].sudo()
        self.assertFalse(Message.search([("body", "ilike", "buyer7301@example.com")]))
        Tracking = self.env["mail.tracking.value"].sudo()
        self.assertFalse(Tracking.search(["|", ("old_value_char", "ilike", "Jane Doe"),
                                          ("new_value_char", "ilike", "Jane Doe")]))
        self.assertEqual((invoice.state, invoice.amount_total), ("posted", 36.0))
        self.assertEqual(invoice.partner_id.commercial_partner_id, partner)
        self.assertIn("invoices and credit notes kept", request.outcome)
        # Shopify's later webhooks do not bring the customer or their addresses back.
        self.assertEqual(self.api.upsert_customer(dict(
            self.order_doc(7301)["customer"], first_name="Janet"))["status"], "unchanged")
        self.api.apply_order(self.order_doc(7301, updated_at="2026-11-28T10:00:00Z",
                                            note="Again at 1 Main St"))
        self.assertFalse(self.env["res.partner"].with_context(active_test=False).search(
            [("street", "=", "1 Main St"), ("parent_id", "=", partner.id)]))
        self.assertFalse(order.note)

    def test_redaction_of_a_customer_odoo_never_saw_is_done_with_nothing_erased(self):
        result = self.redact(7401)
        request = self.request(result)
        self.assertEqual(result["partner_ids"], [])
        self.api.privacy_record_result({"request_id": request.id, "sidecar": {}})
        self.assertEqual(request.state, "done")
        self.assertIn("nothing", request.outcome)

    def test_an_erasure_removes_the_export_of_an_earlier_data_request(self):
        order, _result = self.import_order(7501)
        self.deliver(order)
        data = self.api.privacy_data_request({
            "request_key": "webhook:data-7501", "received_at": RECEIVED,
            "customer_gid": "gid://shopify/Customer/7501", "order_gids": [],
            "sidecar_data": {}})
        self.redact(7501)
        self.assertFalse(self.env["ir.attachment"].browse(data["attachment_ids"]).exists())
        self.assertIn("Export removed by the erasure", self.request(data).outcome)

    # -- shop/redact -----------------------------------------------------------------------
    def test_shop_redaction_removes_every_shopify_id_and_keeps_the_records(self):
        order, _result = self.import_order(7601)
        partner = order.partner_id
        self.env["shopify.sync.event"].sudo().create({
            "type": "order.reimport", "model": "sale.order", "res_id": order.id,
            "key": f"order:{order.shopify_gid}", "payload": {}})
        result = self.api.privacy_redact_shop({"request_key": "webhook:shop", "received_at":
                                               RECEIVED, "shop_domain": "test-shop.myshopify.com"})
        self.assertGreaterEqual(result["unbound"]["sale.order"], 1)
        self.assertGreaterEqual(result["unbound"]["shopify.sync.event"], 1)
        self.assertFalse(order.shopify_gid or partner.shopify_gid)
        self.assertFalse(order.order_line.filtered("shopify_line_gid"))
        self.assertTrue(order.exists() and partner.exists() and partner.email)
        self.assertFalse(self.env["shopify.sync.event"].sudo().search([]))
        request = self.request(result)
        self.api.privacy_record_result({"request_id": request.id, "sidecar": {"jobs_deleted": 4}})
        self.assertEqual(request.state, "done")
        again = self.api.privacy_redact_shop({"request_key": "webhook:shop", "received_at":
                                              RECEIVED, "shop_domain": "test-shop.myshopify.com"})
        self.assertEqual((again["request_id"], again["unbound"]), (request.id, {}))
        with self.assertRaisesRegex(ValidationError, "not this database's shop"):
            self.api.privacy_redact_shop({"request_key": "webhook:other", "received_at": RECEIVED,
                                          "shop_domain": "other-shop.myshopify.com"})

    # -- erasure started in Odoo -----------------------------------------------------------
    def test_erase_personal_data_records_a_request_and_asks_the_sidecar_for_shopify(self):
        partner = self.env["res.partner"].create({"name": "Erase Me", "email": "e@example.com"})
        partner._shopify_set_result("synced", gid="gid://shopify/Customer/77")
        action = partner.with_user(self.manager_user).action_shopify_erase()
        request = self.env["shopify.privacy.request"].browse(action["res_id"])
        self.assertEqual((request.kind, request.requested_by_id), ("erasure", self.manager_user))
        self.assertTrue(request.odoo_done and partner.shopify_erased)
        self.assertEqual(request.state, "received", "Shopify's answer is still to come")
        event = self.events("customer.erased")
        self.assertEqual(event.payload, {"partner_id": partner.id,
                                         "customer_gid": "gid://shopify/Customer/77",
                                         "request_id": request.id, "order_gids": []})
        self.api.privacy_record_result({"request_id": request.id,
                                        "shopify": {"status": "requested"},
                                        "sidecar": {"inbox_payloads_purged": 0}})
        self.assertEqual(request.state, "done")
        self.assertEqual(request.shopify_status, "requested")

    def test_a_refused_shopify_erasure_fails_the_request_visibly(self):
        partner = self.env["res.partner"].create({"name": "Refused", "email": "r@example.com"})
        partner._shopify_set_result("synced", gid="gid://shopify/Customer/78")
        action = partner.with_user(self.manager_user).action_shopify_erase()
        request = self.env["shopify.privacy.request"].browse(action["res_id"])
        self.api.privacy_record_result({
            "request_id": request.id, "shopify": {"status": "failed", "code": "FAILED_TO_REQUEST",
                                                  "message": "Failed to request."}})
        self.assertEqual(request.state, "error")
        self.assertIn("FAILED_TO_REQUEST", request.shopify_message)
        self.assertIn(self.officer, self.todo_users(request))

    def test_an_unbound_contact_is_erased_without_asking_shopify(self):
        partner = self.env["res.partner"].create({"name": "Local Only", "email": "l@example.com"})
        action = partner.with_user(self.manager_user).action_shopify_erase()
        request = self.env["shopify.privacy.request"].browse(action["res_id"])
        self.assertEqual(request.state, "done")
        self.assertFalse(self.events("customer.erased"))

    # -- alerts, access and input ----------------------------------------------------------
    def test_open_requests_due_before_a_date_feed_the_sidecars_alert(self):
        self.import_order(7701)
        waiting = self.request(self.redact(7701))
        done = self.request(self.redact(7702))
        self.api.privacy_record_result({"request_id": done.id, "sidecar": {}})
        due = waiting.due_date
        listed = self.api.open_privacy_requests({"due_before": str(due)})["requests"]
        self.assertIn(waiting.id, [r["request_id"] for r in listed])
        self.assertNotIn(done.id, [r["request_id"] for r in listed])
        self.assertEqual(listed[0]["received_at"], RECEIVED)
        earlier = self.api.open_privacy_requests(
            {"due_before": str(due - timedelta(days=1))})["requests"]
        self.assertNotIn(waiting.id, [r["request_id"] for r in earlier])
        for bad in ("soon", "2026-13-40", 20261231, None):
            with self.assertRaisesRegex(ValidationError, "due_before must be a date"):
                self.api.open_privacy_requests({"due_before": bad})

    def test_requests_are_visible_to_the_privacy_group_only(self):
        request = self.request(self.redact(7801))
        self.assertEqual(request.with_user(self.officer).read(["name"])[0]["name"], request.name)
        with self.assertRaises(AccessError):
            request.with_user(self.plain_user).read(["name"])
        with self.assertRaises(AccessError):
            request.with_user(self.plain_user).action_recheck()

    def test_bad_input_is_refused_naming_the_field(self):
        with self.assertRaisesRegex(ValidationError, "order_gids"):
            self.redact(7901, order_gids=["gid://shopify/Customer/1"])
        with self.assertRaisesRegex(ValidationError, "received_at"):
            self.redact(7901, received_at="yesterday")
        with self.assertRaisesRegex(ValidationError, "sidecar must map"):
            self.api.privacy_record_result({"request_id": self.request(self.redact(7902)).id,
                                            "sidecar": {"jobs": -1}})
        with self.assertRaisesRegex(ValidationError, "does not exist"):
            self.api.privacy_record_result({"request_id": 999999999, "sidecar": {}})
