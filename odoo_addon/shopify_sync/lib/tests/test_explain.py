import unittest

from .. import explain


class TestExplain(unittest.TestCase):
    def render(self, message):
        return explain.render(message)

    def test_an_unknown_sku_names_the_line_the_sku_and_the_fix(self):
        category, reason, fix = self.render(
            'OdooPermanentError: order #1001 line 2: SKU "GHOST-1" is unknown in Odoo')
        self.assertEqual(category, "unknown_sku")
        self.assertEqual(
            reason, 'Line 2: no Odoo product has the SKU "GHOST-1" as Internal Reference.')
        self.assertIn('Internal Reference "GHOST-1"', fix)
        self.assertIn("Retry", fix)

    def test_a_held_order_names_the_missing_tax_mapping(self):
        category, reason, _fix = self.render(
            'order #1002 held: no tax mapping for Shopify tax "CA State Tax" at rate 0.0725 '
            "(line 1)")
        self.assertEqual(category, "tax_mapping")
        self.assertEqual(
            reason, 'Shopify charged the tax "CA State Tax" at rate 0.0725, which is mapped to no '
            "Odoo tax.")

    def test_a_flagged_order_gives_both_totals(self):
        category, reason, fix = self.render(
            "order #1003: Odoo total 20.00 differs from Shopify total_price 21.20")
        self.assertEqual(category, "totals_differ")
        self.assertEqual(
            reason, "Odoo computes a total of 20.00; the customer paid 21.20 in Shopify.")
        self.assertIn("confirm the order anyway", fix)

    def test_classes_of_errors_from_the_sidecar(self):
        cases = {
            "OdooConfigurationError: Access Denied": "access",
            "ShopifyAuthError: 401 Unauthorized": "access",
            "OdooRetryableError: connect ECONNREFUSED 127.0.0.1:8069": "unreachable",
            "ShopifyGraphQLError: productSet userErrors: Handle already taken": "shopify_refused",
            "PermanentError: orders: gid://shopify/Order/9 does not exist in Shopify (deleted?)":
                "not_found",
            "order #7 line 1: SKU \"A\" is used by several Odoo products": "duplicate_sku",
            "order #7 line 3: the line has no SKU": "missing_sku",
            "order #7: shop currency EUR differs from the company currency USD; configure":
                "currency",
            "order #7: cancelled in Shopify after delivery (WH/OUT/0001); a return is needed":
                "needs_return",
        }
        for message, category in cases.items():
            with self.subTest(message=message):
                self.assertEqual(self.render(message)[0], category)

    def test_anything_else_is_other_and_quotes_the_message_without_its_error_class(self):
        category, reason, fix = self.render("TypeError: cannot read properties of undefined\nat x")
        self.assertEqual(category, "other")
        self.assertEqual(reason, "cannot read properties of undefined")
        self.assertIn("Retry", fix)
        self.assertEqual(self.render("")[0], "other")

    def test_templates_are_translated_before_they_are_filled(self):
        _category, reason, _fix = explain.render(
            'order #1 line 1: SKU "X" is unknown in Odoo', translate=lambda text: "[fr] " + text)
        self.assertEqual(
            reason, '[fr] Line 1: no Odoo product has the SKU "X" as Internal Reference.')

    def test_every_category_has_a_rule_and_a_label(self):
        labels = dict(explain.CATEGORIES)
        for category, *_rest in explain.RULES:
            self.assertIn(category, labels)


if __name__ == "__main__":
    unittest.main()
