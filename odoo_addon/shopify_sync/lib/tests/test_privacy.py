import unittest
from datetime import date, datetime

from .. import privacy


class TestDueDate(unittest.TestCase):
    def test_thirty_days_after_reception(self):
        self.assertEqual(privacy.due_date(datetime(2026, 11, 27, 23, 59)), date(2026, 12, 27))
        self.assertEqual(privacy.due_date(datetime(2026, 2, 1, 0, 0)), date(2026, 3, 3))


class TestSummary(unittest.TestCase):
    def test_lists_every_section_with_counts_and_records(self):
        export = {
            "request": {"name": "PR/00007", "customer_gid": "gid://shopify/Customer/191167",
                        "shopify_request_id": "9999", "received_at": "2026-11-27T10:00:00Z",
                        "due_date": "2026-12-27"},
            "odoo": {
                "partners": [{"name": "Ada Lovelace", "type": "contact", "email": "ada@example.com",
                              "phone": None, "city": "London"}],
                "sale_orders": [{"name": "S00012", "shopify_name": "#1001", "state": "sale",
                                 "amount_total": "25.00", "currency": "EUR"}],
                "invoices": [],
            },
            "sidecar": {"webhook_payloads": [{"topic": "orders/create",
                                              "received_at": "2026-11-20T08:00:00Z"}],
                        "sync_rows": [{"table": "customer_sync"}]},
        }
        text = privacy.summary_text(export)
        self.assertIn("Personal data export PR/00007", text)
        self.assertIn("Shopify data request: 9999", text)
        self.assertIn("Contacts (the customer and their addresses): 1", text)
        self.assertIn("  - name: Ada Lovelace, type: contact, email: ada@example.com, city: London",
                      text)
        self.assertIn("Sales orders: 1", text)
        self.assertIn("amount_total: 25.00", text)
        self.assertIn("Invoices and credit notes: 0", text)
        self.assertIn("Deliveries and returns: 0", text)
        self.assertIn("Stored webhook payloads: 1", text)
        self.assertIn("  - orders/create received 2026-11-20T08:00:00Z", text)
        self.assertIn("Sync rows: 1", text)

    def test_an_empty_export_still_says_what_was_looked_for(self):
        text = privacy.summary_text({"request": {"name": "PR/00001"}})
        self.assertIn("Shopify customer: not given", text)
        self.assertIn("Sales orders: 0", text)
        self.assertIn("Stored webhook payloads: 0", text)


class TestDescribeCounts(unittest.TestCase):
    def test_in_label_order_without_zeros(self):
        labels = [("partners", "contacts"), ("orders", "orders"), ("messages", "messages")]
        self.assertEqual(privacy.describe_counts({"messages": 2, "partners": 3, "orders": 0},
                                                 labels), "3 contacts, 2 messages")
        self.assertEqual(privacy.describe_counts({}, labels), "nothing")


if __name__ == "__main__":
    unittest.main()
