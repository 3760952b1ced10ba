"""The shop currency against the company currency: refused ("company"), a pricelist in the shop
currency ("pricelist", held while none exists), or converted with Odoo's rate ("convert")."""
from .common import ShopifySyncCase


class TestShopCurrency(ShopifySyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A company currency other than the order's: EUR at 0.8 per company unit.
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.eur.rate_ids.unlink()
        cls.env["res.currency.rate"].create({
            "currency_id": cls.eur.id, "company_id": cls.company.id, "name": "2000-01-01",
            "rate": 0.8 if cls.company.currency_id != cls.eur else 1.0})

    def _policy(self, policy):
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.currency_policy", policy)

    def _doc(self, number):
        return self.order_doc(number, currency=self.eur.name, presentment_currency=self.eur.name)

    def test_company_policy_refuses_another_currency(self):
        self._policy("company")
        with self.assertRaisesRegex(Exception, "shop currency EUR differs from the company"):
            self.api.apply_order(self._doc(5201))

    def test_pricelist_policy_holds_then_books_in_the_shop_currency(self):
        self._policy("pricelist")
        self.env["product.pricelist"].search([("currency_id", "=", self.eur.id)]).action_archive()
        result = self.api.apply_order(self._doc(5202))
        self.assertEqual(result["status"], "held")
        self.assertIn("no pricelist in EUR", result["message"])
        self.env["product.pricelist"].create({"name": "Shopify EUR", "currency_id": self.eur.id})
        result = self.api.apply_order(self._doc(5202))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "36.00"))
        order = self.env["sale.order"].browse(result["sale_order_id"])
        self.assertEqual((order.currency_id, order.shopify_currency), (self.eur, "EUR"))
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.order_line.filtered(
            lambda line: line.shopify_line_role == "product").price_unit, 12.5)

    def test_convert_policy_converts_the_order_and_its_refund(self):
        self._policy("convert")
        doc = self._doc(5203)
        result = self.api.apply_order(doc)
        # 36.00 EUR / 0.8 = 45.00 in the company currency.
        self.assertEqual((result["status"], result["amount_total"]), ("created", "45.00"),
                         result.get("message"))
        order = self.env["sale.order"].browse(result["sale_order_id"])
        self.assertEqual(order.currency_id, self.company.currency_id)
        self.invoice(order)
        refund = self.api.apply_refund({
            "refund_gid": "gid://shopify/Refund/5203", "order_gid": doc["order_gid"],
            "created_at": "2026-11-28T10:00:00Z", "note": None, "return_gid": None,
            "lines": [{"line_gid": doc["lines"][0]["line_gid"], "sku": "MUG-RED",
                       "quantity": 1, "subtotal": "12.50", "total_tax": "2.50",
                       "restock_type": "cancel", "location_gid": None}],
            "shipping": {"amount": "0.00", "tax": "0.00"}, "adjustments": [],
            "total": "15.00"})
        self.assertEqual(refund["status"], "created", refund.get("message"))
        credit_note = self.env["account.move"].browse(refund["credit_note_id"])
        self.assertEqual(credit_note.state, "posted")
        self.assertAlmostEqual(credit_note.amount_total, 18.75, places=2)


class TestPresentmentCurrency(ShopifySyncCase):
    """Book orders in: the shop currency (default) or the customer's (presentment) currency."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The customer pays in a currency other than the shop's (and the company's).
        code = "EUR" if cls.company.currency_id.name != "EUR" else "GBP"
        cls.paid = cls.env["res.currency"].with_context(active_test=False).search(
            [("name", "=", code)], limit=1)
        cls.paid.active = True
        cls.paid.rate_ids.unlink()
        cls.env["res.currency.rate"].create({
            "currency_id": cls.paid.id, "company_id": cls.company.id, "name": "2000-01-01",
            "rate": 0.92})
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": f"Shopify {code}", "currency_id": cls.paid.id})
        Journal = cls.env["account.journal"]
        cls.card_journal = Journal.create({"name": "Shopify card", "code": "SHCRD",
                                           "type": "bank", "company_id": cls.company.id})
        cls.env["shopify.payment.gateway"].create({"name": "bogus",
                                                   "journal_id": cls.card_journal.id})
        cls.env["ir.config_parameter"].sudo().set_param("shopify_sync.currency_policy",
                                                        "pricelist")

    def _book_in(self, policy):
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.presentment_policy",
                                                         policy)

    def _doc(self, number):
        """The shop's amounts (36.00 in the shop currency, the company's) and the customer's
        (33.12 in their currency)."""
        code = self.paid.name
        return self.order_doc(
            number, currency=self.company.currency_id.name, presentment_currency=code,
            presentment={
                "currency": code,
                "lines": [{"price_unit": "11.50", "discount": "0.00",
                           "tax_lines": [{"amount": "4.60"}]}],
                "shipping_lines": [{"price": "4.60", "discount": "0.00",
                                    "tax_lines": [{"amount": "0.92"}]}],
                "subtotal_price": "23.00", "total_tax": "5.52", "total_discounts": "0.00",
                "total_price": "33.12"})

    def _refund(self, doc, number, paid=True):
        refund = {
            "refund_gid": f"gid://shopify/Refund/{number}", "order_gid": doc["order_gid"],
            "created_at": "2026-11-28T10:00:00Z", "note": None, "return_gid": None,
            "lines": [{"line_gid": doc["lines"][0]["line_gid"], "sku": "MUG-RED",
                       "quantity": 1, "subtotal": "12.50", "total_tax": "2.50",
                       "restock_type": "cancel", "location_gid": None}],
            "shipping": {"amount": "0.00", "tax": "0.00"}, "adjustments": [],
            "total": "15.00"}
        if paid:
            refund["presentment"] = {
                "currency": self.paid.name, "lines": [{"subtotal": "11.50", "total_tax": "2.30"}],
                "shipping": {"amount": "0.00", "tax": "0.00"}, "adjustments": [],
                "total": "13.80"}
        return refund

    def test_shop_currency_by_default_books_the_shop_amounts_as_before(self):
        self.env["ir.config_parameter"].sudo().search(
            [("key", "=", "shopify_sync.presentment_policy")]).unlink()
        doc = self._doc(5301)
        result = self.api.apply_order(doc)
        self.assertEqual((result["status"], result["amount_total"]), ("created", "36.00"),
                         result.get("message"))
        order = self.env["sale.order"].browse(result["sale_order_id"])
        self.assertEqual((order.currency_id, order.shopify_money),
                         (self.company.currency_id, "shop"))
        # Its hash does not count the customer's amounts: the same document is unchanged.
        self.assertEqual(self.api.apply_order(doc)["status"], "unchanged")

    def test_presentment_books_order_refund_and_payment_in_the_customers_currency(self):
        self._book_in("presentment")
        doc = self._doc(5302)
        result = self.api.apply_order(doc)
        self.assertEqual((result["status"], result["amount_total"]), ("created", "33.12"),
                         result.get("message"))
        order = self.env["sale.order"].browse(result["sale_order_id"])
        self.assertEqual((order.currency_id, order.shopify_currency, order.shopify_money),
                         (self.paid, self.paid.name, "presentment"))
        self.assertEqual(order.state, "sale")
        # The Shopify tab says which amounts the order was booked from, in which currency.
        arch = order.get_views([(False, "form")])["views"]["form"]["arch"]
        for name in ("shopify_money", "shopify_currency", "shopify_presentment_currency"):
            self.assertIn(f'name="{name}"', arch)
        self.invoice(order)
        paid = self.api.apply_payments({"order_gid": doc["order_gid"], "transactions": [{
            "transaction_gid": "gid://shopify/OrderTransaction/53021", "kind": "sale",
            "status": "success", "gateway": "bogus", "amount": "36.00",
            "processed_at": "2026-11-27T10:05:00Z"}], "presentment": {
            "currency": self.paid.name, "transactions": [{"amount": "33.12"}]}})
        self.assertEqual(paid["status"], "applied", paid.get("message"))
        payment = self.env["account.payment"].browse(paid["payments"][0]["payment_id"])
        self.assertEqual((payment.currency_id, payment.amount), (self.paid, 33.12))
        with self.assertRaisesRegex(Exception, "booked in the customer's currency .* has no "
                                               "amounts in"):
            self.api.apply_refund(self._refund(doc, 53020, paid=False))
        refund = self.api.apply_refund(self._refund(doc, 53021))
        self.assertEqual(refund["status"], "created", refund.get("message"))
        credit_note = self.env["account.move"].browse(refund["credit_note_id"])
        self.assertEqual((credit_note.state, credit_note.currency_id), ("posted", self.paid))
        self.assertAlmostEqual(credit_note.amount_total, 13.80, places=2)

    def test_presentment_holds_without_a_pricelist_then_reimport_books_it(self):
        self._book_in("presentment")
        self.pricelist.action_archive()
        doc = self._doc(5303)
        result = self.api.apply_order(doc)
        self.assertEqual(result["status"], "held")
        self.assertIn(f"no pricelist in {self.paid.name}: create one", result["message"])
        order = self.env["sale.order"].browse(result["sale_order_id"])
        self.assertIn(f"no pricelist in {self.paid.name}", order.shopify_error)
        self.pricelist.action_unarchive()
        result = self.api.apply_order(doc)
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "33.12"),
                         result.get("message"))

    def test_an_order_keeps_the_money_it_was_first_booked_in(self):
        doc = self._doc(5304)
        self._book_in("shop")
        self.assertEqual(self.api.apply_order(doc)["amount_total"], "36.00")
        self._book_in("presentment")
        result = self.api.apply_order(dict(doc, updated_at="2026-11-27T11:00:00Z", note="x"))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "36.00"))
