import unittest

from .. import presentment
from . import cases


class TestPresentmentRule(unittest.TestCase):
    def test_lays_every_case_over_its_document_or_refuses_it_as_the_sidecar_does(self):
        table = cases.load("presentment")
        self.assertTrue(table["cases"])
        for case in table["cases"]:
            with self.subTest(case["name"]):
                if "error" in case:
                    with self.assertRaises(ValueError) as caught:
                        presentment.overlay(case["document"], case["document"]["presentment"])
                    self.assertEqual(str(caught.exception), case["error"])
                else:
                    self.assertEqual(
                        presentment.overlay(case["document"], case["document"]["presentment"]),
                        case["booked"])
                    # The input is left as it was.
                    self.assertIn("presentment", case["document"])

    def test_split_drops_presentment_and_keeps_the_rest(self):
        document = {"currency": "EUR", "presentment": {"currency": "USD"}}
        self.assertEqual(presentment.split(document), ({"currency": "EUR"}, {"currency": "USD"}))
        self.assertEqual(presentment.split({"currency": "EUR"}), ({"currency": "EUR"}, None))
