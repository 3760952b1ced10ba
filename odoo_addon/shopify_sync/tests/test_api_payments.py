"""apply_payments (journals by gateway, the hold of an unmapped gateway, deduplication, the
invoice policies, refunds against credit notes, gift cards) and payment_status."""
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .. import compat
from .common import ShopifySyncCase


@tagged("shopify_sync", "at_install")
class TestPayments(ShopifySyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Journal = cls.env["account.journal"]
        cls.card_journal = Journal.create({"name": "Shopify card", "code": "SHCRD",
                                           "type": "bank", "company_id": cls.company.id})
        cls.gift_account = cls.env["account.account"].create({
            "name": "Gift cards outstanding", "code": "GIFT01",
            "account_type": "liability_current"})
        cls.gift_journal = Journal.create({"name": "Shopify gift cards", "code": "SHGFT",
                                           "type": "bank", "company_id": cls.company.id})
        cls.gift_journal.inbound_payment_method_line_ids.payment_account_id = cls.gift_account
        cls.env["shopify.payment.gateway"].create({"name": "bogus",
                                                   "journal_id": cls.card_journal.id})
        cls.company.shopify_invoice_policy = "on_payment"

    @staticmethod
    def tx(number, kind="sale", amount="36.00", gateway="bogus", status="success"):
        return {"transaction_gid": f"gid://shopify/OrderTransaction/{number}", "kind": kind,
                "status": status, "gateway": gateway, "amount": amount,
                "processed_at": "2026-11-27T10:05:00Z"}

    def pay(self, order, *transactions):
        return self.api.apply_payments({"order_gid": order.shopify_gid,
                                        "transactions": list(transactions)})

    def payments(self, order):
        return self.env["account.payment"].search([("shopify_sale_order_id", "=", order.id)])

    def test_a_card_sale_is_a_payment_in_the_gateway_journal_reconciled_with_its_invoice(self):
        order, _result = self.import_order(7001)
        result = self.pay(order, self.tx(70011, "authorization"), self.tx(70012, "capture"))
        self.assertEqual(result["status"], "applied")
        payment = self.payments(order)
        self.assertEqual(len(payment), 1, "the authorization is no money")
        self.assertEqual(payment.journal_id, self.card_journal)
        self.assertEqual(payment.amount, 36.0)
        self.assertEqual(payment.payment_type, "inbound")
        invoice = order.invoice_ids
        self.assertEqual(result["invoice_id"], invoice.id)
        self.assertEqual((invoice.state, invoice.amount_total), ("posted", 36.0))
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(payment.is_reconciled)

    def test_the_same_transaction_twice_is_one_payment(self):
        order, _result = self.import_order(7002)
        self.pay(order, self.tx(70021))
        again = self.pay(order, self.tx(70021))
        self.assertEqual(again["status"], "unchanged")
        self.assertEqual(len(self.payments(order)), 1)
        self.assertEqual(len(order.invoice_ids), 1)

    def test_an_unmapped_gateway_holds_the_order_naming_it_then_resumes_once_mapped(self):
        order, _result = self.import_order(7003)
        result = self.pay(order, self.tx(70031, gateway="paypal"))
        self.assertEqual(result["status"], "held")
        self.assertIn('gateway "paypal"', result["message"])
        self.assertEqual(order.shopify_state, "error")
        self.assertIn('payment gateway "paypal" has no journal', order.shopify_error)
        failure = self.env["shopify.sync.failure"].search(
            [("identity", "=", f"record:sale.order:{order.id}"), ("state", "=", "open")])
        self.assertIn("paypal", failure.message)
        self.assertFalse(self.payments(order), "nothing half-applied")
        self.assertFalse(order.invoice_ids, "no invoice while the payment is held")
        self.env["shopify.payment.gateway"].create({"name": "PayPal",
                                                   "journal_id": self.card_journal.id})
        self.assertEqual(self.pay(order, self.tx(70031, gateway="paypal"))["status"], "applied")
        self.assertEqual(order.shopify_state, "synced")
        self.assertEqual(failure.state, "resolved")
        self.assertEqual(self.payments(order).journal_id, self.card_journal)

    def test_a_payments_hold_goes_after_a_tax_hold_and_lifting_it_leaves_the_tax_hold(self):
        doc = self.order_doc(7013)
        doc["lines"][0]["tax_lines"] = [{"title": "City tax", "rate": "0.05", "amount": "1.25"}]
        taxed = self.api.apply_order(doc)
        self.assertEqual(taxed["status"], "held")
        order = self.env["sale.order"].browse(taxed["sale_order_id"])
        tax_hold = order.shopify_error
        self.assertEqual(self.pay(order, self.tx(70131, gateway="paypal"))["status"], "held")
        self.assertEqual(order.shopify_state, "error")
        self.assertTrue(order.shopify_error.startswith(f"{tax_hold}; Shopify payments held: "))
        self.assertIn('payment gateway "paypal" has no journal', order.shopify_error)
        self.assertEqual(order.shopify_hold, "held")
        self.env["shopify.payment.gateway"].create({"name": "paypal",
                                                   "journal_id": self.card_journal.id})
        self.assertEqual(self.pay(order, self.tx(70131, gateway="paypal"))["status"], "applied")
        self.assertEqual((order.shopify_state, order.shopify_error), ("error", tax_hold),
                         "still held for its tax, not synced")

    def test_bad_transactions_are_refused_whole_naming_the_transaction_and_field(self):
        order, _result = self.import_order(7004)
        cases = [
            (self.tx(70041, amount="-3.00"), "transaction gid://shopify/OrderTransaction/70041: "
             "amount -3.00 is negative"),
            (self.tx(70042, amount="3.005"), "amount"),
            (self.tx(70043, kind="gift"), "kind 'gift'"),
            (self.tx(70044, gateway=""), "gateway is missing"),
            (dict(self.tx(70045), transaction_gid="gid://shopify/Order/1"), "transaction_gid"),
        ]
        for bad, words in cases:
            with self.subTest(words=words), self.assertRaises(ValidationError) as caught:
                self.pay(order, self.tx(70040), bad)
            self.assertIn(words, str(caught.exception))
        self.assertFalse(self.payments(order))

    def test_a_company_without_any_gateway_mapping_books_and_holds_nothing(self):
        self.env["shopify.payment.gateway"].search([]).unlink()
        order, _result = self.import_order(7012)
        result = self.pay(order, self.tx(70121, gateway="paypal"))
        self.assertEqual(result["status"], "disabled")
        self.assertIn("no Shopify payment gateway is mapped", result["message"])
        self.assertNotEqual(order.shopify_state, "error")
        self.assertFalse(self.payments(order))
        self.assertFalse(order.invoice_ids)
        # The daily reconciliation is told there is nothing to compare.
        status = self.api.payment_status(
            {"transaction_gids": ["gid://shopify/OrderTransaction/70121"]})
        self.assertIs(status["payments_enabled"], False)

    def test_pending_failed_and_zero_transactions_book_nothing(self):
        order, _result = self.import_order(7005)
        result = self.pay(order, self.tx(70051, status="pending"),
                          self.tx(70052, status="failure"), self.tx(70053, amount="0.00"))
        self.assertEqual(result["status"], "unchanged")
        self.assertFalse(self.payments(order))
        self.assertFalse(order.invoice_ids)

    def test_policy_never_books_the_payment_without_invoicing(self):
        self.company.shopify_invoice_policy = "never"
        order, _result = self.import_order(7006)
        self.assertEqual(self.pay(order, self.tx(70061))["status"], "applied")
        self.assertFalse(order.invoice_ids)
        payment = self.payments(order)
        self.assertEqual(compat.payment_state(payment), "in_process")
        self.assertFalse(payment.is_reconciled)

    def test_an_invoice_posted_by_hand_takes_the_payment_booked_before_it(self):
        self.company.shopify_invoice_policy = "never"
        order, _result = self.import_order(7013)
        self.pay(order, self.tx(70131))
        self.assertFalse(self.payments(order).is_reconciled)
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(self.payments(order).is_reconciled)

    def test_policy_on_delivery_invoices_when_delivered_and_reconciles_the_earlier_payment(self):
        self.company.shopify_invoice_policy = "on_delivery"
        order, _result = self.import_order(7007)
        self.pay(order, self.tx(70071))
        self.assertFalse(order.invoice_ids, "paid, not delivered")
        self.deliver(order)
        invoice = order.invoice_ids
        self.assertEqual((invoice.state, invoice.amount_total), ("posted", 36.0))
        self.assertTrue(self.payments(order).is_reconciled)

    def test_cash_change_is_an_outbound_payment_settled_against_the_cash_sale(self):
        # A point of sale's cash sale of 36.00 paid with 50.00: a sale of the amount tendered
        # and a change of 14.00; the change booked first, then the sale.
        order, _result = self.import_order(7009)
        self.pay(order, self.tx(70092, "change", "14.00"))
        change = self.payments(order)
        self.assertEqual((change.payment_type, change.amount, change.shopify_transaction_kind),
                         ("outbound", 14.0, "change"))
        self.assertFalse(change.is_reconciled, "nothing to settle it against yet")
        self.pay(order, self.tx(70091, "sale", "50.00"), self.tx(70092, "change", "14.00"))
        sale = self.payments(order) - change
        self.assertEqual((sale.payment_type, sale.amount), ("inbound", 50.0))
        invoice = order.invoice_ids
        self.assertEqual(invoice.amount_total, 36.0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(sale.is_reconciled and change.is_reconciled,
                        "the invoice and the change together settle the 50.00 tendered")

    def test_a_refund_transaction_is_an_outbound_payment_reconciled_with_its_credit_note(self):
        order, _result = self.import_order(7008)
        self.pay(order, self.tx(70081))
        line = order.order_line.filtered(lambda sol: sol.shopify_line_role == "product")
        self.api.apply_refund({
            "refund_gid": "gid://shopify/Refund/7008", "order_gid": order.shopify_gid,
            "created_at": "2026-11-28T09:00:00Z", "note": None, "return_gid": None,
            "lines": [{"line_gid": line.shopify_line_gid, "sku": "MUG-RED", "quantity": 1,
                       "subtotal": "12.50", "total_tax": "2.50", "restock_type": "cancel",
                       "location_gid": None}],
            "shipping": {"amount": "0.00", "tax": "0.00"}, "adjustments": [], "total": "15.00"})
        credit_note = self.env["shopify.refund"].search(
            [("shopify_gid", "=", "gid://shopify/Refund/7008")]).credit_note_id
        self.assertEqual((credit_note.state, credit_note.amount_total), ("posted", 15.0))
        result = self.pay(order, self.tx(70081), self.tx(70082, "refund", "15.00"))
        self.assertEqual([p["payment_type"] for p in result["payments"]], ["outbound"])
        refund = self.payments(order).filtered(lambda p: p.payment_type == "outbound")
        self.assertEqual(refund.amount, 15.0)
        self.assertTrue(refund.is_reconciled)
        self.assertEqual(credit_note.payment_state, "paid")

    def test_a_refund_before_invoicing_is_reconciled_with_the_sale_it_pays_back(self):
        self.company.shopify_invoice_policy = "on_delivery"
        order, _result = self.import_order(7012)
        self.pay(order, self.tx(70121))
        line = order.order_line.filtered(lambda sol: sol.shopify_line_role == "product")
        self.api.apply_refund({
            "refund_gid": "gid://shopify/Refund/7012", "order_gid": order.shopify_gid,
            "created_at": "2026-11-28T09:00:00Z", "note": None, "return_gid": None,
            "lines": [{"line_gid": line.shopify_line_gid, "sku": "MUG-RED", "quantity": 1,
                       "subtotal": "12.50", "total_tax": "2.50", "restock_type": "cancel",
                       "location_gid": None}],
            "shipping": {"amount": "0.00", "tax": "0.00"}, "adjustments": [], "total": "15.00"})
        self.pay(order, self.tx(70121), self.tx(70122, "refund", "15.00"))
        self.assertFalse(order.invoice_ids, "not delivered: no invoice, no credit note")
        self.assertTrue(self.payments(order).filtered(
            lambda p: p.payment_type == "outbound").is_reconciled)
        self.deliver(order)
        self.assertEqual(order.invoice_ids.amount_total, 21.0)
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))
        self.assertTrue(all(self.payments(order).mapped("is_reconciled")))

    def test_a_gift_card_is_sold_as_a_liability_and_paid_with_in_the_gift_card_journal(self):
        self.company.write({"shopify_gift_card_account_id": self.gift_account.id,
                            "shopify_gift_card_journal_id": self.gift_journal.id})
        doc = self.order_doc(7009)
        doc["lines"].append({"line_gid": "gid://shopify/LineItem/70092", "sku": None,
                             "title": "Gift card 50", "quantity": 1, "price_unit": "50.00",
                             "discount": "0.00", "tax_lines": [], "gift_card": True})
        doc.update(subtotal_price="75.00", total_price="86.00")
        result = self.api.apply_order(doc)
        order = self.env["sale.order"].browse(result["sale_order_id"])
        self.assertEqual(result["status"], "created", result.get("message"))
        self.assertEqual(order.amount_total, 86.0)
        self.pay(order, self.tx(70091, amount="80.00"),
                 self.tx(70092, amount="6.00", gateway="gift_card"))
        gift_line = order.invoice_ids.invoice_line_ids.filtered(
            lambda aml: aml.product_id.default_code == "SHOPIFY-GIFT-CARD")
        self.assertEqual(gift_line.account_id, self.gift_account, "a liability, not revenue")
        by_journal = {p.journal_id: p.amount for p in self.payments(order)}
        self.assertEqual(by_journal, {self.card_journal: 80.0, self.gift_journal: 6.0})
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))

    def test_a_gift_card_without_its_account_holds_the_invoice_but_never_refuses_the_order(self):
        doc = self.order_doc(7010)
        doc["lines"] = [{"line_gid": "gid://shopify/LineItem/70101", "sku": None,
                         "title": "Gift card 25", "quantity": 1, "price_unit": "25.00",
                         "discount": "0.00", "tax_lines": [], "gift_card": True}]
        doc.update(shipping_lines=[], subtotal_price="25.00", total_tax="0.00",
                   total_price="25.00")
        result = self.api.apply_order(doc)
        self.assertEqual(result["status"], "created", result.get("message"))
        order = self.env["sale.order"].browse(result["sale_order_id"])
        held = self.pay(order, self.tx(70101, amount="25.00"))
        self.assertEqual(held["status"], "held")
        self.assertIn("gift card liability account is not set", order.shopify_error)
        self.assertFalse(self.payments(order))

    def test_payment_status_reports_booked_and_missing_transactions(self):
        order, _result = self.import_order(7011)
        self.pay(order, self.tx(70111))
        status = self.api.payment_status({"transaction_gids": [
            "gid://shopify/OrderTransaction/70111", "gid://shopify/OrderTransaction/70112"]})
        self.assertIs(status["payments_enabled"], True)
        booked, missing = status["payments"]
        self.assertEqual((booked["found"], booked["amount"], booked["currency"],
                          booked["payment_type"], booked["sale_order_id"], booked["reconciled"]),
                         (True, "36.00", order.currency_id.name, "inbound", order.id, True))
        self.assertEqual((missing["found"], missing["payment_id"]), (False, None))
