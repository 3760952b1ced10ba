"""Import duties (contract 1.5): booked as lines of the duties product on the order and its
invoice, given back by refunds as credit note lines, exported on credit notes made in Odoo."""
from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .. import compat
from .test_api_refunds import RefundCase

DUTY_GID = "gid://shopify/Duty/7001"


class DutyCase(RefundCase):
    def duty_order(self, number, **overrides):
        """2 mugs at 12.50 + VAT, shipping 5.00 + VAT, and a 4.00 duty on the mugs with 0.80 of
        VAT on it: 36.00 + 4.80 = 40.80."""
        doc = {"duties": self.order_doc_duties(number), "total_tax": "6.80",
               "total_price": "40.80"}
        doc.update(overrides)
        return self.import_order(number, **doc)

    def order_doc_duties(self, number):
        return [{"duty_gid": DUTY_GID, "line_gid": f"gid://shopify/LineItem/{number}1",
                 "price": "4.00", "harmonized_system_code": "691200",
                 "country_code_of_origin": "CN",
                 "tax_lines": [{"title": "VAT", "rate": "0.2", "amount": "0.80"}]}]

    @staticmethod
    def duty_line(order, role="duty"):
        return order.order_line.filtered(
            lambda line: line.shopify_line_role == role and line.shopify_line_gid == DUTY_GID)


@tagged("shopify_sync", "at_install")
class TestDuties(DutyCase):
    def test_a_duty_is_a_taxed_line_of_the_duties_product_and_the_totals_match(self):
        order, result = self.duty_order(7001)
        self.assertEqual((result["status"], result["amount_total"]), ("created", "40.80"))
        line = self.duty_line(order)
        self.assertEqual(line.product_id,
                         self.env.ref("shopify_sync.product_shopify_duties").product_variant_id)
        self.assertEqual((line.name, line.product_uom_qty, line.price_unit),
                         ("Duties: Mug red (HS 691200)", 1, 4.0))
        self.assertEqual(compat.value(line, "tax_id"), self.tax20)
        self.assertEqual(order.shopify_state, "synced")
        # Invoiced with the order.
        invoice = self.invoice(order)
        self.assertAlmostEqual(invoice.amount_total, 40.80, places=2)
        self.assertIn(line, invoice.invoice_line_ids.sale_line_ids)
        # The same document again changes nothing; a confirmed order keeps its one duty line.
        self.assertEqual(self.api.apply_order(self.order_doc(7001, **{
            "duties": self.order_doc_duties(7001), "total_tax": "6.80",
            "total_price": "40.80"}))["status"], "unchanged")
        self.assertEqual(len(self.duty_line(order)), 1)

    def test_duties_go_to_the_product_chosen_in_the_settings(self):
        Product = self.env["product.product"]
        customs = Product.create(compat.vals(Product, {
            "name": "Customs duties", "type": "service", "sale_ok": False,
            "invoice_policy": "order"}))
        settings = self.env["res.config.settings"].create({})
        settings.shopify_duties_product_id = customs
        settings.execute()
        self.assertEqual(self.company.shopify_duties_product_id, customs)
        order, result = self.duty_order(7005)
        self.assertEqual(result["status"], "created")
        self.assertEqual(self.duty_line(order).product_id, customs)
        self.api.apply_refund(self.refund_doc(
            order, 7005, total="4.80",
            duties=[{"duty_gid": DUTY_GID, "amount": "4.00", "tax": "0.80"}]))
        self.assertEqual(self.duty_line(order, "refund").product_id, customs)

    def test_without_its_duty_the_order_would_miss_shopify_total(self):
        # The order as an addon that does not read duties would book it: flagged by 4.80.
        _order, result = self.import_order(7002, total_tax="6.80", total_price="40.80")
        self.assertEqual(result["status"], "flagged")

    def test_a_duty_with_an_unmapped_tax_holds_the_order_naming_it(self):
        duties = self.order_doc_duties(7003)
        duties[0]["tax_lines"] = [{"title": "Import VAT", "rate": "0.19", "amount": "0.76"}]
        _order, result = self.duty_order(7003, duties=duties, total_tax="6.76",
                                         total_price="40.76")
        self.assertEqual(result["status"], "held")
        self.assertIn('no tax mapping for Shopify tax "Import VAT" at rate 0.19 (duty 1)',
                      result["message"])

    def test_a_malformed_duty_is_refused_whole_naming_the_field(self):
        duties = self.order_doc_duties(7004)
        duties[0]["price"] = "4.005"
        with self.assertRaisesRegex(ValidationError, r"order #7004 duty 1 price: \"4.005\""):
            self.duty_order(7004, duties=duties)
        duties[0].update(price="4.00", duty_gid="7004")
        with self.assertRaisesRegex(ValidationError, r"duty_gid '7004' is not a Shopify GID"):
            self.duty_order(7004, duties=duties)
        self.assertFalse(self.env["sale.order"].search(
            [("shopify_gid", "=", "gid://shopify/Order/7004")]))


@tagged("shopify_sync", "at_install")
class TestDutyRefunds(DutyCase):
    def test_a_proportional_then_a_full_duty_refund_are_exact_credit_notes(self):
        order, _result = self.duty_order(7011)
        self.deliver(order)
        self.invoice(order)
        # One mug kept by the customer and half the duty: 12.50 + 2.50 + 2.00 + 0.40 = 17.40.
        first = self.api.apply_refund(self.mug_refund(
            order, 7011, "no_restock", total="17.40",
            duties=[{"duty_gid": DUTY_GID, "amount": "2.00", "tax": "0.40"}]))
        self.assertEqual((first["status"], first["amount_total"]), ("created", "17.40"))
        credit_note = self.env["account.move"].browse(first["credit_note_id"])
        self.assertEqual(credit_note.state, "posted")
        refunded = self.duty_line(order, "refund")
        self.assertEqual((refunded.product_uom_qty, refunded.price_unit), (-1, 2.0))
        self.assertIn(refunded, credit_note.invoice_line_ids.sale_line_ids)
        # The rest of the duty alone: 2.00 + 0.40.
        second = self.api.apply_refund(self.refund_doc(
            order, 70111, total="2.40",
            duties=[{"duty_gid": DUTY_GID, "amount": "2.00", "tax": "0.40"}]))
        self.assertEqual((second["status"], second["amount_total"]), ("created", "2.40"))
        self.assertAlmostEqual(order.amount_total, 21.00, places=2)
        # Shopify's current order after both refunds: 1 mug + shipping, no duty left.
        updated = self.api.apply_order(dict(
            self.current(7011, 1, "21.00",
                         refund_gids=["gid://shopify/Refund/7011", "gid://shopify/Refund/70111"]),
            duties=self.order_doc_duties(7011)))
        self.assertEqual((updated["status"], updated["amount_total"]), ("updated", "21.00"))
        self.assertEqual(order.shopify_state, "synced")

    def test_current_duties_an_order_edit_changed_hold_the_order_naming_the_field(self):
        order, _result = self.duty_order(7015)
        # An edit removed a mug and Shopify took half the duty (2.00 + 0.40) off its current
        # totals; Duty.price stays 4.00 and Shopify does not say which duty changed.
        result = self.api.apply_order(dict(
            self.current(7015, 1, "23.40"), duties=self.order_doc_duties(7015),
            current_total_duties="2.00"))
        self.assertEqual(result["status"], "held")
        self.assertEqual(result["message"], (
            "order #7015 held: currentTotalDutiesSet is 2.00 but the duties Odoo books come to "
            "4.00 (charged 4.00, refunded 0.00): an order edit in Shopify changed the duties and "
            "Shopify does not say which duty by how much (Duty.price stays what was charged), so "
            "the connector does not book it; book the difference by hand"))
        self.assertEqual(order.shopify_state, "error")
        self.assertEqual(order.shopify_error, result["message"])
        self.assertEqual(self.duty_line(order).price_unit, 4.0)

    def test_current_duties_that_count_only_the_refunds_apply(self):
        order, _result = self.duty_order(7016)
        self.api.apply_refund(self.refund_doc(
            order, 7016, total="2.40",
            duties=[{"duty_gid": DUTY_GID, "amount": "2.00", "tax": "0.40"}]))
        result = self.api.apply_order(dict(
            self.current(7016, 2, "38.40", refund_gids=["gid://shopify/Refund/7016"]),
            duties=self.order_doc_duties(7016), current_total_duties="2.00"))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "38.40"))
        self.assertEqual(order.shopify_state, "synced")

    def test_a_duty_price_lowered_after_invoicing_is_credited_and_a_raised_one_invoiced(self):
        order, _result = self.duty_order(7018)
        self.invoice(order)

        def repriced(price, tax, total, updated_at):
            duties = self.order_doc_duties(7018)
            duties[0].update(price=price, tax_lines=[
                {"title": "VAT", "rate": "0.2", "amount": tax}])
            return self.order_doc(7018, updated_at=updated_at, duties=duties,
                                  total_tax="6.40", total_price=total)

        # 4.00 + 0.80 → 2.00 + 0.40: 2.40 less, credited unlinked (the duty stays invoiced).
        lowered = self.api.apply_order(repriced("2.00", "0.40", "38.40", "2026-11-28T10:00:00Z"))
        self.assertEqual((lowered["status"], lowered["amount_total"]), ("updated", "38.40"))
        credit = self.env["account.move"].search([
            ("shopify_sale_order_id", "=", order.id), ("shopify_edit_credit", "=", True)])
        self.assertEqual((credit.state, round(credit.amount_total, 2)), ("posted", 2.40))
        self.assertEqual(credit.invoice_line_ids.mapped("name"),
                         ["Lowered in Shopify: Duties: Mug red (HS 691200)"])
        self.assertFalse(credit.invoice_line_ids.sale_line_ids)
        self.assertEqual(order.invoice_status, "invoiced")
        raised = self.api.apply_order(repriced("3.00", "0.60", "39.60", "2026-11-28T11:00:00Z"))
        self.assertEqual((raised["status"], raised["amount_total"]), ("updated", "39.60"),
                         raised.get("message"))
        supplement = order.order_line.filtered(lambda line: line.shopify_line_role == "raised")
        self.assertEqual(
            (supplement.name, supplement.shopify_line_gid, supplement.price_unit,
             supplement.product_id, compat.value(supplement, "tax_id")),
            ("Raised in Shopify: Duties: Mug red (HS 691200)", DUTY_GID, 1.0,
             self.duty_line(order).product_id,
             compat.value(self.duty_line(order), "tax_id")))
        self.assertEqual(self.duty_line(order).price_unit, 2.0)
        self.assertEqual(self.invoice(order).amount_total, 1.2)
        self.assertEqual(order.invoice_status, "invoiced")

    def test_duties_inside_the_product_prices_hold_the_order_naming_the_field(self):
        order, result = self.duty_order(7017, duties_included=True)
        self.assertEqual(result["status"], "held")
        self.assertIn("held: dutiesIncluded is true (duties inside the product prices), which "
                      "the connector does not book", result["message"])
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.shopify_state, "error")

    def test_a_duty_refund_before_invoicing_lowers_the_order(self):
        order, _result = self.duty_order(7012)
        result = self.api.apply_refund(self.refund_doc(
            order, 7012, total="4.80",
            duties=[{"duty_gid": DUTY_GID, "amount": "4.00", "tax": "0.80"}]))
        self.assertEqual((result["status"], result["credit_note_id"]), ("created", None))
        self.assertAlmostEqual(order.amount_total, 36.0, places=2)
        invoice = order._create_invoices(final=True)
        self.assertAlmostEqual(invoice.amount_total, 36.0, places=2)

    def test_a_refund_of_a_duty_the_order_does_not_have_is_refused_before_any_write(self):
        order, _result = self.duty_order(7013)
        line = self.product_line(order)
        with self.assertRaisesRegex(ValidationError,
                                    r"duty 1: duty gid://shopify/Duty/9 is not on"):
            self.api.apply_refund(self.mug_refund(
                order, 7013, "cancel", total="15.00",
                duties=[{"duty_gid": "gid://shopify/Duty/9", "amount": "0.00", "tax": "0.00"}]))
        self.assertEqual(line.product_uom_qty, 2)
        self.assertFalse(self.env["shopify.refund"].search(
            [("shopify_gid", "=", "gid://shopify/Refund/7013")]))

    def test_a_credit_note_made_in_odoo_exports_its_duty_line_with_the_duty(self):
        order, _result = self.duty_order(7014)
        self.invoice(order)
        duty = self.duty_line(order)
        move = self.env["account.move"].create({
            "move_type": "out_refund", "partner_id": order.partner_invoice_id.id,
            "invoice_origin": order.name,
            "invoice_line_ids": [Command.create(dict(duty._prepare_invoice_line(quantity=1)))]})
        move.action_post()
        exported = self.api.export_credit_note({"move_id": move.id})
        self.assertEqual(exported["amount_total"], "4.80")
        self.assertEqual([(x["role"], x["duty_gid"], x["price_subtotal"])
                          for x in exported["lines"]], [("duty", DUTY_GID, "4.00")])

    def test_the_refund_shopify_made_of_an_odoo_duty_credit_takes_the_duty_off_the_order(self):
        order, _result = self.duty_order(7015)
        self.invoice(order)
        duty = self.duty_line(order)
        move = self.env["account.move"].create({
            "move_type": "out_refund", "partner_id": order.partner_invoice_id.id,
            "invoice_origin": order.name,
            "invoice_line_ids": [Command.create(dict(duty._prepare_invoice_line(quantity=1)))]})
        move.action_post()
        self.api.record_sync_result({"model": "account.move", "res_id": move.id,
                                     "state": "synced", "shopify_gid": "gid://shopify/Refund/7015"})
        # Shopify's refund of it (refundDuties FULL) comes back: no second credit note.
        result = self.api.apply_refund(self.refund_doc(
            order, 7015, total="4.80",
            duties=[{"duty_gid": DUTY_GID, "amount": "4.00", "tax": "0.80"}]))
        self.assertEqual((result["status"], result["credit_note_id"]), ("created", move.id))
        refund_line = self.duty_line(order, "refund")
        self.assertEqual((refund_line.product_uom_qty, refund_line.price_unit), (-1, 4.0))
        self.assertEqual(move.invoice_line_ids.sale_line_ids, refund_line)
        self.assertEqual((duty.qty_invoiced, refund_line.qty_invoiced), (1, -1))
        self.assertEqual(order.invoice_status, "invoiced")
        # Shopify's current order no longer counts the duty: the update applies, not flagged.
        updated = self.api.apply_order(self.order_doc(
            7015, updated_at="2026-11-28T10:00:00Z", duties=self.order_doc_duties(7015),
            total_tax="6.00", total_price="36.00", refund_gids=["gid://shopify/Refund/7015"]))
        self.assertEqual((updated["status"], updated["amount_total"]), ("updated", "36.00"))
