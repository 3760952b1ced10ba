"""list_customers: the partners onboarding matches Shopify customers against."""
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ShopifySyncCase


@tagged("shopify_sync", "at_install")
class TestListCustomers(ShopifySyncCase):
    def _all(self, limit=2):
        found, offset = [], 0
        while True:
            page = self.api.list_customers({"limit": limit, "offset": offset})["customers"]
            found.extend(page)
            if len(page) < limit:
                return found
            offset += limit

    def test_lists_top_level_partners_with_email_paged_by_id_without_erased_or_contacts(self):
        Partner = self.env["res.partner"]
        ada = Partner.create({"name": "Ada Lovelace", "email": "Ada@Example.com"})
        archived = Partner.create(
            {"name": "Old Client", "email": "old@example.com", "active": False})
        Partner.create({"name": "Delivery", "email": "child@example.com", "parent_id": ada.id,
                        "type": "delivery"})
        no_email = Partner.create({"name": "No Email"})
        erased = Partner.create({"name": "Gone", "email": "gone@example.com"})
        erased._shopify_erase()
        listed = self._all()
        ids = [c["partner_id"] for c in listed]
        self.assertEqual(ids, sorted(ids))
        self.assertEqual(len(ids), len(set(ids)))
        self.assertIn(ada.id, ids)
        self.assertIn(archived.id, ids)
        self.assertNotIn(no_email.id, ids)
        self.assertNotIn(erased.id, ids)
        self.assertFalse([c for c in listed if c["email"] == "child@example.com"])
        doc = next(c for c in listed if c["partner_id"] == ada.id)
        self.assertEqual((doc["email"], doc["first_name"], doc["last_name"], doc["active"]),
                         ("Ada@Example.com", "Ada", "Lovelace", True))
        self.assertFalse(next(c for c in listed if c["partner_id"] == archived.id)["active"])

    def test_refuses_a_limit_out_of_range(self):
        with self.assertRaisesRegex(ValidationError, "limit must be an integer from 1 to 1000"):
            self.api.list_customers({"limit": 0})
        with self.assertRaisesRegex(ValidationError, "offset must be a non-negative integer"):
            self.api.list_customers({"offset": -1})
