"""Bugs the contract conformance suite found against a real Odoo (addon2):
integer quantities in messages, an integration user without email, the settings/upgrade
path of the config parameters, and tracking numbers through stock_delivery."""
import unittest

from odoo.exceptions import ValidationError
from odoo.modules.module import get_manifest
from odoo.tests import new_test_user, tagged
from odoo.tools import convert_file, mute_logger

from .. import compat
from .common import ShopifySyncCase


@tagged("shopify_sync", "at_install")
class TestQuantitiesInMessages(ShopifySyncCase):
    def test_return_beyond_a_partial_delivery_says_an_integer_quantity(self):
        order, _result = self.import_order(8001)
        self.deliver(order, {self.mug: 1})  # 1 of 2 delivered, the rest backordered
        line = order.order_line.filtered(lambda line: line.shopify_line_role == "product")
        with self.assertRaisesRegex(
                ValidationError,
                r"^return gid://shopify/Return/8001: cannot return 2 × MUG-RED: "
                r"only 1 delivered and not already returned$"):
            self.api.apply_return({
                "return_gid": "gid://shopify/Return/8001", "order_gid": order.shopify_gid,
                "status": "OPEN",
                "lines": [{"line_gid": line.shopify_line_gid, "sku": "MUG-RED", "quantity": 2}]})

    def test_refund_line_label_and_quantities_are_integers(self):
        order, _result = self.import_order(8002)
        self.invoice(order)
        line = order.order_line.filtered(lambda line: line.shopify_line_role == "product")
        # 2 units refunded for 25.01 (25.00 at the unit price): the two units on the credit
        # note at the unit price, and the 0.01 that is not a unit price on a line of its own.
        result = self.api.apply_refund({
            "refund_gid": "gid://shopify/Refund/8002", "order_gid": order.shopify_gid,
            "created_at": "2026-11-28T09:00:00Z", "note": None,
            "lines": [{"line_gid": line.shopify_line_gid, "sku": "MUG-RED", "quantity": 2,
                       "subtotal": "25.01", "total_tax": "5.00",
                       "restock_type": "no_restock", "location_gid": None}],
            "shipping": {"amount": "0.00", "tax": "0.00"}, "adjustments": [],
            "total": "30.01"})
        move = self.env["account.move"].browse(result["credit_note_id"])
        self.assertEqual(result["status"], "created")
        self.assertEqual(move.invoice_line_ids.mapped("quantity"), [2.0, 1.0])
        self.assertEqual(move.invoice_line_ids[0].sale_line_ids, line)
        self.assertEqual(move.invoice_line_ids[1].price_unit, 0.01)


@tagged("shopify_sync", "at_install")
class TestIntegrationUserWithoutEmail(ShopifySyncCase):
    """A customer's integration user often has no email. Odoo refuses message_post for
    such a user ("Unable to send message, please configure the sender's email address");
    the addon's writes must still go through, as they do over RPC (no tracking_disable)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mailless_user = new_test_user(
            cls.env, login="shopify-int-noemail", email=False,
            groups="shopify_sync.group_shopify_integration")
        # Like a JSON-RPC call: the user's own context, tracking and chatter enabled.
        cls.api = cls.env(user=cls.mailless_user, context={})["shopify.sync.api"]

    def test_the_user_really_has_no_email(self):
        self.assertFalse(self.mailless_user.email)
        self.assertFalse(self.api.env.context.get("tracking_disable"))

    def test_apply_return_works_and_posts_as_the_integration_user(self):
        order, result = self.import_order(8101)
        self.assertEqual(result["status"], "created")
        self.deliver(order)
        line = order.order_line.filtered(lambda line: line.shopify_line_role == "product")
        result = self.api.apply_return({
            "return_gid": "gid://shopify/Return/8101", "order_gid": order.shopify_gid,
            "status": "OPEN",
            "lines": [{"line_gid": line.shopify_line_gid, "sku": "MUG-RED", "quantity": 1}]})
        self.assertEqual(result["status"], "created")
        picking = self.env["stock.picking"].browse(result["picking_id"])
        message = picking.message_ids.filtered(
            lambda m: m.author_id == self.mailless_user.partner_id)[:1]
        self.assertTrue(message, "the return's chatter message is authored by the sidecar user")
        self.assertTrue(message.email_from, "a sender address is filled in")

    def test_a_refund_that_restocks_by_return_works(self):
        order, _result = self.import_order(8102)
        self.deliver(order)
        line = order.order_line.filtered(lambda line: line.shopify_line_role == "product")
        result = self.api.apply_refund({
            "refund_gid": "gid://shopify/Refund/8102", "order_gid": order.shopify_gid,
            "created_at": "2026-11-28T09:00:00Z", "note": None,
            "lines": [{"line_gid": line.shopify_line_gid, "sku": "MUG-RED", "quantity": 1,
                       "subtotal": "12.50", "total_tax": "2.50", "restock_type": "return",
                       "location_gid": "gid://shopify/Location/1"}],
            "shipping": {"amount": "0.00", "tax": "0.00"}, "adjustments": [],
            "total": "15.00"})
        self.assertEqual(result["status"], "created")
        returned = order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual(returned.state, "done")

    def test_editing_a_confirmed_order_works(self):
        order, _result = self.import_order(8103)
        self.assertEqual(order.state, "sale")
        doc = self.order_doc(8103, updated_at="2026-11-27T11:00:00Z", total_price="51.00",
                             subtotal_price="37.50", total_tax="8.50")
        doc["lines"][0].update(quantity=3, tax_lines=[
            {"title": "VAT", "rate": "0.2", "amount": "7.50"}])
        result = self.api.apply_order(doc)
        self.assertEqual(result["status"], "updated", result.get("message"))
        line = order.order_line.filtered(lambda line: line.shopify_line_role == "product")
        self.assertEqual(line.product_uom_qty, 3)
        # Lowering it again (not below delivered) works too.
        doc = dict(doc, updated_at="2026-11-27T12:00:00Z")
        doc["lines"] = [dict(doc["lines"][0], quantity=1, tax_lines=[
            {"title": "VAT", "rate": "0.2", "amount": "2.50"}])]
        doc.update(total_price="21.00", subtotal_price="12.50", total_tax="3.50")
        result = self.api.apply_order(doc)
        self.assertEqual(result["status"], "updated", result.get("message"))
        self.assertEqual(line.product_uom_qty, 1)

    def test_cancel_with_a_reason_works(self):
        order, _result = self.import_order(8104)
        result = self.api.cancel_order({"order_gid": order.shopify_gid,
                                        "cancelled_at": "2026-11-27T12:00:00Z",
                                        "reason": "customer"})
        self.assertEqual(result["status"], "cancelled")

    @unittest.skipUnless(compat.MAIL_AUTHOR_NEEDS_EMAIL,
                         "Odoo 19 no longer refuses a message of an author without email")
    def test_a_plain_user_without_email_still_gets_odoos_error(self):
        # The fallback is for the sidecar's calls only, not for every user without email.
        from odoo.exceptions import UserError
        user = new_test_user(self.env, login="plain-noemail", email=False,
                             groups="base.group_user,base.group_partner_manager")
        partner = self.env(user=user, context={})["res.partner"].create({"name": "X"})
        with self.assertRaisesRegex(UserError, "configure the sender's email"):
            partner.message_post(body="hello")


@tagged("shopify_sync", "at_install")
class TestConfigParametersSurviveSettingsAndUpgrade(ShopifySyncCase):
    def save_settings(self, **vals):
        self.env["res.config.settings"].create(vals).execute()

    def reload_module_data(self):
        """What `-u shopify_sync` does with the data files: load each again (update mode)."""
        for filename in get_manifest("shopify_sync")["data"]:
            convert_file(self.env, "shopify_sync", filename, {}, mode="update",
                         noupdate=False, kind="data")

    def test_safety_stock_saved_as_0_then_5_survives_an_upgrade(self):
        params = self.env["ir.config_parameter"].sudo()
        self.save_settings(shopify_safety_stock=0)
        # Saving 0 deletes the parameter row (and any XML id): the default applies.
        self.assertFalse(params.search([("key", "=", "shopify_sync.safety_stock")]))
        self.assertEqual(self.api.stock_levels({"product_ids": self.mug.ids})["levels"][0]
                         ["safety_stock"], 0)
        self.save_settings(shopify_safety_stock=5)
        self.assertEqual(params.get_param("shopify_sync.safety_stock"), "5")
        with mute_logger("odoo.sql_db"):
            self.reload_module_data()  # duplicate key on ir_config_parameter_key_uniq before
        self.assertEqual(params.get_param("shopify_sync.safety_stock"), "5")
        self.assertEqual(self.api.stock_levels({"product_ids": self.mug.ids})["levels"][0]
                         ["safety_stock"], 5)

    def test_without_parameters_the_defaults_apply(self):
        params = self.env["ir.config_parameter"].sudo()
        params.search([("key", "in", ("shopify_sync.safety_stock",
                                      "shopify_sync.import_policy"))]).unlink()
        settings = self.env["res.config.settings"].create({})
        self.assertEqual((settings.shopify_safety_stock, settings.shopify_import_policy),
                         (0, "all"))
        order, result = self.import_order(8201, financial_status="pending")
        self.assertEqual((result["status"], order.state), ("created", "sale"))
        self.assertEqual(self.api.stock_levels({"product_ids": self.mug.ids})["levels"][0]
                         ["safety_stock"], 0)


@tagged("shopify_sync", "at_install")
class TestTracking(ShopifySyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Carrier = cls.env["delivery.carrier"]
        cls.carrier = Carrier.create(compat.vals(Carrier, {
            "name": "Test Post", "delivery_type": "fixed", "fixed_price": 5.0,
            "tracking_url": "https://track.example/<shipmenttrackingnumber>",
            "product_id": cls.env["product.product"].create(
                {"name": "Test Post shipping", "type": "service"}).id,
        }))

    def test_the_addon_depends_on_stock_delivery(self):
        module = self.env["ir.module.module"].search([("name", "=", "shopify_sync")])
        self.assertIn("stock_delivery", module.dependencies_id.mapped("name"))
        self.assertIn("carrier_tracking_ref", self.env["stock.picking"]._fields)

    def test_export_delivery_gives_number_company_and_url(self):
        order, _result = self.import_order(8301)
        picking = self.deliver(order)
        doc = self.api.export_delivery({"picking_id": picking.id})
        self.assertEqual(doc["tracking"], {"number": None, "company": None, "url": None})
        picking.write({"carrier_id": self.carrier.id, "carrier_tracking_ref": "TRK-1"})
        doc = self.api.export_delivery({"picking_id": picking.id})
        # Odoo 17's carriers without a shipping connector have no tracking link (compat.py).
        url = "https://track.example/TRK-1" if compat.ODOO_MAJOR >= 18 else None
        self.assertEqual(doc["tracking"], {"number": "TRK-1", "company": "Test Post",
                                           "url": url})

    def test_a_tracking_change_after_delivery_emits_delivery_done_again(self):
        order, _result = self.import_order(8302)
        picking = self.deliver(order)
        event = self.events("delivery.done")
        # While the first delivery.done is pending, it will carry the new number anyway.
        picking.write({"carrier_tracking_ref": "TRK-1"})
        self.assertEqual(self.events("delivery.done"), event)
        self.api.ack_events({"uuids": event.mapped("uuid")})
        picking.write({"carrier_tracking_ref": "TRK-2"})
        again = self.events("delivery.done")
        self.assertEqual(len(again), 1)
        self.assertEqual(again.payload["picking_id"], picking.id)
        self.api.ack_events({"uuids": again.mapped("uuid")})
        # Rewriting the same number is no change; a new carrier is.
        picking.write({"carrier_tracking_ref": "TRK-2"})
        self.assertFalse(self.events("delivery.done"))
        picking.write({"carrier_id": self.carrier.id})
        self.assertEqual(len(self.events("delivery.done")), 1)

    def test_the_sidecar_writing_tracking_emits_nothing(self):
        order, _result = self.import_order(8303)
        picking = self.deliver(order)
        self.clear_events()
        picking.with_context(shopify_sync_origin=True).write({"carrier_tracking_ref": "TRK-3"})
        self.assertFalse(self.events("delivery.done"))
