"""apply_return through a Shopify return's life (requested, approved, processed partly and
fully, closed, declined, cancelled), the refund that closes a return, and the return machinery's
refusals."""
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_api_refunds import RefundCase


@tagged("shopify_sync", "at_install")
class TestReturns(RefundCase):
    def return_doc(self, order, number, status="OPEN", quantity=1, restocked=0, not_restocked=0):
        line = self.product_line(order)
        return {"return_gid": f"gid://shopify/Return/{number}", "order_gid": order.shopify_gid,
                "status": status, "name": f"{order.shopify_name}-R1",
                "lines": [{"line_gid": line.shopify_line_gid, "sku": "MUG-RED",
                           "quantity": quantity, "restocked_quantity": restocked,
                           "not_restocked_quantity": not_restocked}]}

    def test_a_return_follows_its_shopify_life(self):
        order, _result = self.import_order(4101)
        delivery = self.deliver(order)
        line = self.product_line(order)
        requested = self.api.apply_return(self.return_doc(order, 4101, "REQUESTED", 2))
        self.assertEqual((requested["status"], requested["picking_ids"]), ("awaiting_approval", []))
        created = self.api.apply_return(self.return_doc(order, 4101, "OPEN", 2))
        self.assertEqual(created["status"], "created")
        picking = self.env["stock.picking"].browse(created["picking_id"])
        self.assertEqual((picking.return_id, picking.state, picking.shopify_return_gid),
                         (delivery, "assigned", "gid://shopify/Return/4101"))
        again = self.api.apply_return(self.return_doc(order, 4101, "OPEN", 2))
        self.assertEqual((again["status"], again["picking_id"]), ("unchanged", picking.id))
        # One unit processed and restocked in Shopify: received; the other still comes.
        partly = self.api.apply_return(self.return_doc(order, 4101, "OPEN", 2, restocked=1))
        self.assertEqual(partly["status"], "updated")
        self.assertEqual((picking.state, line.qty_delivered), ("done", 1))
        backorder = self.env["stock.picking"].search([("backorder_id", "=", picking.id)])
        self.assertEqual((backorder.state, backorder.shopify_return_gid),
                         ("assigned", "gid://shopify/Return/4101"))
        # The second unit not restocked, return closed: nothing more comes back.
        closed = self.api.apply_return(self.return_doc(order, 4101, "CLOSED", 2, 1, 1))
        self.assertEqual(closed["status"], "updated")
        self.assertEqual((backorder.state, line.qty_delivered), ("cancel", 1))
        self.assertEqual(self.api.apply_return(self.return_doc(order, 4101, "CLOSED", 2, 1, 1))
                         ["status"], "unchanged")

    def test_a_declined_or_cancelled_return_cancels_what_is_still_to_receive(self):
        order, _result = self.import_order(4102)
        self.deliver(order)
        created = self.api.apply_return(self.return_doc(order, 4102))
        cancelled = self.api.apply_return(self.return_doc(order, 4102, "CANCELED"))
        picking = self.env["stock.picking"].browse(created["picking_id"])
        self.assertEqual((cancelled["status"], picking.state), ("cancelled", "cancel"))
        self.assertEqual(self.api.apply_return(self.return_doc(order, 4102, "DECLINED"))["status"],
                         "unchanged")
        never = self.api.apply_return(self.return_doc(order, 41021, "DECLINED"))
        self.assertEqual((never["status"], never["picking_ids"]), ("unchanged", []))

    def test_the_refund_that_closes_a_return_receives_its_goods(self):
        order, _result = self.import_order(4103)
        self.deliver(order)
        created = self.api.apply_return(self.return_doc(order, 4103))
        picking = self.env["stock.picking"].browse(created["picking_id"])
        self.api.apply_refund(self.mug_refund(order, 4103, "return",
                                              return_gid="gid://shopify/Return/4103"))
        self.assertEqual(picking.state, "done")
        self.assertEqual(len(order.picking_ids.filtered(
            lambda p: p.picking_type_code == "incoming")), 1, "no second return picking")
        record = order.shopify_refund_ids
        self.assertEqual(record.return_gid, "gid://shopify/Return/4103")
        # Shopify's return/process that follows finds the goods received already.
        self.assertEqual(self.api.apply_return(self.return_doc(order, 4103, "CLOSED", 1, 1))
                         ["status"], "unchanged")

    def test_returning_more_than_delivered_and_not_returned_is_refused(self):
        order, _result = self.import_order(4104)
        self.deliver(order, {self.mug: 1})
        self.api.apply_return(self.return_doc(order, 4104))
        with self.assertRaisesRegex(
                ValidationError, r"^return #4104-R1: cannot return 1 × MUG-RED: only 0 delivered "
                                 r"and not already returned$"):
            self.api.apply_return(self.return_doc(order, 41041))
        with self.assertRaisesRegex(ValidationError, r"line 1: 2 restocked and 0 not restocked "
                                                     r"exceed the 1 returned"):
            self.api.apply_return(self.return_doc(order, 4104, restocked=2))
