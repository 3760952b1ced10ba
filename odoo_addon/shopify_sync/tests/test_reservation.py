"""The reservation of an imported order's delivery, right after the import: `apply_order` leaves
it to the scheduled action (setting "Reserve stock", default "right after import"), which
reserves oldest first and leaves what it cannot reserve as Odoo's confirmation would; "at
import", or with the scheduled action inactive, the import reserves as Odoo does."""
import re
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.sql_db import Cursor
from odoo.tests import tagged

from .. import compat
from .common import ShopifySyncCase

# A statement that writes or row-locks stock quants: what made two imports of one product
# conflict (Odoo's reservation: `SELECT … FROM stock_quant … FOR NO KEY UPDATE SKIP LOCKED`).
QUANT_WRITE = re.compile(
    r'(UPDATE\s+"?stock_quant"?\s|INSERT\s+INTO\s+"?stock_quant"?\s|'
    r'"?stock_quant"?\b.*\bFOR\s+(NO\s+KEY\s+)?UPDATE)', re.IGNORECASE | re.DOTALL)


@tagged("shopify_sync", "at_install")
class TestReservationAfterImport(ShopifySyncCase):
    def setUp(self):
        super().setUp()
        self.cron = self.env.ref("shopify_sync.ir_cron_shopify_reserve")
        self.Move = self.env["stock.move"]

    def delivery(self, order):
        return order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")

    def pending(self):
        return self.Move.search([("shopify_reserve_pending", "!=", False)])

    def triggers(self):
        return self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", self.cron.id)])

    def reserve(self, batch_size=10):
        """What the scheduled action does, without its commits."""
        return self.Move._shopify_reserve_pending(batch_size=batch_size)

    def import_order(self, number=1001, reserve=False, **overrides):
        """The import alone: these tests run the scheduled action themselves."""
        return super().import_order(number, reserve=reserve, **overrides)

    def quant_statements(self, call):
        """The statements that write or lock stock quants while `call()` runs."""
        seen = []
        execute = Cursor.execute

        def spy(cr, query, params=None, log_exceptions=True):
            text = str(query.code if hasattr(query, "code") else query)
            if QUANT_WRITE.search(text):
                seen.append(text)
            return execute(cr, query, params, log_exceptions)
        with patch.object(Cursor, "execute", spy):
            call()
        return seen

    def test_import_leaves_the_reservation_to_the_scheduled_action(self):
        before = self.triggers()
        order, result = self.import_order(7001)
        self.assertEqual((result["status"], order.state), ("created", "sale"))
        picking = self.delivery(order)
        # Confirmed and waiting: nothing reserved inside the import, the action is triggered.
        self.assertEqual(picking.state, "confirmed")
        self.assertEqual(picking.move_ids.quantity, 0)
        self.assertTrue(picking.move_ids.shopify_reserve_pending)
        self.assertTrue(picking.shopify_reservation_pending)
        self.assertEqual(len(self.triggers() - before), 1)
        self.assertEqual(self.reserve(), 1)
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(picking.move_ids.quantity, 2)
        self.assertFalse(picking.move_ids.shopify_reserve_pending)
        self.assertFalse(picking.shopify_reservation_pending)
        quant = self.env["stock.quant"]._gather(self.mug, self.stock_location)
        self.assertEqual(sum(quant.mapped("reserved_quantity")), 2)
        # Nothing left: a second run handles nothing.
        self.assertEqual(self.reserve(), 0)

    def test_two_imports_of_one_product_do_not_lock_its_quant(self):
        # The detector sees Odoo's reservation when the import makes it (the setting "at
        # import"), so its silence below means the imports no longer touch the quant.
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.reservation", "at_import")
        at_import = self.quant_statements(lambda: self.import_order(7011))
        self.assertTrue(any("FOR NO KEY UPDATE" in text.upper() for text in at_import), at_import)
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.reservation",
                                                         "after_import")
        after = self.quant_statements(lambda: (self.import_order(7012), self.import_order(7013)))
        self.assertEqual(after, [])
        # The scheduled action is where the quant is reserved now.
        self.assertTrue(self.quant_statements(self.reserve))

    def test_setting_at_import_reserves_inside_the_import(self):
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.reservation", "at_import")
        before = self.triggers()
        order, _result = self.import_order(7021)
        picking = self.delivery(order)
        self.assertEqual((picking.state, picking.move_ids.quantity), ("assigned", 2))
        self.assertFalse(picking.move_ids.shopify_reserve_pending)
        self.assertEqual(self.triggers(), before)

    def test_inactive_scheduled_action_means_reserving_at_import(self):
        self.cron.active = False
        order, _result = self.import_order(7031)
        picking = self.delivery(order)
        self.assertEqual((picking.state, picking.move_ids.quantity), ("assigned", 2))
        self.assertFalse(self.pending())

    def test_oldest_first_and_what_cannot_be_reserved_stays_waiting(self):
        # 10 mugs in stock; two orders of 6 each, the second imported first in time.
        six = {"quantity": 6, "tax_lines": [{"title": "VAT", "rate": "0.2", "amount": "15.00"}]}
        first, _r = self.import_order(7041, **self.mugs(7041, six))
        second, _r = self.import_order(7042, **self.mugs(7042, six))
        now = fields.Datetime.now()
        self.delivery(first).move_ids.write({"shopify_reserve_pending": now})
        self.delivery(second).move_ids.write(
            {"shopify_reserve_pending": now - timedelta(seconds=5)})
        self.assertEqual(self.reserve(batch_size=1), 2)
        older, newer = self.delivery(second).move_ids, self.delivery(first).move_ids
        self.assertEqual((older.state, older.quantity), ("assigned", 6))
        self.assertEqual((newer.state, newer.quantity), ("partially_available", 4))
        self.assertFalse(self.pending())

    def test_nothing_in_stock_waits_as_after_a_confirmation(self):
        Product = self.env["product.product"]
        empty = Product.create(compat.vals(Product, {
            "name": "Cup empty", "default_code": "CUP-EMPTY", "list_price": 12.5,
            "type": "consu", "is_storable": True, "taxes_id": [Command.set(self.tax20.ids)],
        }))
        line = {"sku": empty.default_code, "title": empty.name}
        deferred, _r = self.import_order(7051, **self.mugs(7051, line))
        self.reserve()
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.reservation", "at_import")
        direct, _r = self.import_order(7052, **self.mugs(7052, line))
        states = [(self.delivery(o).state, self.delivery(o).move_ids.state,
                   self.delivery(o).move_ids.quantity) for o in (deferred, direct)]
        self.assertEqual(states, [("confirmed", "confirmed", 0)] * 2)
        self.assertFalse(self.pending())

    def test_a_delivery_validated_or_cancelled_before_the_run_is_only_unmarked(self):
        shipped, _r = self.import_order(7061)
        self.deliver(shipped)
        cancelled, _r = self.import_order(7062)
        self.api.cancel_order({"order_gid": "gid://shopify/Order/7062",
                               "cancelled_at": "2026-11-27T11:00:00Z", "reason": "customer"})
        self.assertEqual(self.reserve(), 2)
        self.assertFalse(self.pending())
        self.assertEqual(self.delivery(shipped).state, "done")
        self.assertEqual(self.delivery(cancelled).state, "cancel")

    def test_an_edit_that_adds_units_leaves_their_reservation_too(self):
        order, _r = self.import_order(7071)
        self.reserve()
        three = {"quantity": 3, "tax_lines": [{"title": "VAT", "rate": "0.2", "amount": "7.50"}]}
        edited = self.order_doc(7071, updated_at="2026-11-28T10:00:00Z",
                                **self.mugs(7071, three))
        self.assertEqual(self.api.apply_order(edited)["status"], "updated")
        move = self.delivery(order).move_ids
        self.assertEqual((move.product_uom_qty, move.quantity), (3, 2))
        self.assertTrue(move.shopify_reserve_pending)
        self.reserve()
        self.assertEqual((move.state, move.quantity), ("assigned", 3))

    def mugs(self, number, line_overrides):
        """Document overrides: one line (the mug unless overridden) with its totals."""
        line = dict(self.order_doc(number)["lines"][0], **line_overrides)
        subtotal = money_cents(line["price_unit"]) * line["quantity"]
        tax = sum(money_cents(t["amount"]) for t in line["tax_lines"])
        return {"lines": [line], "subtotal_price": cents_text(subtotal),
                "total_tax": cents_text(tax + 100),
                "total_price": cents_text(subtotal + tax + 600)}


def money_cents(text):
    units, _dot, cents = text.partition(".")
    return int(units) * 100 + int((cents + "00")[:2])


def cents_text(cents):
    return f"{cents // 100}.{cents % 100:02d}"
