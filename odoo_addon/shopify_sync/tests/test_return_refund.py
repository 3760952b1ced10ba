"""Returns received in Odoo refunded with the Shopify return (Settings → Shopify → Refund of
returns received in Odoo; docs/flows.md, "Returns received in Odoo"): the picking waits for the
credit note, says so, and can be processed without a refund; the contract shows the sidecar
what waits (export_delivery's await_credit_note, export_credit_note's waiting_returns)."""
from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .. import compat
from .test_api_refunds import RefundCase


@tagged("shopify_sync", "at_install")
class TestReturnRefund(RefundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_user = new_test_user(cls.env, login="return-stock-user",
                                       groups="base.group_user,stock.group_stock_user")

    def credit_note(self, order, quantity):
        line = self.product_line(order)
        move = self.env["account.move"].create({
            "move_type": "out_refund", "partner_id": order.partner_invoice_id.id,
            "invoice_origin": order.name,
            "invoice_line_ids": [Command.create(dict(line._prepare_invoice_line(
                quantity=quantity)))]})
        move.action_post()
        return move

    def received_return(self, number, linked=True):
        self.env.company.shopify_return_refund = "return" if linked else "separate"
        order, _result = self.import_order(number)
        delivery = self.deliver(order)
        self.invoice(order)
        returned = compat.create_return(delivery, {move: 1 for move in delivery.move_ids})
        for move in returned.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        self.clear_events()
        returned.with_context(skip_sms=True).button_validate()
        return order, returned

    def test_the_setting_defaults_to_separately(self):
        self.assertEqual(self.env["res.company"].create({"name": "New"}).shopify_return_refund,
                         "separate")

    def test_a_return_of_an_invoiced_order_waits_for_its_credit_note(self):
        order, returned = self.received_return(4301)
        self.assertEqual(returned.shopify_state, "pending")
        self.assertTrue(returned.shopify_return_waiting)
        self.assertTrue(self.api.export_delivery({"picking_id": returned.id})["await_credit_note"])
        move = self.credit_note(order, 1)
        exported = self.api.export_credit_note({"move_id": move.id})
        self.assertEqual(exported["waiting_returns"], [returned.id])
        # The credit note is posted and not refunded in Shopify yet: a reception handled now
        # still waits, for that credit note's job to decide.
        self.assertEqual(move.shopify_state, "pending")
        self.assertTrue(self.api.export_delivery({"picking_id": returned.id})["await_credit_note"])
        # Processed in Shopify (with the credit note's refund): nothing waits any more.
        self.api.record_sync_result({"model": "stock.picking", "res_id": returned.id,
                                     "state": "synced"})
        self.assertFalse(returned.shopify_return_waiting)
        self.assertEqual(self.api.export_credit_note({"move_id": move.id})["waiting_returns"], [])

    def test_process_without_a_refund_sends_the_return_again_and_stops_waiting(self):
        _order, returned = self.received_return(4302)
        self.clear_events()
        returned.with_user(self.stock_user).action_shopify_process_without_refund()
        self.assertTrue(returned.shopify_return_no_refund)
        self.assertFalse(returned.shopify_return_waiting)
        self.assertEqual(self.events("return.done").payload["picking_id"], returned.id)
        self.assertFalse(self.api.export_delivery({"picking_id": returned.id})["await_credit_note"])
        with self.assertRaisesRegex(UserError, "waits for its credit note"):
            returned.action_shopify_process_without_refund()

    def test_separately_nothing_waits(self):
        order, returned = self.received_return(4303, linked=False)
        self.assertFalse(returned.shopify_return_waiting)
        self.assertFalse(self.api.export_delivery({"picking_id": returned.id})["await_credit_note"])
        move = self.credit_note(order, 1)
        self.assertEqual(self.api.export_credit_note({"move_id": move.id})["waiting_returns"], [])
