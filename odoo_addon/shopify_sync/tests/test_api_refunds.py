"""apply_refund (before and after invoicing, kept and returned units, shipping, adjustments,
refunds and order updates in either order), export_credit_note and refund_status."""
from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .. import compat
from .common import ShopifySyncCase


class RefundCase(ShopifySyncCase):
    def refund_doc(self, order, number, **overrides):
        doc = {
            "refund_gid": f"gid://shopify/Refund/{number}",
            "order_gid": order.shopify_gid,
            "created_at": "2026-11-28T09:00:00Z",
            "note": None,
            "return_gid": None,
            "lines": [],
            "shipping": {"amount": "0.00", "tax": "0.00"},
            "adjustments": [],
            "total": "0.00",
        }
        doc.update(overrides)
        return doc

    @staticmethod
    def product_line(order):
        return order.order_line.filtered(lambda line: line.shopify_line_role == "product")

    @staticmethod
    def amount(cents):
        return f"{cents // 100}.{cents % 100:02d}"

    def mug_refund(self, order, number, restock, quantity=1, **overrides):
        """`quantity` mugs at 12.50 + 20 % VAT."""
        line = self.product_line(order)
        subtotal = 1250 * quantity
        overrides.setdefault("total", self.amount(subtotal * 6 // 5))
        return self.refund_doc(order, number, lines=[{
            "line_gid": line.shopify_line_gid, "sku": "MUG-RED", "quantity": quantity,
            "subtotal": self.amount(subtotal), "total_tax": self.amount(subtotal // 5),
            "restock_type": restock, "location_gid": None}], **overrides)

    def current(self, number, quantity, total, **overrides):
        """The order document as Shopify has it after the refunds in `refund_gids`."""
        subtotal = 1250 * quantity
        return self.order_doc(number, updated_at="2026-11-28T10:00:00Z", lines=[{
            "line_gid": f"gid://shopify/LineItem/{number}1", "sku": "MUG-RED", "title": "Mug red",
            "quantity": quantity, "price_unit": "12.50", "discount": "0.00",
            "tax_lines": [{"title": "VAT", "rate": "0.2", "amount": self.amount(subtotal // 5)}],
        }], subtotal_price=self.amount(subtotal), total_tax=self.amount(subtotal // 5 + 100),
            total_price=total, **overrides)


@tagged("shopify_sync", "at_install")
class TestRefundsBeforeInvoicing(RefundCase):
    def test_units_not_delivered_leave_the_order_and_no_credit_note_is_made(self):
        order, _result = self.import_order(4001)
        line = self.product_line(order)
        result = self.api.apply_refund(self.mug_refund(order, 4001, "cancel"))
        self.assertEqual((result["status"], result["credit_note_id"], result["amount_total"]),
                         ("created", None, "15.00"))
        self.assertEqual(line.product_uom_qty, 1)
        record = self.env["shopify.refund"].browse(result["refund_id"])
        self.assertEqual((record.state, record.amount_total, record.sale_order_id),
                         ("applied", 15.0, order))
        again = self.api.apply_refund(self.mug_refund(order, 4001, "cancel"))
        self.assertEqual((again["status"], again["refund_id"]), ("unchanged", record.id))
        self.assertEqual(line.product_uom_qty, 1)
        # The order update that follows in Shopify: 1 mug left, 12.50 + 2.50 + shipping 6.00.
        updated = self.api.apply_order(self.current(4001, 1, "21.00",
                                                    refund_gids=["gid://shopify/Refund/4001"]))
        self.assertEqual((updated["status"], updated["amount_total"]), ("updated", "21.00"))
        # Invoicing afterwards (Odoo's wizard invoices with final=True) invoices the net.
        invoice = order._create_invoices(final=True)
        self.assertEqual(invoice.amount_total, 21.0)

    def test_a_refund_never_makes_a_delivered_order_held(self):
        order, _result = self.import_order(4002)
        self.deliver(order)
        line = self.product_line(order)
        result = self.api.apply_refund(self.mug_refund(order, 4002, "no_restock"))
        self.assertEqual((result["status"], result["credit_note_id"]), ("created", None))
        self.assertEqual((line.product_uom_qty, line.shopify_kept_qty), (2, 1))
        refund_line = order.order_line.filtered(lambda sol: sol.shopify_line_role == "refund")
        self.assertEqual((refund_line.product_uom_qty, refund_line.price_unit), (-1, 12.5))
        self.assertEqual(order.amount_total, 21.0)
        # Shopify's current quantity is 1 now: the order is updated, not held.
        updated = self.api.apply_order(self.current(4002, 1, "21.00",
                                                    refund_gids=["gid://shopify/Refund/4002"]))
        self.assertEqual((updated["status"], updated["amount_total"]), ("updated", "21.00"))
        self.assertEqual((line.product_uom_qty, order.shopify_state), (2, "synced"))
        invoice = order._create_invoices(final=True)
        self.assertEqual(invoice.amount_total, 21.0)
        self.assertEqual(order.invoice_status, "invoiced")

    def test_shipping_and_adjustment_only_refunds_are_order_lines(self):
        order, _result = self.import_order(4003)
        self.api.apply_refund(self.refund_doc(
            order, 4003, shipping={"amount": "5.00", "tax": "1.00"}, total="6.00"))
        self.api.apply_refund(self.refund_doc(
            order, 40031, adjustments=[{"amount": "2.00", "reason": "goodwill"}], total="2.00"))
        self.assertEqual(order.amount_total, 36.0 - 6.0 - 2.0)
        adjustment = order.order_line.filtered(
            lambda sol: sol.shopify_line_role == "refund_adjustment")
        self.assertEqual((adjustment.product_uom_qty, adjustment.price_total), (-1, -2.0))
        # Shopify's current total leaves the adjustment (a money difference) out: 30.00.
        updated = self.api.apply_order(self.order_doc(
            4003, updated_at="2026-11-28T10:00:00Z", total_price="30.00", total_tax="5.00",
            refund_gids=["gid://shopify/Refund/4003", "gid://shopify/Refund/40031"]))
        self.assertEqual(updated["status"], "updated")


@tagged("shopify_sync", "at_install")
class TestRefundsAfterInvoicing(RefundCase):
    def test_a_partial_refund_is_a_posted_credit_note_linked_to_the_line(self):
        order, _result = self.import_order(4011)
        invoice = self.invoice(order)
        line = self.product_line(order)
        result = self.api.apply_refund(self.mug_refund(order, 4011, "cancel", note="broken"))
        self.assertEqual((result["status"], result["amount_total"]), ("created", "15.00"))
        credit_note = self.env["account.move"].browse(result["credit_note_id"])
        self.assertEqual((credit_note.move_type, credit_note.state), ("out_refund", "posted"))
        self.assertEqual(credit_note.shopify_gid, "gid://shopify/Refund/4011")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.invoice_line_ids.sale_line_ids, line)
        self.assertIn("broken", credit_note.ref)
        self.assertEqual((line.product_uom_qty, line.qty_invoiced), (1, 1))
        self.assertEqual(order.invoice_status, "invoiced")
        # Posting reconciled it with the open invoice.
        self.assertEqual(invoice.amount_residual, 21.0)
        self.assertFalse(self.events("credit_note.posted"), "made by the sidecar: no event")

    def test_a_kept_unit_and_shipping_are_credited_through_their_order_lines(self):
        order, _result = self.import_order(4012)
        self.deliver(order)
        self.invoice(order)
        doc = self.mug_refund(order, 4012, "no_restock", shipping={"amount": "5.00", "tax": "1.00"},
                              total="21.00")
        result = self.api.apply_refund(doc)
        credit_note = self.env["account.move"].browse(result["credit_note_id"])
        self.assertEqual((result["status"], credit_note.amount_total), ("created", 21.0))
        roles = credit_note.invoice_line_ids.sale_line_ids.mapped("shopify_line_role")
        self.assertEqual(sorted(roles), ["refund", "refund"])
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual(order.amount_total, 15.0)

    def test_a_discounted_line_is_credited_at_the_discounted_price(self):
        order, _result = self.import_order(
            4013, lines=[{"line_gid": "gid://shopify/LineItem/40131", "sku": "MUG-RED",
                          "title": "Mug red", "quantity": 2, "price_unit": "12.50",
                          "discount": "3.00",
                          "tax_lines": [{"title": "VAT", "rate": "0.2", "amount": "4.40"}]}],
            subtotal_price="22.00", total_tax="5.40", total_discounts="3.00", total_price="32.40")
        self.invoice(order)
        line = self.product_line(order)
        result = self.api.apply_refund(self.refund_doc(order, 4013, total="13.20", lines=[{
            "line_gid": line.shopify_line_gid, "sku": "MUG-RED", "quantity": 1,
            "subtotal": "11.00", "total_tax": "2.20", "restock_type": "cancel",
            "location_gid": None}]))
        self.assertEqual((result["status"], result["amount_total"]), ("created", "13.20"))
        discount = order.order_line.filtered(lambda sol: sol.shopify_line_role == "discount")
        self.assertEqual(discount.price_unit, -1.5)
        self.assertEqual(order.amount_total, 32.40 - 13.20)

    def test_a_refund_whose_total_differs_is_flagged_and_left_in_draft(self):
        order, _result = self.import_order(4014)
        self.invoice(order)
        result = self.api.apply_refund(self.refund_doc(
            order, 4014, shipping={"amount": "5.00", "tax": "1.00"}, total="5.00"))
        self.assertEqual(result["status"], "flagged")
        credit_note = self.env["account.move"].browse(result["credit_note_id"])
        self.assertEqual((credit_note.state, credit_note.shopify_state), ("draft", "error"))
        self.assertIn("differs from Shopify total 5.00", credit_note.shopify_error)
        self.assertEqual(self.env["shopify.refund"].browse(result["refund_id"]).state, "flagged")
        self.assertEqual(self.api.apply_refund(self.refund_doc(
            order, 4014, shipping={"amount": "5.00", "tax": "1.00"}, total="5.00"))["status"],
            "unchanged")


@tagged("shopify_sync", "at_install")
class TestRefundsBringingGoodsBack(RefundCase):
    def test_a_return_restock_receives_the_goods_and_takes_them_off_the_order(self):
        order, _result = self.import_order(4021)
        self.deliver(order)
        line = self.product_line(order)
        on_hand = compat.in_warehouse(self.mug, self.warehouse).qty_available
        self.api.apply_refund(self.mug_refund(order, 4021, "return"))
        self.mug.invalidate_recordset()
        self.assertEqual(compat.in_warehouse(self.mug, self.warehouse).qty_available,
                         on_hand + 1)
        self.assertEqual((line.qty_delivered, line.product_uom_qty), (1, 1))
        returned = order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual((returned.state, returned.move_ids.quantity), ("done", 1))

    def test_a_refund_over_two_deliveries_returns_one_picking_per_delivery(self):
        order, _result = self.import_order(4022)
        self.deliver(order, {self.mug: 1})
        self.deliver(order)
        self.assertEqual(len(order.picking_ids.filtered(lambda p: p.state == "done")), 2)
        self.api.apply_refund(self.mug_refund(order, 4022, "return", quantity=2))
        returns = order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual(len(returns), 2)
        self.assertEqual(set(returns.mapped("state")), {"done"})
        self.assertEqual(self.product_line(order).qty_delivered, 0)

    def test_refunding_more_than_the_order_holds_is_refused_whole(self):
        order, _result = self.import_order(4023)
        self.deliver(order, {self.mug: 1})
        line = self.product_line(order)
        self.api.apply_refund(self.mug_refund(order, 4023, "return"))
        with self.assertRaisesRegex(
                ValidationError, r"^refund gid://shopify/Refund/40231 line 1: cannot refund 2 × "
                                 r"MUG-RED: only 1 left on order "):
            self.api.apply_refund(self.mug_refund(order, 40231, "return", quantity=2))
        self.assertFalse(self.env["shopify.refund"].search(
            [("shopify_gid", "=", "gid://shopify/Refund/40231")]))
        self.assertEqual(line.product_uom_qty, 1)


@tagged("shopify_sync", "at_install")
class TestRefundsAndOrderUpdates(RefundCase):
    def test_an_order_update_waits_for_the_refunds_it_counts(self):
        order, _result = self.import_order(4031)
        self.deliver(order)
        doc = self.current(4031, 1, "21.00", refund_gids=["gid://shopify/Refund/4031"])
        pending = self.api.apply_order(doc)
        self.assertEqual((pending["status"], pending["refund_gids"]),
                         ("refunds_pending", ["gid://shopify/Refund/4031"]))
        self.assertEqual(self.product_line(order).product_uom_qty, 2, "nothing written")
        self.api.apply_refund(self.mug_refund(order, 4031, "no_restock"))
        self.assertEqual(self.api.apply_order(doc)["status"], "updated")
        # A document read before that refund is older than what Odoo applied.
        stale = self.api.apply_order(self.order_doc(4031, updated_at="2026-11-28T11:00:00Z",
                                                    refund_gids=[]))
        self.assertEqual(stale["status"], "unchanged")
        self.assertIn("older than refund", stale["message"])

    def test_a_new_order_counts_its_refunds_and_waits_for_them(self):
        doc = self.current(4032, 1, "21.00",
                           refund_gids=["gid://shopify/Refund/4032"])
        created = self.api.apply_order(doc)
        self.assertEqual(created["status"], "refunds_pending")
        order = self.env["sale.order"].browse(created["sale_order_id"])
        self.assertEqual((order.state, self.product_line(order).product_uom_qty), ("draft", 1))
        record = order.shopify_refund_ids
        self.assertEqual(record.state, "pending")
        # The refund's units are already out of the order's quantities: only its money applies.
        self.api.apply_refund(self.mug_refund(order, 4032, "cancel"))
        self.assertEqual((record.state, self.product_line(order).product_uom_qty), ("applied", 1))
        self.assertEqual(self.api.apply_order(doc)["status"], "updated")
        self.assertEqual(order.state, "sale")


@tagged("shopify_sync", "at_install")
class TestRefundBadInput(RefundCase):
    def test_an_amount_with_a_third_decimal_is_refused_and_nothing_is_applied(self):
        order, _result = self.import_order(4041)
        line = self.product_line(order)
        doc = self.mug_refund(order, 4041, "cancel")
        doc["lines"][0]["subtotal"] = "12.501"
        with self.assertRaisesRegex(
                ValidationError, r'^refund gid://shopify/Refund/4041 line 1 subtotal: '
                                 r'"12.501" has more than two decimals$'):
            self.api.apply_refund(doc)
        self.assertFalse(order.shopify_refund_ids)
        self.assertEqual(line.product_uom_qty, 2)
        with self.assertRaisesRegex(ValidationError, r"adjustment 1: .* is not a decimal amount"):
            self.api.apply_refund(self.refund_doc(
                order, 4041, adjustments=[{"amount": "2.0O", "reason": "typo"}], total="2.00"))
        result = self.api.apply_refund(self.refund_doc(
            order, 4041, adjustments=[{"amount": "2.000", "reason": "goodwill"}], total="2.00"))
        self.assertEqual((result["status"], result["amount_total"]), ("created", "2.00"))

    def test_a_line_not_on_the_order_is_refused_naming_it(self):
        order, _result = self.import_order(4042)
        doc = self.mug_refund(order, 4042, "cancel")
        doc["lines"][0].update(line_gid="gid://shopify/LineItem/999", sku="NOPE")
        with self.assertRaisesRegex(ValidationError, r'line 1: line gid://shopify/LineItem/999 '
                                                     r'\(SKU "NOPE"\) is not on order'):
            self.api.apply_refund(doc)

    def test_a_refund_for_an_unknown_order_is_a_validation_error(self):
        with self.assertRaisesRegex(ValidationError, "is not imported in Odoo"):
            self.api.apply_refund({"refund_gid": "gid://shopify/Refund/1",
                                   "order_gid": "gid://shopify/Order/424242", "lines": [],
                                   "total": "0.00"})


@tagged("shopify_sync", "at_install")
class TestCreditNotesForShopify(RefundCase):
    def credit_note(self, order, quantity, goodwill=0.0):
        line = self.product_line(order)
        vals = [Command.create(dict(line._prepare_invoice_line(quantity=quantity)))]
        if goodwill:
            vals.append(Command.create({"name": "goodwill", "quantity": 1,
                                        "price_unit": goodwill, "tax_ids": [Command.clear()]}))
        move = self.env["account.move"].create({
            "move_type": "out_refund", "partner_id": order.partner_invoice_id.id,
            "invoice_origin": order.name, "invoice_line_ids": vals})
        move.action_post()
        return move

    def test_a_credit_note_posted_in_odoo_is_exported_with_what_can_leave_the_order(self):
        order, _result = self.import_order(4051)
        self.deliver(order, {self.mug: 1})
        self.invoice(order)
        self.clear_events()
        move = self.credit_note(order, 1, goodwill=3.0)
        event = self.events("credit_note.posted")
        self.assertEqual(event.payload["move_id"], move.id)
        exported = self.api.export_credit_note({"move_id": move.id})
        self.assertEqual((exported["state"], exported["amount_total"], exported["refund_gid"]),
                         ("posted", "18.00", None))
        self.assertEqual([(x["role"], x["quantity"], x["open_quantity"], x["price_total"])
                          for x in exported["lines"]],
                         [("product", 1.0, 1, "15.00"), ("other", 1.0, 0, "3.00")])
        self.assertEqual(exported["lines"][0]["line_gid"],
                         self.product_line(order).shopify_line_gid)

    def test_the_refund_made_from_it_comes_back_as_an_echo(self):
        order, _result = self.import_order(4052)
        self.invoice(order)
        move = self.credit_note(order, 1)
        self.api.record_sync_result({"model": "account.move", "res_id": move.id, "state": "synced",
                                     "shopify_gid": "gid://shopify/Refund/4052"})
        result = self.api.apply_refund(self.mug_refund(order, 4052, "cancel"))
        self.assertEqual((result["status"], result["credit_note_id"]), ("created", move.id))
        record = self.env["shopify.refund"].browse(result["refund_id"])
        self.assertEqual(record.origin, "odoo")
        self.assertEqual(self.product_line(order).product_uom_qty, 1, "the unit left the order")
        self.assertEqual(len(order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")), 1)
        self.assertEqual(self.api.refund_status({"refund_gids": [
            "gid://shopify/Refund/4052", "gid://shopify/Refund/1"]})["refunds"][0]
            ["credit_note_amount"], "15.00")

    def test_refund_status_says_what_odoo_holds(self):
        order, _result = self.import_order(4053)
        self.api.apply_refund(self.mug_refund(order, 4053, "cancel"))
        status = self.api.refund_status({"refund_gids": [
            "gid://shopify/Refund/4053", "gid://shopify/Refund/404"]})["refunds"]
        self.assertEqual((status[0]["found"], status[0]["state"], status[0]["amount_total"],
                          status[0]["credit_note_id"]), (True, "applied", "15.00", None))
        self.assertEqual((status[1]["found"], status[1]["sale_order_id"]), (False, None))
        with self.assertRaisesRegex(ValidationError, "refund_gids must be a list of strings"):
            self.api.refund_status({"refund_gids": "gid://shopify/Refund/1"})
