"""Taxes to the cent: stacked state and city rates, line discounts and taxed shipping, in both of
Odoo's tax rounding modes, for the order, its invoice and a refund's credit note; the "odoo" tax
source and its tolerance; suggested tax mappings. Shopify's amounts: each tax line of each line
rounded once on the discounted price (per line Odoo gives 24.36, globally 24.38, Shopify 24.37)."""
from .. import compat
from .common import LOCATION_GID, ShopifySyncCase

STATE = {"title": "CA State Tax", "rate": "0.0625"}
CITY = {"title": "Los Angeles City Tax", "rate": "0.025"}


def _taxes(state, city):
    return [dict(STATE, amount=state), dict(CITY, amount=city)]


class TestTaxesToTheCent(ShopifySyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tax = cls.env["account.tax"]
        common = compat.vals(Tax, {"amount_type": "percent", "type_tax_use": "sale",
                                   "price_include_override": "tax_excluded",
                                   "company_id": cls.company.id})
        cls.state_tax = Tax.create(dict(common, name="Test State 6.25%", amount=6.25))
        cls.city_tax = Tax.create(dict(common, name="Test City 2.5%", amount=2.5))
        Map = cls.env["shopify.tax.map"]
        Map.create({"title": STATE["title"], "rate": 0.0625, "tax_id": cls.state_tax.id})
        Map.create({"title": CITY["title"], "rate": 0.025, "tax_id": cls.city_tax.id})

    def _rounding(self, method):
        self.company.tax_calculation_rounding_method = method

    def _param(self, key, value):
        self.env["ir.config_parameter"].sudo().set_param(f"shopify_sync.{key}", value)

    def _stacked(self, number, **overrides):
        doc = self.order_doc(number, **overrides)
        doc["lines"] = [
            {"line_gid": f"gid://shopify/LineItem/{number}1", "sku": "MUG-RED", "title": "Mug",
             "quantity": 1, "price_unit": "9.99", "discount": "1.00",
             "tax_lines": _taxes("0.56", "0.22")},
            {"line_gid": f"gid://shopify/LineItem/{number}2", "sku": "TEE-BLUE", "title": "Tee",
             "quantity": 1, "price_unit": "9.99", "discount": "1.55",
             "tax_lines": _taxes("0.53", "0.21")},
        ]
        doc["shipping_lines"][0].update(price="4.99", tax_lines=_taxes("0.31", "0.12"))
        doc.update(subtotal_price="17.43", total_tax="1.95", total_discounts="2.55",
                   total_price="24.37")
        return doc

    def _adjustment(self, order):
        return order.order_line.filtered(lambda line: line.shopify_line_role == "tax_adjustment")

    def _check_order_and_invoice(self, method, number, carried):
        self._rounding(method)
        result = self.api.apply_order(self._stacked(number))
        order = self.env["sale.order"].browse(result["sale_order_id"])
        self.assertEqual((result["status"], result["amount_total"]), ("created", "24.37"),
                         result.get("message"))
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.shopify_state, "synced")
        line = self._adjustment(order)
        self.assertEqual(len(line), 1)
        self.assertAlmostEqual(line.price_total, carried, places=2)
        self.assertFalse(compat.value(line, "tax_id"))
        self.assertIn("Shopify total 24.37", line.name)
        self.assertAlmostEqual(order.shopify_total_difference, carried, places=2)
        invoice = self.invoice(order)
        self.assertAlmostEqual(invoice.amount_total, 24.37, places=2)
        self.assertIn(line, invoice.invoice_line_ids.sale_line_ids)
        return order

    def test_stacked_rates_discounts_and_taxed_shipping_round_per_line(self):
        self._check_order_and_invoice("round_per_line", 5101, 0.01)

    def test_stacked_rates_discounts_and_taxed_shipping_round_globally(self):
        self._check_order_and_invoice("round_globally", 5102, -0.01)

    def test_an_update_keeps_one_adjustment_line_and_clears_it_when_not_needed(self):
        self._rounding("round_per_line")
        doc = self._stacked(5103)
        order = self.env["sale.order"].browse(self.api.apply_order(doc)["sale_order_id"])
        doc = dict(doc, updated_at="2026-11-27T11:00:00Z")
        self.assertEqual(self.api.apply_order(doc)["status"], "updated")
        self.assertEqual(len(self._adjustment(order)), 1)
        # Without discounts Odoo's computation equals Shopify's: no difference is carried.
        plain = self.order_doc(5103, updated_at="2026-11-27T12:00:00Z")
        result = self.api.apply_order(plain)
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "36.00"))
        self.assertFalse(self._adjustment(order).price_total)

    def test_a_difference_rounding_cannot_explain_is_still_flagged(self):
        doc = self.order_doc(5104, total_price="36.50")
        result = self.api.apply_order(doc)
        self.assertEqual(result["status"], "flagged")
        self.assertIn("Odoo total 36.00 differs from Shopify total_price 36.50",
                      result["message"])

    def test_odoo_tax_engine_flags_beyond_the_tolerance_with_both_amounts(self):
        self._rounding("round_per_line")
        self._param("tax_source", "odoo")
        self._param("tax_tolerance", "0.0")
        result = self.api.apply_order(self._stacked(5105))
        self.assertEqual(result["status"], "flagged")
        self.assertEqual(result["message"],
                         "order #5105: Odoo total 24.36 differs from Shopify total_price 24.37")
        order = self.env["sale.order"].browse(result["sale_order_id"])
        self.assertEqual(order.shopify_hold, "flagged")
        self.assertFalse(self._adjustment(order))
        self._param("tax_tolerance", "0.05")
        result = self.api.apply_order(self._stacked(5105, updated_at="2026-11-27T11:00:00Z"))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "24.36"))
        self.assertEqual(order.state, "sale")
        self.assertAlmostEqual(order.shopify_total_difference, 0.01, places=2)

    def test_a_refund_credit_note_carries_its_rounding_difference_and_is_posted(self):
        self._rounding("round_per_line")
        doc = self._stacked(5106)
        order = self.env["sale.order"].browse(self.api.apply_order(doc)["sale_order_id"])
        self.invoice(order)
        result = self.api.apply_refund({
            "refund_gid": "gid://shopify/Refund/5106", "order_gid": doc["order_gid"],
            "created_at": "2026-11-28T10:00:00Z", "note": None, "return_gid": None,
            "lines": [{"line_gid": doc["lines"][1]["line_gid"], "sku": "TEE-BLUE",
                       "quantity": 1, "subtotal": "8.44", "total_tax": "0.74",
                       "restock_type": "cancel", "location_gid": None}],
            "shipping": {"amount": "0.00", "tax": "0.00"}, "adjustments": [],
            "total": "9.18"})
        self.assertEqual(result["status"], "created", result.get("message"))
        credit_note = self.env["account.move"].browse(result["credit_note_id"])
        self.assertEqual(credit_note.state, "posted")
        self.assertAlmostEqual(credit_note.amount_total, 9.18, places=2)
        rounding = credit_note.invoice_line_ids.filtered(
            lambda line: "tax rounding difference" in (line.name or ""))
        self.assertAlmostEqual(rounding.price_total, 0.01, places=2)

    def test_suggested_tax_mappings_from_recent_held_orders(self):
        Tax = self.env["account.tax"]
        gst = Tax.create(compat.vals(Tax, {
            "name": "Test GST 5%", "amount": 5.0, "amount_type": "percent",
            "type_tax_use": "sale", "price_include_override": "tax_excluded",
            "company_id": self.company.id}))
        for number in (5107, 5108):
            doc = self.order_doc(number, location_gid=LOCATION_GID)
            doc["lines"][0]["tax_lines"] = [{"title": "GST", "rate": "0.05", "amount": "1.25"}]
            self.assertEqual(self.api.apply_order(doc)["status"], "held")
        Wizard = self.env["shopify.tax.map.wizard"].with_user(self.manager_user)
        action = Wizard.action_suggest_from_recent_orders()
        wizard = Wizard.browse(action["res_id"])
        row = wizard.line_ids.filtered(lambda r: r.title == "GST")
        self.assertEqual((row.order_count, row.tax_id, row.suggested), (2, gst, True))
        self.assertEqual(len(wizard.sale_order_ids), 2)
        wizard.action_create()
        mapped = self.env["shopify.tax.map"].search([("title", "=", "GST")])
        self.assertEqual(mapped.tax_id, gst)
        self.assertEqual(set(wizard.sale_order_ids.mapped("shopify_state")), {"pending"})

    def test_no_suggestion_when_two_taxes_have_the_rate(self):
        Wizard = self.env["shopify.tax.map.wizard"]
        self.tax20.copy({"name": "Test VAT 20% bis"})
        self.assertFalse(Wizard._suggested_tax(0.2, False))
        self.assertEqual(Wizard._suggested_tax(0.0625, False), self.state_tax)
        self.assertFalse(Wizard._suggested_tax(0.0625, True))
