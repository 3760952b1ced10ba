"""Every hook writes its outbox event in the same transaction; sidecar writes emit none."""
from unittest.mock import patch

from odoo.tests import tagged

from ..models import shopify_sync_event
from .common import LOCATION_GID, ShopifySyncCase


@tagged("shopify_sync", "at_install")
class TestHooks(ShopifySyncCase):
    def setUp(self):
        super().setUp()
        self.clear_events()

    # -- products ----------------------------------------------------------------------
    def test_product_create_emits_product_changed(self):
        template = self.env["product.template"].create({"name": "Lamp", "sale_ok": True})
        event = self.events("product.changed", f"product:{template.id}")
        self.assertEqual(len(event), 1)
        self.assertEqual(event.payload["reason"], "create")
        self.assertEqual((event.model, event.res_id), ("product.template", template.id))
        self.assertEqual(template.shopify_state, "pending")

    def test_product_relevant_write_emits_but_irrelevant_write_does_not(self):
        template = self.mug.product_tmpl_id
        template.write({"description_purchase": "internal note"})
        self.assertFalse(self.events("product.changed"))
        template.write({"list_price": 13.0})
        self.assertEqual(len(self.events("product.changed", f"product:{template.id}")), 1)

    def test_variant_write_emits_for_its_template(self):
        self.mug.write({"barcode": "4000000000001"})
        self.assertEqual(len(self.events("product.changed",
                                         f"product:{self.mug.product_tmpl_id.id}")), 1)

    def test_product_archive_emits_with_archive_reason(self):
        template = self.tee.product_tmpl_id
        template.action_archive()
        event = self.events("product.changed", f"product:{template.id}")
        self.assertEqual(len(event), 1)
        self.assertFalse(event.payload["active"])

    def test_product_events_coalesce_while_pending_but_not_once_leased(self):
        template = self.mug.product_tmpl_id
        template.write({"name": "Mug 1"})
        template.write({"name": "Mug 2"})
        self.assertEqual(len(self.events("product.changed")), 1)
        self.api.pull_events({"limit": 10, "lease_seconds": 60})
        template.write({"name": "Mug 3"})
        self.assertEqual(len(self.events("product.changed")), 1)
        self.assertEqual(len(self.events("product.changed", state="leased")), 1)

    def test_origin_context_suppresses_product_and_customer_events(self):
        origin = self.env(context=dict(self.env.context, shopify_sync_origin=True))
        origin["product.template"].create({"name": "Echo", "sale_ok": True})
        origin["res.partner"].create({"name": "Echo", "shopify_sync": True})
        self.assertFalse(self.env["shopify.sync.event"].sudo().search([]))

    def test_services_not_for_sale_are_not_pushed(self):
        self.env["product.template"].create({"name": "Internal", "sale_ok": False,
                                             "type": "service"})
        self.assertFalse(self.events("product.changed"))

    # -- stock -------------------------------------------------------------------------
    def test_inventory_adjustment_emits_stock_changed_per_mapped_location(self):
        self.set_stock(self.mug, 25)
        event = self.events("stock.changed", f"stock:{self.mug.id}:{LOCATION_GID}")
        self.assertEqual(len(event), 1)
        self.assertEqual(event.payload, {"product_id": self.mug.id, "location_gid": LOCATION_GID})
        self.set_stock(self.mug, 30)  # coalesced while pending
        self.assertEqual(len(self.events("stock.changed")), 1)

    def test_stock_in_an_unmapped_warehouse_emits_nothing(self):
        other = self.env["stock.warehouse"].create({"name": "Unmapped", "code": "UNM"})
        self.set_stock(self.mug, 3, location=other.lot_stock_id)
        self.assertFalse(self.events("stock.changed"))

    def test_reservation_by_a_plain_sales_order_emits_stock_changed(self):
        order = self.env["sale.order"].create({
            "partner_id": self.env["res.partner"].create({"name": "Walk-in"}).id,
            "order_line": [(0, 0, {"product_id": self.tee.id, "product_uom_qty": 2})],
        })
        order.action_confirm()
        self.assertTrue(self.events("stock.changed", f"stock:{self.tee.id}:{LOCATION_GID}"))

    # -- customers ---------------------------------------------------------------------
    def test_customer_hooks_only_for_flagged_or_bound_partners(self):
        plain = self.env["res.partner"].create({"name": "Not synced"})
        plain.write({"phone": "123"})
        self.assertFalse(self.events("customer.changed"))
        flagged = self.env["res.partner"].create({"name": "Synced", "shopify_sync": True})
        self.assertEqual(self.events("customer.changed").payload["reason"], "create")
        self.clear_events()
        flagged.write({"email": "synced@example.com"})
        self.assertEqual(len(self.events("customer.changed", f"customer:{flagged.id}")), 1)

    def test_customer_archive_emits(self):
        partner = self.env["res.partner"].create({"name": "Bound"})
        partner._shopify_set_result("synced", gid="gid://shopify/Customer/555")
        partner.action_archive()
        event = self.events("customer.changed", f"customer:{partner.id}")
        self.assertEqual(event.payload["reason"], "archive")

    def test_customer_upserted_by_the_sidecar_emits_nothing(self):
        self.api.upsert_customer({
            "customer_gid": "gid://shopify/Customer/9", "email": "loop@example.com",
            "first_name": "Lo", "last_name": "Op", "phone": None, "default_address": None,
            "updated_at": "2026-11-27T10:00:00Z"})
        self.assertFalse(self.events("customer.changed"))

    def test_manager_erasure_erases_and_emits_customer_erased(self):
        partner = self.env["res.partner"].create({"name": "Erase Me", "email": "e@example.com"})
        partner._shopify_set_result("synced", gid="gid://shopify/Customer/77")
        partner.with_user(self.manager_user).action_shopify_erase()
        event = self.events("customer.erased")
        self.assertEqual(event.payload, {"partner_id": partner.id,
                                         "customer_gid": "gid://shopify/Customer/77"})
        self.assertNotIn("Erase", partner.name)

    # -- deliveries, returns, credit notes ---------------------------------------------
    def test_delivery_done_for_a_shopify_order_emits_delivery_done(self):
        order, _result = self.import_order(2001)
        self.clear_events()
        picking = self.deliver(order)
        event = self.events("delivery.done")
        self.assertEqual(event.key, f"order:{order.shopify_gid}")
        self.assertEqual(event.payload["picking_id"], picking.id)
        self.assertEqual(picking.shopify_state, "pending")

    def test_delivery_of_a_non_shopify_order_emits_nothing(self):
        order = self.env["sale.order"].create({
            "partner_id": self.env["res.partner"].create({"name": "Walk-in"}).id,
            "order_line": [(0, 0, {"product_id": self.mug.id, "product_uom_qty": 1})],
        })
        order.action_confirm()
        self.deliver(order)
        self.assertFalse(self.events("delivery.done"))

    def test_validated_return_emits_return_done(self):
        order, _result = self.import_order(2002)
        picking = self.deliver(order)
        wizard = self.env["stock.return.picking"].with_context(
            active_id=picking.id, active_model="stock.picking").create({})
        wizard.product_return_moves.write({"quantity": 1})
        returned = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        self.clear_events()
        for move in returned.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        returned.with_context(skip_sms=True).button_validate()
        event = self.events("return.done")
        self.assertEqual(event.payload["picking_id"], returned.id)

    def test_credit_note_posted_in_odoo_for_a_shopify_order_emits(self):
        order, _result = self.import_order(2003)
        invoice = self.invoice(order)
        self.clear_events()
        reversal = self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=invoice.ids).create(
            {"reason": "damaged", "journal_id": invoice.journal_id.id})
        credit_note = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        credit_note.action_post()
        event = self.events("credit_note.posted")
        self.assertEqual(event.payload["move_id"], credit_note.id)
        self.assertEqual(event.payload["order_gid"], order.shopify_gid)

    # -- waking the sidecar ------------------------------------------------------------
    def test_wake_is_post_commit_and_a_down_sidecar_never_fails_the_transaction(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "shopify_sync.sidecar_url", "http://127.0.0.1:9")
        self.env.cr.postcommit.clear()
        self.env["product.template"].create({"name": "Wake", "sale_ok": True})
        self.assertTrue(self.env.cr.postcommit.data.get("shopify_sync.wake"))
        self.assertTrue(self.env.cr.postcommit._funcs)
        # The ping itself swallows connection errors (port 9 is closed).
        self.assertFalse(shopify_sync_event._wake_sidecar("http://127.0.0.1:9", "s", "db"))
        with patch.object(shopify_sync_event, "_wake_sidecar") as wake:
            thread = shopify_sync_event._wake_sidecar_async("http://x", "s", "db")
            thread.join(2)
            wake.assert_called_once_with("http://x", "s", "db")
        self.env.cr.postcommit.clear()
