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
