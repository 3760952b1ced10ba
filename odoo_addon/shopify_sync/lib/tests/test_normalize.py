import unittest

from .. import normalize
from . import cases


class TestEmailRule(unittest.TestCase):
    def test_every_shared_case(self):
        for case in cases.load("email")["cases"]:
            with self.subTest(input=case["input"]):
                self.assertEqual(normalize.email(case["input"]), case["normalised"])


class TestGidRule(unittest.TestCase):
    def test_every_shared_case(self):
        for case in cases.load("gid")["cases"]:
            with self.subTest(input=case["input"], kind=case["kind"]):
                if "error" in case:
                    with self.assertRaisesRegex(normalize.GidError, case["error"]):
                        normalize.gid(case["input"], case["kind"])
                    if case["kind"] is None:
                        self.assertIsNone(normalize.gid_numeric_id(case["input"]))
                else:
                    self.assertEqual(normalize.gid(case["input"], case["kind"]), case["input"])
                    self.assertEqual(normalize.gid_numeric_id(case["input"]), case["id"])

    def test_a_trailing_newline_is_not_a_gid(self):
        with self.assertRaisesRegex(normalize.GidError, "not a Shopify GID"):
            normalize.gid("gid://shopify/Order/1\n")

    def test_gid_errors_are_value_errors(self):
        self.assertTrue(issubclass(normalize.GidError, ValueError))


class TestNames(unittest.TestCase):
    def test_split_and_join_names(self):
        self.assertEqual(normalize.split_name("Ada King Lovelace"), ("Ada King", "Lovelace"))
        self.assertEqual(normalize.split_name("Ada"), ("Ada", ""))
        self.assertEqual(normalize.split_name("  "), ("", ""))
        self.assertEqual(normalize.full_name(" Ada ", None), "Ada")
        self.assertEqual(normalize.full_name("", "", fallback="a@b"), "a@b")


if __name__ == "__main__":
    unittest.main()
