import unittest

from .. import contract
from . import cases


class TestContractVersionRule(unittest.TestCase):
    def test_speaks_the_version_of_the_cases_and_decides_every_case_both_ways(self):
        table = cases.load("contract-version")
        self.assertEqual(contract.CONTRACT_VERSION, table["current"])
        for case in table["cases"]:
            with self.subTest(a=case["a"], b=case["b"]):
                self.assertEqual(contract.compatible(case["a"], case["b"]), case["compatible"])
                self.assertEqual(contract.compatible(case["b"], case["a"]), case["compatible"])

    def test_non_strings_are_incompatible(self):
        self.assertFalse(contract.compatible("1.0", None))
        self.assertFalse(contract.compatible(1.0, "1.0"))


if __name__ == "__main__":
    unittest.main()
