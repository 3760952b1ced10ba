"""Every hook writes its outbox event in the same transaction; sidecar writes emit none."""
import uuid
from datetime import timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .. import compat
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

    def test_rows_of_one_key_written_by_several_transactions_are_leased_as_one_event(self):
        template = self.mug.product_tmpl_id
        key = f"product:{template.id}"
        for limit in (10, 1):  # duplicates on the leased page, then beyond it
            with self.subTest(limit=limit):
                self.clear_events()
                template.write({"name": f"Mug {limit}a"})
                # Another transaction's row: this transaction's memo does not know it.
                self.env.cr.postcommit.data.pop("shopify_sync.pending_rows", None)
                template.write({"name": f"Mug {limit}b"})
                self.assertEqual(len(self.events("product.changed", key)), 2)
                events = self.api.pull_events({"limit": limit, "lease_seconds": 60})["events"]
                self.assertEqual([(e["type"], e["key"]) for e in events],
                                 [("product.changed", key)])
                self.assertFalse(self.events("product.changed", key))
                self.assertEqual(len(self.events("product.changed", key, state="done")), 1)

    def test_absorbed_rows_do_not_shorten_the_leased_page(self):
        """The sidecar reads a page shorter than its limit as "nothing more is waiting"."""
        mug, tee = self.mug.product_tmpl_id, self.tee.product_tmpl_id
        for name in ("Mug a", "Mug b"):
            mug.write({"name": name})
            # Another transaction's row: this transaction's memo does not know it.
            self.env.cr.postcommit.data.pop("shopify_sync.pending_rows", None)
        tee.write({"name": "Tee a"})
        events = self.api.pull_events({"limit": 2, "lease_seconds": 60})["events"]
        self.assertEqual([e["key"] for e in events], [f"product:{mug.id}", f"product:{tee.id}"])
        self.assertEqual(len(self.events("product.changed", f"product:{mug.id}", state="done")), 1)
        self.assertFalse(self.events("product.changed"))

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
        action = partner.with_user(self.manager_user).action_shopify_erase()
        event = self.events("customer.erased")
        self.assertEqual(event.payload, {"partner_id": partner.id,
                                         "customer_gid": "gid://shopify/Customer/77",
                                         "request_id": action["res_id"], "order_gids": []})
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
        returned = compat.create_return(picking, {move: 1 for move in picking.move_ids})
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


@tagged("shopify_sync", "at_install")
class TestOutboxConcurrency(ShopifySyncCase):
    """Two real transactions side by side: the sidecar leasing while a user changes stock."""

    @mute_logger("odoo.sql_db")
    def test_a_change_committed_while_its_keys_event_is_being_leased_gets_its_own_event(self):
        key = f"stock:test:{uuid.uuid4()}"
        database = sql_db.db_connect(self.env.cr.dbname)
        sidecar, user = database.cursor(), database.cursor()
        try:
            record = self.env["res.partner"].browse(1)  # only its model and id are written
            sidecar_env = api.Environment(sidecar, SUPERUSER_ID, {})
            first = sidecar_env["shopify.sync.event"]._emit("stock.changed", record, key)
            sidecar.commit()
            user_env = api.Environment(user, SUPERUSER_ID, {})
            # The user's transaction starts (its snapshot sees the first event pending) ...
            self.assertEqual(user_env["shopify.sync.event"].search(
                [("key", "=", key), ("state", "=", "pending")]).ids, first.ids)
            # ... the sidecar leases that event (as _lease does, for this key only: other
            # committed events are left alone), commits and reads the stock ...
            sidecar.execute(SQL(
                "UPDATE shopify_sync_event SET state = 'leased', lease_until = %s WHERE id = %s",
                fields.Datetime.now() + timedelta(minutes=1), first.id))
            sidecar.commit()
            # ... then the user's change emits and commits: it must not be absorbed into the
            # leased event, whose reader never saw it.
            user_env["shopify.sync.event"]._emit("stock.changed", record, key)
            user.commit()
            sidecar.execute(SQL(
                "SELECT state FROM shopify_sync_event WHERE key = %s ORDER BY id", key))
            self.assertEqual([row[0] for row in sidecar.fetchall()], ["leased", "pending"])
        finally:
            user.rollback()
            sidecar.rollback()
            sidecar.execute(SQL("DELETE FROM shopify_sync_event WHERE key = %s", key))
            sidecar.commit()
            user.close()
            sidecar.close()
