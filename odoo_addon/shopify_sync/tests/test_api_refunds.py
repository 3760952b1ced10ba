"""apply_refund (per line, shipping only, adjustments, restock) and apply_return."""
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .. import compat
from .common import ShopifySyncCase


@tagged("shopify_sync", "at_install")
class TestRefunds(ShopifySyncCase):
    def refund_doc(self, order, number, **overrides):
        doc = {
            "refund_gid": f"gid://shopify/Refund/{number}",
            "order_gid": order.shopify_gid,
            "created_at": "2026-11-28T09:00:00Z",
            "note": None,
            "lines": [],
            "shipping": {"amount": "0.00", "tax": "0.00"},
            "adjustments": [],
            "total": "0.00",
        }
        doc.update(overrides)
        return doc

    def test_a_partial_line_refund_creates_one_posted_credit_note_once(self):
        order, _result = self.import_order(4001)
        self.invoice(order)
        line_gid = order.order_line.filtered(
            lambda line: line.shopify_line_role == "product").shopify_line_gid
        doc = self.refund_doc(order, 4001, total="15.00", lines=[{
            "line_gid": line_gid, "sku": "MUG-RED", "quantity": 1, "subtotal": "12.50",
            "total_tax": "2.50", "restock_type": "no_restock", "location_gid": None}])
        result = self.api.apply_refund(doc)
        self.assertEqual((result["status"], result["amount_total"]), ("created", "15.00"))
        credit_note = self.env["account.move"].browse(result["credit_note_id"])
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.shopify_gid, "gid://shopify/Refund/4001")
        self.assertEqual(credit_note.invoice_line_ids.product_id, self.mug)
        self.assertEqual(credit_note.invoice_line_ids.quantity, 1)
        again = self.api.apply_refund(doc)
        self.assertEqual((again["status"], again["credit_note_id"]), ("unchanged", credit_note.id))
        # Made by the sidecar: no credit_note.posted event back to Shopify.
        self.assertFalse(self.events("credit_note.posted"))

    def test_a_shipping_only_refund_credits_the_shipping_with_its_tax(self):
        order, _result = self.import_order(4002)
        result = self.api.apply_refund(self.refund_doc(
            order, 4002, shipping={"amount": "5.00", "tax": "1.00"}, total="6.00"))
        self.assertEqual((result["status"], result["amount_total"]), ("created", "6.00"))
        credit_note = self.env["account.move"].browse(result["credit_note_id"])
        self.assertEqual(credit_note.invoice_line_ids.product_id,
                         self.env.ref("shopify_sync.product_shopify_shipping").product_variant_id)
        self.assertEqual(credit_note.shopify_sale_order_id, order)

    def test_an_adjustment_is_an_untaxed_line(self):
        order, _result = self.import_order(4003)
        result = self.api.apply_refund(self.refund_doc(
            order, 4003, adjustments=[{"amount": "2.00", "reason": "goodwill"}], total="2.00"))
        self.assertEqual(result["amount_total"], "2.00")

    def test_a_refund_whose_total_differs_is_flagged_and_left_in_draft(self):
        order, _result = self.import_order(4004)
        result = self.api.apply_refund(self.refund_doc(
            order, 4004, shipping={"amount": "5.00", "tax": "1.00"}, total="5.00"))
        self.assertEqual(result["status"], "flagged")
        credit_note = self.env["account.move"].browse(result["credit_note_id"])
        self.assertEqual(credit_note.state, "draft")
        self.assertEqual(credit_note.shopify_state, "error")

    def test_a_cancel_restock_lowers_the_ordered_quantity(self):
        order, _result = self.import_order(4005)
        line = order.order_line.filtered(lambda line: line.shopify_line_role == "product")
        self.api.apply_refund(self.refund_doc(order, 4005, total="15.00", lines=[{
            "line_gid": line.shopify_line_gid, "sku": "MUG-RED", "quantity": 1,
            "subtotal": "12.50", "total_tax": "2.50", "restock_type": "cancel",
            "location_gid": None}]))
        self.assertEqual(line.product_uom_qty, 1)

    def test_a_return_restock_receives_the_goods_back(self):
        order, _result = self.import_order(4006)
        self.deliver(order)
        line = order.order_line.filtered(lambda line: line.shopify_line_role == "product")
        on_hand = compat.in_warehouse(self.mug, self.warehouse).qty_available
        self.api.apply_refund(self.refund_doc(order, 4006, total="15.00", lines=[{
            "line_gid": line.shopify_line_gid, "sku": "MUG-RED", "quantity": 1,
            "subtotal": "12.50", "total_tax": "2.50", "restock_type": "return",
            "location_gid": None}]))
        self.mug.invalidate_recordset()
        self.assertEqual(compat.in_warehouse(self.mug, self.warehouse).qty_available,
                         on_hand + 1)
        self.assertEqual(line.qty_delivered, 1)

    def test_an_amount_with_a_third_decimal_is_refused_and_nothing_is_applied(self):
        order, _result = self.import_order(4007)
        line = order.order_line.filtered(lambda line: line.shopify_line_role == "product")
        doc = self.refund_doc(order, 4007, total="15.00", lines=[{
            "line_gid": line.shopify_line_gid, "sku": "MUG-RED", "quantity": 1,
            "subtotal": "12.501", "total_tax": "2.50", "restock_type": "cancel",
            "location_gid": None}])
        with self.assertRaisesRegex(
                ValidationError, r'^refund gid://shopify/Refund/4007 line 1 subtotal: '
                                 r'"12.501" has more than two decimals$'):
            self.api.apply_refund(doc)
        self.assertFalse(order.shopify_refund_gids)
        self.assertEqual(line.product_uom_qty, 2)
        with self.assertRaisesRegex(ValidationError, r"adjustment 1: .* is not a decimal amount"):
            self.api.apply_refund(self.refund_doc(
                order, 4007, adjustments=[{"amount": "2.0O", "reason": "typo"}], total="2.00"))
        self.assertFalse(self.env["account.move"].search(
            [("shopify_gid", "=", "gid://shopify/Refund/4007")]))
        # "2.000" is "2.00": accepted.
        result = self.api.apply_refund(self.refund_doc(
            order, 4007, adjustments=[{"amount": "2.000", "reason": "goodwill"}], total="2.00"))
        self.assertEqual((result["status"], result["amount_total"]), ("created", "2.00"))

    def test_a_refund_for_an_unknown_order_is_a_validation_error(self):
        with self.assertRaisesRegex(ValidationError, "is not imported in Odoo"):
            self.api.apply_refund({"refund_gid": "gid://shopify/Refund/1",
                                   "order_gid": "gid://shopify/Order/424242", "lines": [],
                                   "total": "0.00"})


@tagged("shopify_sync", "at_install")
class TestReturns(ShopifySyncCase):
    def test_apply_return_creates_a_return_picking_once(self):
        order, _result = self.import_order(4101)
        delivery = self.deliver(order)
        line = order.order_line.filtered(lambda line: line.shopify_line_role == "product")
        doc = {"return_gid": "gid://shopify/Return/1", "order_gid": order.shopify_gid,
               "status": "OPEN",
               "lines": [{"line_gid": line.shopify_line_gid, "sku": "MUG-RED", "quantity": 1}]}
        result = self.api.apply_return(doc)
        self.assertEqual(result["status"], "created")
        picking = self.env["stock.picking"].browse(result["picking_id"])
        self.assertEqual(picking.return_id, delivery)
        self.assertEqual(picking.shopify_return_gid, "gid://shopify/Return/1")
        self.assertEqual(picking.move_ids.product_uom_qty, 1)
        again = self.api.apply_return(doc)
        self.assertEqual((again["status"], again["picking_id"]), ("unchanged", picking.id))
        cancelled = self.api.apply_return(dict(doc, status="CANCELED"))
        self.assertEqual((cancelled["status"], picking.state), ("cancelled", "cancel"))
        self.assertEqual(self.api.apply_return(dict(doc, status="CANCELED"))["status"],
                         "unchanged")

    def test_returning_more_than_delivered_is_refused(self):
        order, _result = self.import_order(4102)
        line = order.order_line.filtered(lambda line: line.shopify_line_role == "product")
        with self.assertRaisesRegex(ValidationError, "only 0 delivered"):
            self.api.apply_return({
                "return_gid": "gid://shopify/Return/2", "order_gid": order.shopify_gid,
                "status": "OPEN",
                "lines": [{"line_gid": line.shopify_line_gid, "sku": "MUG-RED", "quantity": 1}]})


@tagged("shopify_sync", "at_install")
class TestRestockOnlyRefund(ShopifySyncCase):
    def test_a_restock_only_refund_is_applied_once(self):
        order, _result = self.import_order(4201)
        line = order.order_line.filtered(lambda line: line.shopify_line_role == "product")
        doc = {"refund_gid": "gid://shopify/Refund/4201", "order_gid": order.shopify_gid,
               "created_at": "2026-11-28T09:00:00Z", "note": None, "adjustments": [],
               "shipping": {"amount": "0.00", "tax": "0.00"}, "total": "0.00",
               "lines": [{"line_gid": line.shopify_line_gid, "sku": "MUG-RED", "quantity": 1,
                          "subtotal": "0.00", "total_tax": "0.00", "restock_type": "cancel",
                          "location_gid": None}]}
        first = self.api.apply_refund(doc)
        self.assertEqual((first["status"], first["credit_note_id"]), ("created", None))
        self.assertEqual(self.api.apply_refund(doc)["status"], "unchanged")
        self.assertEqual(line.product_uom_qty, 1)
