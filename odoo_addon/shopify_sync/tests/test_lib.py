from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..lib import digest, money, normalize


@tagged("shopify_sync", "at_install")
class TestLib(BaseCase):
    def test_money_parses_strings_exactly_and_refuses_floats(self):
        self.assertEqual(money.parse("12.50"), Decimal("12.50"))
        self.assertEqual(money.parse(None), Decimal("0"))
        with self.assertRaisesRegex(money.MoneyError, "decimal string"):
            money.parse(12.5, "price")
        with self.assertRaisesRegex(money.MoneyError, "not a decimal amount"):
            money.parse("12,50", "price")

    def test_money_compares_to_the_cent_and_divides_only_exactly(self):
        self.assertTrue(money.equal_to_cent(0.1 + 0.2, "0.30"))
        self.assertFalse(money.equal_to_cent("36.00", "36.01"))
        self.assertEqual(money.to_string(36), "36.00")
        self.assertEqual(money.divide_exact("25.00", 2), Decimal("12.50"))
        self.assertIsNone(money.divide_exact("10.00", 3))

    def test_email_is_trimmed_and_lower_cased_and_invalid_is_none(self):
        self.assertEqual(normalize.email("  Jane.Doe@Example.COM "), "jane.doe@example.com")
        self.assertIsNone(normalize.email("not-an-email"))
        self.assertIsNone(normalize.email(None))

    def test_gid_validation_names_the_problem(self):
        self.assertEqual(normalize.gid("gid://shopify/Order/1", "Order"), "gid://shopify/Order/1")
        with self.assertRaisesRegex(ValueError, "is not a Order GID"):
            normalize.gid("gid://shopify/Customer/1", "Order")
        with self.assertRaisesRegex(ValueError, "is not a Shopify GID"):
            normalize.gid("450789469")
        self.assertEqual(normalize.gid_numeric_id("gid://shopify/Order/12345678901234567890"),
                         "12345678901234567890")

    def test_content_hash_ignores_key_order_and_lock_key_is_stable(self):
        self.assertEqual(digest.content_hash({"a": 1, "b": [1, 2]}),
                         digest.content_hash({"b": [1, 2], "a": 1}))
        self.assertNotEqual(digest.content_hash({"a": 1}), digest.content_hash({"a": 2}))
        self.assertEqual(digest.content_hash({"a": 1, "t": 1}, exclude=("t",)),
                         digest.content_hash({"a": 1}))
        key = digest.lock_key("order:gid://shopify/Order/1")
        self.assertEqual(key, digest.lock_key("order:gid://shopify/Order/1"))
        self.assertTrue(-(2 ** 63) <= key < 2 ** 63)
