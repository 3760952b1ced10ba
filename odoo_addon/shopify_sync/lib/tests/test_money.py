import unittest
from decimal import Decimal

from .. import money
from . import cases


class TestMoneyContractRule(unittest.TestCase):
    """parse/cents read contract input exactly: the cases the sidecar's toCents passes too."""

    def test_every_shared_case(self):
        table = cases.load("money")["cases"]
        self.assertGreaterEqual(len(table), 20)
        for case in table:
            places = money.minor_units(case.get("currency"))
            with self.subTest(input=case["input"], currency=case.get("currency")):
                if "error" in case:
                    with self.assertRaisesRegex(money.MoneyError, rf"^total: .*{case['error']}"):
                        money.cents(case["input"], "total", places)
                    with self.assertRaisesRegex(money.MoneyError, rf"^total: .*{case['error']}"):
                        money.parse(case["input"], "total", places)
                else:
                    self.assertEqual(money.cents(case["input"], "total", places), case["minor"])
                    self.assertEqual(money.parse(case["input"], places=places),
                                     Decimal(case["minor"]).scaleb(-places))

    def test_the_shared_table_of_minor_units(self):
        table = cases.load("money")["minor_units"]
        self.assertEqual(money.MINOR_UNITS, table["exponents"])
        self.assertEqual(money.minor_units("XYZ"), table["default"])
        self.assertEqual([money.minor_units(c) for c in ("KWD", "jpy", "EUR", None, "")],
                         [3, 0, 2, 2, 2])

    def test_every_shared_format(self):
        for case in cases.load("money")["formats"]:
            self.assertEqual(money.format_cents(case["minor"], case["minor_units"]),
                             case["output"])

    def test_amounts_odoo_computed_round_at_the_currency_minor_unit(self):
        self.assertEqual(money.odoo_cents(1.2345, 3), 1235)
        self.assertEqual(money.odoo_cents(1980.0, 0), 1980)
        self.assertEqual(money.odoo_cents(1979.5, 0), 1980)
        self.assertEqual(money.to_string(12.3449999, 3), "12.345")
        self.assertEqual(money.to_string(1980, 0), "1980")
        self.assertTrue(money.equal_to_cent(0.1 + 0.2, "0.300", 3))
        self.assertEqual(money.divide_exact(2469, 2, 3), None)
        self.assertEqual(str(money.divide_exact(2468, 2, 3)), "1.234")
        self.assertEqual(str(money.divide_exact(1980, 2, 0)), "990")

    def test_floats_are_refused_and_none_is_an_absent_zero(self):
        with self.assertRaisesRegex(money.MoneyError, "^price: money must be a decimal string"):
            money.parse(12.5, "price")
        with self.assertRaisesRegex(money.MoneyError, "^price: .* is not a decimal amount"):
            money.parse("", "price")
        with self.assertRaisesRegex(money.MoneyError, "is not a decimal amount"):
            money.parse(["1"], "price")
        self.assertEqual(money.parse(None), Decimal("0"))
        self.assertEqual(money.cents(12), 1200)
        self.assertEqual(money.cents("-3"), -300)

    def test_a_trailing_newline_is_trimmed_like_other_spaces_and_unicode_digits_are_refused(self):
        self.assertEqual(money.cents("12.50\n"), 1250)
        with self.assertRaisesRegex(money.MoneyError, "not a decimal amount"):
            money.cents("١٢")


class TestMoneyComputedByOdoo(unittest.TestCase):
    """Amounts Odoo computed (floats) are rounded half-up at the cent, then compared exactly."""

    def test_odoo_amounts_round_half_up_at_the_cent(self):
        self.assertEqual(money.odoo_cents(0.1 + 0.2), 30)
        self.assertEqual(money.odoo_cents(2.675), 268)  # repr(2.675) is '2.675': half-up
        self.assertEqual(money.odoo_cents(-0.005), -1)
        self.assertEqual(money.to_string(36), "36.00")
        self.assertEqual(money.to_string(-0.01), "-0.01")
        self.assertEqual(money.format_cents(1250), "12.50")
        self.assertEqual(money.format_cents(0), "0.00")

    def test_equal_to_cent_compares_an_odoo_amount_with_an_exact_contract_amount(self):
        self.assertTrue(money.equal_to_cent(0.1 + 0.2, "0.30"))
        self.assertFalse(money.equal_to_cent(36.0, "36.01"))
        with self.assertRaises(money.MoneyError):
            money.equal_to_cent(36.0, "36.001")

    def test_divide_exact_only_when_the_unit_price_needs_no_rounding(self):
        self.assertEqual(money.divide_exact(2500, 2), Decimal("12.50"))
        self.assertEqual(str(money.divide_exact(2500, 2)), "12.50")
        self.assertEqual(money.divide_exact(-2500, 2), Decimal("-12.50"))
        self.assertIsNone(money.divide_exact(1000, 3))
        self.assertIsNone(money.divide_exact(1000, 0))
        self.assertEqual(str(money.to_decimal(-1)), "-0.01")


if __name__ == "__main__":
    unittest.main()
