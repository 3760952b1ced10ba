"""Outbox RPC, products, customers, erasure, deliveries, sync results, UI models."""
from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .. import compat
from . import schema_check
from .common import ShopifySyncCase


@tagged("shopify_sync", "at_install")
class TestOutboxApi(ShopifySyncCase):
    def setUp(self):
        super().setUp()
        self.clear_events()

    def test_contract_version_reports_versions_and_records_contact(self):
        result = self.api.contract_version({"sidecar_version": "0.3.0"})
        self.assertEqual(result["contract_version"], "1.9")
        module = self.env["ir.module.module"].search([("name", "=", "shopify_sync")])
        # The installed version (the code's while the module is being installed; during `-u`
        # from an older version, the older one until the upgrade is done).
        self.assertEqual(result["addon_version"],
                         module.latest_version or module.installed_version)
        # The manifest's x.y.z under the running server's series (compat.py, ODOO_MAJOR).
        self.assertTrue(result["addon_version"].startswith(f"{compat.ODOO_MAJOR}.0."))
        self.assertTrue(result["odoo_version"].startswith(str(compat.ODOO_MAJOR)))
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param("shopify_sync.last_sidecar_version"), "0.3.0")
        self.assertTrue(params.get_param("shopify_sync.last_contact_at"))

    def test_contract_version_refuses_a_sidecar_of_another_major(self):
        """The rule of contract/rules/contract-version.cases.json (lib/contract.py)."""
        self.assertEqual(self.api.contract_version(
            {"sidecar_version": "0.3.0", "contract_version": "1.10"})["contract_version"], "1.9")
        for spoken in ("2.0", "1", "v1.0"):
            with self.subTest(spoken=spoken), self.assertRaisesRegex(
                    ValidationError, rf"^contract_version: the sidecar speaks contract "
                                     rf"'{spoken}', this addon speaks 1.9"):
                self.api.contract_version({"sidecar_version": "9.0.0", "contract_version": spoken})

    def test_pull_leases_events_oldest_first_and_ack_removes_them(self):
        first = self.env["product.template"].create({"name": "A", "sale_ok": True})
        second = self.env["product.template"].create({"name": "B", "sale_ok": True})
        events = self.api.pull_events({"limit": 10, "lease_seconds": 60})["events"]
        self.assertEqual([e["res_id"] for e in events], [first.id, second.id])
        self.assertEqual(events[0]["type"], "product.changed")
        self.assertEqual(events[0]["key"], f"product:{first.id}")
        self.assertEqual(events[0]["attempts"], 1)
        self.assertTrue(events[0]["created_at"].endswith("Z"))
        # Leased events are not handed out again while the lease runs.
        self.assertEqual(self.api.pull_events({"limit": 10, "lease_seconds": 60})["events"], [])
        acked = self.api.ack_events({"uuids": [e["uuid"] for e in events]})
        self.assertEqual(acked, {"acknowledged": 2})
        self.assertEqual(self.api.ack_events({"uuids": [events[0]["uuid"]]}),
                         {"acknowledged": 0})

    def test_an_expired_lease_is_delivered_again_with_more_attempts(self):
        self.env["product.template"].create({"name": "A", "sale_ok": True})
        event = self.api.pull_events({"limit": 1, "lease_seconds": 60})["events"][0]
        record = self.env["shopify.sync.event"].sudo().search([("uuid", "=", event["uuid"])])
        record.write({"lease_until": fields.Datetime.now() - timedelta(seconds=1)})
        again = self.api.pull_events({"limit": 1, "lease_seconds": 60})["events"]
        self.assertEqual(again[0]["uuid"], event["uuid"])
        self.assertEqual(again[0]["attempts"], 2)

    def test_pull_events_validates_its_arguments(self):
        with self.assertRaisesRegex(ValidationError, "limit must be an integer"):
            self.api.pull_events({"limit": 0})
        # JSON true is not a number, though Python's bool is an int.
        with self.assertRaisesRegex(ValidationError, "limit must be an integer"):
            self.api.pull_events({"limit": True})
        with self.assertRaisesRegex(ValidationError, "lease_seconds must be an integer"):
            self.api.pull_events({"lease_seconds": True})


@tagged("shopify_sync", "at_install")
class TestProductsApi(ShopifySyncCase):
    def test_export_products_gives_variants_options_prices_and_ids(self):
        color = self.env["product.attribute"].create({
            "name": "Color", "value_ids": [(0, 0, {"name": "Red"}), (0, 0, {"name": "Blue"})]})
        Template = self.env["product.template"]
        template = Template.create(compat.vals(Template, {
            "name": "Shirt", "sale_ok": True, "list_price": 10.0, "is_storable": True,
            "attribute_line_ids": [(0, 0, {"attribute_id": color.id,
                                           "value_ids": [(6, 0, color.value_ids.ids)]})]}))
        template.product_variant_ids[0].default_code = "SHIRT-RED"
        doc = self.api.export_products({"template_ids": [template.id]})["products"][0]
        self.assertEqual(doc["odoo_id"], template.id)
        self.assertEqual(doc["options"], [{"name": "Color", "values": ["Red", "Blue"]}])
        self.assertEqual(len(doc["variants"]), 2)
        skus = sorted(v["sku"] or "" for v in doc["variants"])
        self.assertEqual(skus, ["", "SHIRT-RED"])
        self.assertEqual(doc["variants"][0]["price"], "10.00")
        self.assertEqual(doc["variants"][0]["option_values"][0]["option"], "Color")
        self.assertIsNone(doc["shopify_product_gid"])
        self.assertEqual(len(doc["content_hash"]), 64)

    def test_record_sync_result_binds_template_and_variants_without_events(self):
        self.clear_events()
        template = self.mug.product_tmpl_id
        doc = self.api.export_products({"template_ids": [template.id]})["products"][0]
        self.api.record_sync_result({
            "model": "product.template", "res_id": template.id, "state": "synced",
            "shopify_gid": "gid://shopify/Product/1", "content_hash": doc["content_hash"],
            "children": [{"model": "product.product", "res_id": self.mug.id,
                          "shopify_gid": "gid://shopify/ProductVariant/11",
                          "inventory_item_gid": "gid://shopify/InventoryItem/111"}]})
        self.assertEqual(template.shopify_state, "synced")
        self.assertEqual(template.shopify_gid, "gid://shopify/Product/1")
        self.assertEqual(template.shopify_admin_url,
                         "https://test-shop.myshopify.com/admin/products/1")
        self.assertEqual(self.mug.shopify_inventory_item_gid, "gid://shopify/InventoryItem/111")
        self.assertFalse(self.events("product.changed"))
        again = self.api.export_products({"template_ids": [template.id]})["products"][0]
        self.assertEqual(again["synced_hash"], again["content_hash"])
        self.api.record_sync_result({"model": "product.template", "res_id": template.id,
                                     "state": "error", "message": "userErrors: title blank"})
        self.assertEqual(template.shopify_error, "userErrors: title blank")

    def test_record_sync_result_refuses_unknown_models_and_records(self):
        with self.assertRaisesRegex(ValidationError, "model must be one of"):
            self.api.record_sync_result({"model": "res.users", "res_id": 1, "state": "synced"})
        with self.assertRaisesRegex(ValidationError, "does not exist"):
            self.api.record_sync_result({"model": "sale.order", "res_id": 999999,
                                         "state": "synced"})
        # Python's True is 1, and browse(True) the record with id 1: JSON true is no id.
        template = self.mug.product_tmpl_id
        self.assertTrue(self.env["product.template"].browse(1).exists())
        with self.assertRaisesRegex(
                ValidationError, r"^record_sync_result: product.template True does not exist$"):
            self.api.record_sync_result({"model": "product.template", "res_id": True,
                                         "state": "synced"})
        with self.assertRaisesRegex(
                ValidationError, rf"^record_sync_result: variant True is not a "
                                 rf"variant of product.template {template.id}$"):
            self.api.record_sync_result({
                "model": "product.template", "res_id": template.id, "state": "synced",
                "children": [{"model": "product.product", "res_id": True}]})

    @mute_logger("odoo.sql_db")
    def test_one_shopify_id_per_shop_is_enforced_by_the_database(self):
        self.mug.product_tmpl_id._shopify_set_result("synced", gid="gid://shopify/Product/5")
        with self.assertRaises(Exception):
            with self.env.cr.savepoint():
                self.tee.product_tmpl_id._shopify_set_result(
                    "synced", gid="gid://shopify/Product/5")
                self.env.flush_all()


@tagged("shopify_sync", "at_install")
class TestCustomersApi(ShopifySyncCase):
    def customer_doc(self, number, **overrides):
        doc = {"customer_gid": f"gid://shopify/Customer/{number}",
               "email": f"c{number}@example.com", "first_name": "Ann", "last_name": "Lee",
               "phone": "+15550100", "updated_at": "2026-11-27T10:00:00Z",
               "default_address": {"name": "Ann Lee", "company": None, "address1": "2 Oak St",
                                   "address2": None, "city": "Austin", "province_code": "TX",
                                   "zip": "73301", "country_code": "US", "phone": None}}
        doc.update(overrides)
        return doc

    def test_upsert_customer_creates_then_is_unchanged_then_updates(self):
        first = self.api.upsert_customer(self.customer_doc(5001))
        self.assertEqual(first["status"], "created")
        partner = self.env["res.partner"].browse(first["partner_id"])
        self.assertEqual((partner.name, partner.city, partner.state_id.code),
                         ("Ann Lee", "Austin", "TX"))
        self.assertEqual(self.api.upsert_customer(self.customer_doc(5001))["status"], "unchanged")
        updated = self.api.upsert_customer(self.customer_doc(5001, phone="+15550199"))
        self.assertEqual((updated["status"], partner.phone), ("updated", "+15550199"))

    def test_matching_is_by_normalised_email_and_never_by_name(self):
        by_email = self.env["res.partner"].create({"name": "Someone", "email": "ann@example.com"})
        self.env["res.partner"].create({"name": "Ann Lee"})
        result = self.api.upsert_customer(self.customer_doc(5002, email="  ANN@Example.com "))
        self.assertEqual((result["status"], result["partner_id"]), ("linked", by_email.id))
        self.assertEqual(by_email.shopify_gid, "gid://shopify/Customer/5002")
        other = self.api.upsert_customer(self.customer_doc(5003, email="new@example.com"))
        self.assertEqual(other["status"], "created")

    def test_export_customers_gives_documents_with_partner_id(self):
        partner = self.env["res.partner"].create({
            "name": "Bo Jackson", "email": "bo@example.com", "city": "Austin",
            "country_id": self.env.ref("base.us").id})
        doc = self.api.export_customers({"partner_ids": [partner.id]})["customers"][0]
        self.assertEqual((doc["first_name"], doc["last_name"]), ("Bo", "Jackson"))
        self.assertEqual(doc["partner_id"], partner.id)
        self.assertEqual(doc["default_address"]["country_code"], "US")
        self.assertIsNone(doc["customer_gid"])

    def test_erase_customer_anonymises_partner_and_addresses_but_keeps_invoices(self):
        order, _result = self.import_order(5004)
        invoice = self.invoice(order)
        partner = order.partner_id
        self.assertTrue(partner.child_ids)
        result = self.api.erase_customer({"customer_gid": "gid://shopify/Customer/5004"})
        self.assertEqual(result["status"], "erased")
        self.assertIn(partner.id, result["partner_ids"])
        for person in partner | partner.with_context(active_test=False).child_ids:
            self.assertFalse(person.email or person.phone or person.street or person.city)
            self.assertTrue(person.name.startswith("Redacted customer"))
            self.assertFalse(person.active)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.partner_id, order.partner_invoice_id)
        self.assertFalse(self.env["mail.tracking.value"].sudo().search(
            [("old_value_char", "=", "buyer5004@example.com")]))
        self.assertEqual(self.api.erase_customer({"email": "nobody@example.com"}),
                         {"status": "not_found", "partner_ids": []})
        # A later upsert never resurrects erased data.
        self.assertEqual(self.api.upsert_customer(self.customer_doc(5004))["status"], "unchanged")


@tagged("shopify_sync", "at_install")
class TestDeliveryApi(ShopifySyncCase):
    def test_export_delivery_gives_lines_by_shopify_line_and_records_fulfillments(self):
        order, _result = self.import_order(6001)
        picking = self.deliver(order)
        doc = self.api.export_delivery({"picking_id": picking.id})
        line_gid = order.order_line.filtered(
            lambda line: line.shopify_line_role == "product").shopify_line_gid
        self.assertEqual(doc["order_gid"], order.shopify_gid)
        self.assertFalse(doc["is_return"])
        self.assertEqual(doc["lines"], [{"line_gid": line_gid, "sku": "MUG-RED", "quantity": 2}])
        self.assertEqual(doc["location_gid"], "gid://shopify/Location/1")
        self.api.record_sync_result({"model": "stock.picking", "res_id": picking.id,
                                     "state": "synced",
                                     "shopify_gid": "gid://shopify/Fulfillment/1"})
        doc = self.api.export_delivery({"picking_id": picking.id})
        self.assertEqual(doc["fulfillment_gids"], ["gid://shopify/Fulfillment/1"])
        self.assertEqual(picking.shopify_state, "synced")

    def test_export_delivery_of_a_non_shopify_picking_is_refused(self):
        order = self.env["sale.order"].create({
            "partner_id": self.env["res.partner"].create({"name": "Walk-in"}).id,
            "order_line": [(0, 0, {"product_id": self.mug.id, "product_uom_qty": 1})]})
        order.action_confirm()
        with self.assertRaisesRegex(ValidationError, "is not for a Shopify order"):
            self.api.export_delivery({"picking_id": order.picking_ids.id})
        with self.assertRaisesRegex(ValidationError, "picking_id must be an integer"):
            self.api.export_delivery({"picking_id": True})


@tagged("shopify_sync", "at_install")
class TestUi(ShopifySyncCase):
    def test_errors_list_shows_records_in_error_and_retry_queues_an_event(self):
        result = self.api.apply_order(self.order_doc(7001, total_price="1.00"))
        order = self.env["sale.order"].browse(result["sale_order_id"])
        status = self.env["shopify.sync.status"].search(
            [("model", "=", "sale.order"), ("res_id", "=", order.id)])
        self.assertEqual(status.state, "error")
        self.assertIn("differs", status.error)
        self.clear_events()
        status.with_user(self.manager_user).action_retry()
        event = self.events("order.reimport")
        self.assertEqual(event.payload["order_gid"], order.shopify_gid)
        self.assertEqual(order.shopify_state, "pending")

    def test_overview_counts_states_and_shows_the_oldest_pending_event(self):
        self.import_order(7002)
        self.env["product.template"].create({"name": "Pending", "sale_ok": True})
        overview = self.env.ref("shopify_sync.overview_main").with_user(self.shopify_user)
        self.assertIn("Sales order", overview.summary_html)
        self.assertTrue(overview.oldest_pending_event)
        self.assertGreaterEqual(overview.pending_events, 1)

    def test_resync_actions_emit_events_for_products_customers_and_deliveries(self):
        order, _result = self.import_order(7003)
        picking = self.deliver(order)
        self.clear_events()
        self.mug.product_tmpl_id.with_user(self.manager_user).action_shopify_resync()
        order.partner_id.with_user(self.manager_user).action_shopify_resync()
        picking.action_shopify_resync()
        self.assertTrue(self.events("product.changed"))
        self.assertTrue(self.events("customer.changed"))
        self.assertTrue(self.events("delivery.done"))

    def test_full_resync_wizard_queues_products_and_stock(self):
        self.clear_events()
        wizard = self.env["shopify.full.resync"].with_user(self.manager_user).create(
            {"products": True, "stock": True, "customers": False})
        wizard.action_run()
        self.assertTrue(self.events("product.changed", f"product:{self.mug.product_tmpl_id.id}"))
        self.assertTrue(
            self.events("stock.changed", f"stock:{self.mug.id}:gid://shopify/Location/1"))
        self.assertGreater(wizard.event_count, 1)


@tagged("shopify_sync", "at_install")
class TestSchemas(ShopifySyncCase):
    """Documents sent and returned match contract/schemas/*.schema.json."""

    def setUp(self):
        super().setUp()
        if not schema_check.available():
            self.skipTest("contract/schemas not found next to the addon")

    def assertValid(self, name, document):
        problems = schema_check.errors(schema_check.load(name), document)
        self.assertFalse(problems, f"{name}: {problems}")

    def test_every_document_matches_its_json_schema(self):
        doc = self.order_doc(9001)
        self.assertValid("OrderDocument", doc)
        self.assertValid("CustomerDocument", doc["customer"])
        order, _result = self.import_order(9001)
        self.assertValid("ProductDocument",
                         self.api.export_products({"template_ids": [self.mug.product_tmpl_id.id]})
                         ["products"][0])
        for level in self.api.stock_levels({"product_ids": [self.mug.id]})["levels"]:
            self.assertValid("StockLevel", level)
        picking = self.deliver(order)
        self.assertValid("FulfillmentDocument",
                         self.api.export_delivery({"picking_id": picking.id}))
        events = self.api.pull_events({"limit": 100, "lease_seconds": 60})["events"]
        self.assertTrue(events)
        for event in events:
            self.assertValid("OutboxEvent", event)
        line = order.order_line.filtered(lambda line: line.shopify_line_role == "product")
        refund = {"refund_gid": "gid://shopify/Refund/9001", "order_gid": order.shopify_gid,
                  "created_at": "2026-11-28T09:00:00Z", "note": None, "adjustments": [],
                  "shipping": {"amount": "0.00", "tax": "0.00"}, "total": "15.00",
                  "lines": [{"line_gid": line.shopify_line_gid, "sku": "MUG-RED", "quantity": 1,
                             "subtotal": "12.50", "total_tax": "2.50",
                             "restock_type": "no_restock", "location_gid": None}]}
        self.assertValid("RefundDocument", refund)
        ret = {"return_gid": "gid://shopify/Return/9001", "order_gid": order.shopify_gid,
               "status": "OPEN", "lines": [{"line_gid": line.shopify_line_gid,
                                            "sku": "MUG-RED", "quantity": 1}]}
        self.assertValid("ReturnDocument", ret)
        result = {"model": "stock.picking", "res_id": picking.id, "state": "synced",
                  "shopify_gid": "gid://shopify/Fulfillment/1"}
        self.assertValid("SyncResult", result)
        self.assertEqual(self.api.apply_refund(refund)["status"], "created")
        self.assertEqual(self.api.apply_return(ret)["status"], "created")
        self.api.record_sync_result(result)

    def test_the_schema_checker_reports_violations(self):
        problems = schema_check.errors(schema_check.load("OrderDocument"),
                                       self.order_doc(9002, total_price=36.0, extra=1))
        self.assertIn("$.total_price: expected string, got 36.0", problems)
        self.assertIn("$: unexpected property 'extra'", problems)


@tagged("shopify_sync", "at_install")
class TestLocking(ShopifySyncCase):
    @mute_logger("odoo.sql_db")
    def test_a_call_whose_snapshot_predates_another_commit_on_its_key_is_retried(self):
        """The key row turns a stale REPEATABLE READ snapshot into a serialization failure,
        which Odoo's RPC layer retries in a fresh transaction."""
        import uuid

        import psycopg2

        from odoo import sql_db

        key = f"test:{uuid.uuid4()}"
        self.env.cr.execute(SQL("SELECT 1"))  # the test transaction's snapshot already exists
        other = sql_db.db_connect(self.env.cr.dbname).cursor()
        try:
            other.execute(SQL(
                "INSERT INTO shopify_sync_key (key, touched_at) VALUES (%s, now())", key))
            other.commit()
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                with self.env.cr.savepoint():
                    self.api._lock(key)
            fresh = f"test:{uuid.uuid4()}"
            self.api._lock(fresh)  # a key nobody touched is taken at once
            self.api._lock(fresh)  # and is re-entrant within the transaction
        finally:
            other.execute(SQL("DELETE FROM shopify_sync_key WHERE key = %s", key))
            other.commit()
            other.close()
