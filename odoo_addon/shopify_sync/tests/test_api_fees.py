"""Additional fees (contract 1.6): booked as lines of the additional fees product on the order
and its invoice; refunded by Shopify only as money beyond the goods (a refund adjustment), also
when a credit note made in Odoo credits the fee line."""
from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .. import compat
from .test_api_refunds import RefundCase

FEE_GID = "gid://shopify/AdditionalFee/7101"


class FeeCase(RefundCase):
    def fee_order(self, number, **overrides):
        """2 mugs at 12.50 + VAT, shipping 5.00 + VAT, and an import handling fee of 2.50 with
        0.50 of VAT on it: 36.00 + 3.00 = 39.00."""
        doc = {"additional_fees": self.fees(), "total_tax": "6.50", "total_price": "39.00"}
        doc.update(overrides)
        return self.import_order(number, **doc)

    @staticmethod
    def fees():
        return [{"fee_gid": FEE_GID, "name": "Import handling fee", "price": "2.50",
                 "tax_lines": [{"title": "VAT", "rate": "0.2", "amount": "0.50"}]}]

    @staticmethod
    def fee_line(order, role="fee"):
        return order.order_line.filtered(
            lambda line: line.shopify_line_role == role and line.shopify_line_gid == FEE_GID)

    def credit_fee_in_odoo(self, order):
        """A credit note the merchant makes in Odoo for the fee line, posted."""
        fee = self.fee_line(order)
        move = self.env["account.move"].create({
            "move_type": "out_refund", "partner_id": order.partner_invoice_id.id,
            "invoice_origin": order.name,
            "invoice_line_ids": [Command.create(dict(fee._prepare_invoice_line(quantity=1)))]})
        move.action_post()
        return move


@tagged("shopify_sync", "at_install")
class TestAdditionalFees(FeeCase):
    def test_current_fees_an_order_edit_changed_hold_the_order_naming_the_field(self):
        order, _result = self.fee_order(7108)
        result = self.api.apply_order(self.order_doc(
            7108, updated_at="2026-11-28T10:00:00Z", additional_fees=self.fees(),
            total_tax="6.50", total_price="36.00", current_total_additional_fees="0.00"))
        self.assertEqual(result["status"], "held")
        self.assertEqual(result["message"], (
            "order #7108 held: currentTotalAdditionalFeesSet is 0.00 but the additional fees "
            "come to 2.50: an order edit in Shopify changed them and Shopify does not say which "
            "fee by how much (AdditionalFee.price stays what was charged), so the connector does "
            "not book it; book the difference by hand"))
        self.assertEqual(order.shopify_state, "error")
        self.assertEqual(self.fee_line(order).price_unit, 2.5)

    def test_a_fee_is_a_taxed_line_of_the_fees_product_and_the_totals_match(self):
        order, result = self.fee_order(7101)
        self.assertEqual((result["status"], result["amount_total"]), ("created", "39.00"))
        line = self.fee_line(order)
        self.assertEqual(
            line.product_id,
            self.env.ref("shopify_sync.product_shopify_additional_fees").product_variant_id)
        self.assertEqual((line.name, line.product_uom_qty, line.price_unit),
                         ("Additional fee: Import handling fee", 1, 2.5))
        self.assertEqual(compat.value(line, "tax_id"), self.tax20)
        self.assertEqual(order.shopify_state, "synced")
        invoice = self.invoice(order)
        self.assertEqual(round(invoice.amount_total, 2), 39.00)
        self.assertIn(line, invoice.invoice_line_ids.sale_line_ids)
        # The same document again changes nothing; a confirmed order keeps its one fee line.
        self.assertEqual(self.api.apply_order(self.order_doc(7101, **{
            "additional_fees": self.fees(), "total_tax": "6.50",
            "total_price": "39.00"}))["status"], "unchanged")
        self.assertEqual(len(self.fee_line(order)), 1)

    def test_fees_go_to_the_product_chosen_in_the_settings(self):
        Product = self.env["product.product"]
        handling = Product.create(compat.vals(Product, {
            "name": "Import handling", "type": "service", "sale_ok": False,
            "invoice_policy": "order"}))
        settings = self.env["res.config.settings"].create({})
        settings.shopify_fees_product_id = handling
        settings.execute()
        self.assertEqual(self.company.shopify_fees_product_id, handling)
        order, result = self.fee_order(7102)
        self.assertEqual(result["status"], "created")
        self.assertEqual(self.fee_line(order).product_id, handling)

    def test_without_its_fee_the_order_would_miss_shopify_total(self):
        # The order as an addon that does not read fees would book it: flagged by 3.00.
        _order, result = self.import_order(7103, total_tax="6.50", total_price="39.00")
        self.assertEqual(result["status"], "flagged")

    def test_a_fee_with_an_unmapped_tax_holds_the_order_naming_it(self):
        fees = self.fees()
        fees[0]["tax_lines"] = [{"title": "Import VAT", "rate": "0.19", "amount": "0.48"}]
        _order, result = self.fee_order(7104, additional_fees=fees, total_tax="6.48",
                                        total_price="38.98")
        self.assertEqual(result["status"], "held")
        self.assertIn('no tax mapping for Shopify tax "Import VAT" at rate 0.19 '
                      "(additional fee 1)", result["message"])

    def test_a_malformed_fee_is_refused_whole_naming_the_field(self):
        fees = self.fees()
        fees[0]["price"] = "2.505"
        with self.assertRaisesRegex(ValidationError,
                                    r"order #7105 additional fee 1 price: \"2.505\""):
            self.fee_order(7105, additional_fees=fees)
        fees[0].update(price="2.50", fee_gid="gid://shopify/Duty/7105")
        with self.assertRaisesRegex(
                ValidationError, r"order #7105 additional fee 1: fee_gid "
                                 r"'gid://shopify/Duty/7105' is not a AdditionalFee GID"):
            self.fee_order(7105, additional_fees=fees)
        fees[0].update(fee_gid=FEE_GID, tax_lines=[
            {"title": "VAT", "rate": "0.2", "amount": "0.5x"}])
        with self.assertRaisesRegex(ValidationError,
                                    r"order #7105 additional fee 1 tax line 1 amount"):
            self.fee_order(7105, additional_fees=fees)
        self.assertFalse(self.env["sale.order"].search(
            [("shopify_gid", "=", "gid://shopify/Order/7105")]))


@tagged("shopify_sync", "at_install")
class TestAdditionalFeeRefunds(FeeCase):
    def test_a_shopify_refund_of_the_fee_is_an_adjustment_and_the_fee_line_stays(self):
        order, _result = self.fee_order(7111)
        self.invoice(order)
        # Shopify refunds the fee only as money beyond the goods: an order adjustment.
        result = self.api.apply_refund(self.refund_doc(
            order, 7111, total="3.00",
            adjustments=[{"amount": "3.00", "reason": "refund_discrepancy"}]))
        self.assertEqual((result["status"], result["amount_total"]), ("created", "3.00"))
        credit_note = self.env["account.move"].browse(result["credit_note_id"])
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(len(self.fee_line(order)), 1)
        # Shopify's current order still counts the fee: the same document changes nothing.
        updated = self.api.apply_order(self.order_doc(
            7111, updated_at="2026-11-28T10:00:00Z", additional_fees=self.fees(),
            total_tax="6.50", total_price="39.00", refund_gids=["gid://shopify/Refund/7111"]))
        self.assertEqual(updated["status"], "updated")
        self.assertEqual(order.shopify_state, "synced")

    def test_a_credit_note_made_in_odoo_credits_the_fee_as_money_and_its_echo_counts_once(self):
        order, _result = self.fee_order(7112)
        self.invoice(order)
        fee = self.fee_line(order)
        move = self.credit_fee_in_odoo(order)
        exported = self.api.export_credit_note({"move_id": move.id})
        # Not a product line: refunded in Shopify as money beyond the goods.
        self.assertEqual(exported["amount_total"], "3.00")
        self.assertEqual([(x["role"], x["line_gid"], x["price_subtotal"])
                          for x in exported["lines"]], [("other", None, "2.50")])
        self.api.record_sync_result({"model": "account.move", "res_id": move.id,
                                     "state": "synced", "shopify_gid": "gid://shopify/Refund/7112"})
        # Shopify's refund of it (an order adjustment of 3.00) comes back: no second credit note.
        result = self.api.apply_refund(self.refund_doc(
            order, 7112, total="3.00",
            adjustments=[{"amount": "3.00", "reason": "refund_discrepancy"}]))
        self.assertEqual((result["status"], result["credit_note_id"]), ("created", move.id))
        self.assertEqual(order.invoice_ids.filtered(
            lambda m: m.move_type == "out_refund"), move)
        back = self.fee_line(order, "refund_adjustment")
        self.assertEqual((back.product_uom_qty, back.price_unit), (-1, 2.5))
        self.assertEqual(move.invoice_line_ids.sale_line_ids, back)
        # The fee stays invoiced and nothing is left to invoice (no second invoice of the fee).
        self.assertEqual((fee.qty_invoiced, back.qty_invoiced), (1, -1))
        self.assertEqual(order.invoice_status, "invoiced")
        # Shopify's current order still counts the fee: the update applies, not flagged.
        updated = self.api.apply_order(self.order_doc(
            7112, updated_at="2026-11-28T10:00:00Z", additional_fees=self.fees(),
            total_tax="6.50", total_price="39.00", refund_gids=["gid://shopify/Refund/7112"]))
        self.assertEqual((updated["status"], order.shopify_state), ("updated", "synced"))
