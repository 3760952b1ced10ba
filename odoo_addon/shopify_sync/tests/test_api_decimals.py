"""Currencies with 0 and 3 decimals (ISO 4217 minor units) are exact: a KWD and a JPY order with
stacked state and city rates, line discounts and taxed shipping, booked through a pricelist in
the shop currency, equal Shopify's totals to the fils and the yen in the order, its invoice and a
refund's credit note; an Odoo currency rounded at another precision than ISO 4217's holds the
order naming the currency and both precisions. Shopify's amounts: each tax line of each line
rounded once at the currency's minor unit on the discounted price."""
from .. import compat
from .common import ShopifySyncCase
from .test_api_status import failure_doc

STATE = {"title": "CA State Tax", "rate": "0.0625"}
CITY = {"title": "Los Angeles City Tax", "rate": "0.025"}


def _taxes(state, city):
    return [dict(STATE, amount=state), dict(CITY, amount=city)]


# Per currency: (line 1 price, discount, state, city), (line 2 …), shipping (price, state, city),
# totals (subtotal, tax, discounts, total), the refund of line 2 (subtotal, tax, total).
CASES = {
    "KWD": {
        "lines": [("9.999", "1.000", "0.562", "0.225"), ("9.999", "1.555", "0.528", "0.211")],
        "shipping": ("4.999", "0.312", "0.125"),
        "totals": ("17.443", "1.963", "2.555", "24.405"),
        "refund": ("8.444", "0.739", "9.183"),
    },
    "JPY": {
        "lines": [("1980", "99", "118", "47"), ("2980", "0", "186", "75")],
        "shipping": ("500", "31", "13"),
        "totals": ("4861", "470", "99", "5831"),
        "refund": ("2980", "261", "3241"),
    },
}


class TestDecimals(ShopifySyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tax = cls.env["account.tax"]
        common = compat.vals(Tax, {"amount_type": "percent", "type_tax_use": "sale",
                                   "price_include_override": "tax_excluded",
                                   "company_id": cls.company.id})
        state = Tax.create(dict(common, name="Test State 6.25%", amount=6.25))
        city = Tax.create(dict(common, name="Test City 2.5%", amount=2.5))
        Map = cls.env["shopify.tax.map"]
        Map.create({"title": STATE["title"], "rate": 0.0625, "tax_id": state.id})
        Map.create({"title": CITY["title"], "rate": 0.025, "tax_id": city.id})
        cls.env["ir.config_parameter"].sudo().set_param(
            "shopify_sync.currency_policy", "pricelist")
        # KWD unit prices need three decimals (Odoo's default "Product Price" accuracy is 2).
        cls.env.ref("product.decimal_price").digits = 3
        cls.currencies = {}
        for code in CASES:
            currency = cls.env["res.currency"].with_context(active_test=False).search(
                [("name", "=", code)], limit=1)
            currency.active = True
            cls.env["product.pricelist"].create({"name": f"Shopify {code}",
                                                 "currency_id": currency.id})
            cls.currencies[code] = currency

    def _doc(self, code, number):
        case = CASES[code]
        doc = self.order_doc(number, currency=code, presentment_currency=code)
        doc["lines"] = [
            {"line_gid": f"gid://shopify/LineItem/{number}{index}", "sku": sku, "title": sku,
             "quantity": 1, "price_unit": price, "discount": discount,
             "tax_lines": _taxes(state, city)}
            for index, (sku, (price, discount, state, city)) in enumerate(
                zip(("MUG-RED", "TEE-BLUE"), case["lines"]), start=1)]
        price, state, city = case["shipping"]
        doc["shipping_lines"][0].update(price=price, discount="0", tax_lines=_taxes(state, city))
        subtotal, tax, discounts, total = case["totals"]
        doc.update(subtotal_price=subtotal, total_tax=tax, total_discounts=discounts,
                   total_price=total)
        return doc

    def _order_invoice_and_refund(self, code, number, method):
        self.company.tax_calculation_rounding_method = method
        doc = self._doc(code, number)
        total = CASES[code]["totals"][3]
        result = self.api.apply_order(doc)
        self.assertEqual((result["status"], result["amount_total"]), ("created", total),
                         result.get("message"))
        order = self.env["sale.order"].browse(result["sale_order_id"])
        self.assertEqual((order.currency_id.name, order.state), (code, "sale"))
        invoice = self.invoice(order)
        self.assertEqual(invoice.currency_id.name, code)
        places = self.currencies[code].decimal_places
        self.assertEqual(f"{invoice.amount_total:.{places}f}", total)
        subtotal, tax, refund_total = CASES[code]["refund"]
        refund = self.api.apply_refund({
            "refund_gid": f"gid://shopify/Refund/{number}", "order_gid": doc["order_gid"],
            "created_at": "2026-11-28T10:00:00Z", "note": None, "return_gid": None,
            "lines": [{"line_gid": doc["lines"][1]["line_gid"], "sku": "TEE-BLUE",
                       "quantity": 1, "subtotal": subtotal, "total_tax": tax,
                       "restock_type": "cancel", "location_gid": None}],
            "shipping": {"amount": "0", "tax": "0"}, "adjustments": [],
            "total": refund_total})
        self.assertEqual((refund["status"], refund["amount_total"]), ("created", refund_total),
                         refund.get("message"))
        credit_note = self.env["account.move"].browse(refund["credit_note_id"])
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(f"{credit_note.amount_total:.{places}f}", refund_total)
        status = self.api.refund_status({"refund_gids": [f"gid://shopify/Refund/{number}"]})
        self.assertEqual(status["refunds"][0]["credit_note_amount"], refund_total)
        return order

    def test_a_kwd_order_invoice_and_refund_equal_shopify_to_the_fils_per_line(self):
        self._order_invoice_and_refund("KWD", 7301, "round_per_line")

    def test_a_kwd_order_invoice_and_refund_equal_shopify_to_the_fils_globally(self):
        self._order_invoice_and_refund("KWD", 7302, "round_globally")

    def test_a_jpy_order_invoice_and_refund_equal_shopify_to_the_yen(self):
        self._order_invoice_and_refund("JPY", 7303, "round_per_line")

    def _raised_shipping(self, code, number, price, state, city, total):
        """The order invoiced, then its shipping raised in Shopify to `price` (taxes `state`,
        `city`; order total `total`): the raise is invoiced to the unit of the currency."""
        self.company.tax_calculation_rounding_method = "round_per_line"
        doc = self._doc(code, number)
        order = self.env["sale.order"].browse(self.api.apply_order(doc)["sale_order_id"])
        self.invoice(order)
        doc["shipping_lines"][0].update(price=price, tax_lines=_taxes(state, city))
        doc.update(updated_at="2026-11-28T11:00:00Z", total_price=total)
        result = self.api.apply_order(doc)
        self.assertEqual((result["status"], result["amount_total"]), ("updated", total),
                         result.get("message"))
        self.invoice(order)
        places = self.currencies[code].decimal_places
        net = sum(m.amount_total * (1 if m.move_type == "out_invoice" else -1)
                  for m in order.invoice_ids if m.state == "posted")
        self.assertEqual(f"{net:.{places}f}", total)
        self.assertEqual(order.invoice_status, "invoiced")

    def test_a_kwd_shipping_raise_after_invoicing_is_invoiced_to_the_fils(self):
        # 4.999 → 5.499: state 0.344, city 0.137 (24.405 + 0.500 + 0.032 + 0.012).
        self._raised_shipping("KWD", 7316, "5.499", "0.344", "0.137", "24.949")

    def test_a_jpy_shipping_raise_after_invoicing_is_invoiced_to_the_yen(self):
        # 500 → 650: state 41, city 16 (5831 + 150 + 10 + 3).
        self._raised_shipping("JPY", 7317, "650", "41", "16", "5994")

    def test_a_fraction_of_a_yen_or_a_fourth_kwd_decimal_is_refused_naming_the_field(self):
        doc = self._doc("JPY", 7304)
        doc["lines"][0]["price_unit"] = "1980.5"
        with self.assertRaisesRegex(Exception, r'line 1 price_unit: "1980.5" has more than 0 '):
            self.api.apply_order(doc)
        doc = self._doc("KWD", 7305)
        doc["total_price"] = "24.4051"
        with self.assertRaisesRegex(Exception, r'total_price: "24.4051" has more than 3 '):
            self.api.apply_order(doc)
        self.assertFalse(self.env["sale.order"].search(
            [("shopify_gid", "in", ["gid://shopify/Order/7304", "gid://shopify/Order/7305"])]))

    def test_unit_prices_with_fewer_decimals_than_the_currency_hold_the_order(self):
        self.env.ref("product.decimal_price").digits = 2
        result = self.api.apply_order(self._doc("KWD", 7307))
        self.assertEqual(result["status"], "held")
        self.assertIn('unit prices are stored with 2 decimals in Odoo (Decimal Accuracy '
                      '"Product Price") but KWD has 3: set it to 3', result["message"])

    def test_an_odoo_currency_rounded_unlike_iso_4217_holds_the_order_naming_both(self):
        self.currencies["KWD"].rounding = 0.01
        result = self.api.apply_order(self._doc("KWD", 7306))
        self.assertEqual(result["status"], "held")
        self.assertIn("currency KWD is rounded to 2 decimals in Odoo (rounding 0.01) but has 3 "
                      "in ISO 4217 and Shopify: set its rounding to 0.001", result["message"])
        order = self.env["sale.order"].browse(result["sale_order_id"])
        self.assertIn("currency KWD is rounded to 2 decimals", order.shopify_error or "")
        self.currencies["KWD"].rounding = 0.001
        doc = self._doc("KWD", 7306)
        doc["updated_at"] = "2026-11-27T11:00:00Z"
        result = self.api.apply_order(doc)
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "24.405"),
                         result.get("message"))

    def test_a_dead_lettered_kwd_or_jpy_order_shows_its_amount_with_the_currency_decimals(self):
        failure = self.env["shopify.sync.failure"]
        kwd = self.api.report_failure(failure_doc(amount="24.405", currency="KWD"))
        self.assertEqual(failure.browse(kwd["failure_id"]).amount, "24.405")
        jpy = self.api.report_failure(failure_doc(
            amount="5831.0", currency="JPY", job_id="3f7c8a10-0000-4000-8000-000000000002",
            key="order:test-shop.myshopify.com:gid://shopify/Order/7399"))
        self.assertEqual(failure.browse(jpy["failure_id"]).amount, "5831")
