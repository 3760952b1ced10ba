"""Access rights: the integration user calls the API; plain users cannot call or configure."""
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ShopifySyncCase


@tagged("shopify_sync", "at_install")
class TestSecurity(ShopifySyncCase):
    def test_integration_user_is_not_an_administrator(self):
        self.assertFalse(self.integration_user._is_admin())
        self.assertFalse(self.integration_user.has_group("base.group_system"))

    def test_a_plain_user_cannot_call_the_api(self):
        api = self.env["shopify.sync.api"].with_user(self.plain_user)
        with self.assertRaisesRegex(AccessError, r"Shopify integration / Integration \(sidecar\)"):
            api.contract_version({"sidecar_version": "x"})
        with self.assertRaises(AccessError):
            api.apply_order(self.order_doc(8001))

    def test_a_plain_user_cannot_configure_mappings_but_a_manager_can(self):
        Map = self.env["shopify.tax.map"]
        with self.assertRaises(AccessError):
            Map.with_user(self.plain_user).create(
                {"title": "X", "rate": 0.1, "tax_id": self.tax20.id})
        with self.assertRaises(AccessError):
            Map.with_user(self.shopify_user).create(
                {"title": "X", "rate": 0.1, "tax_id": self.tax20.id})
        Map.with_user(self.manager_user).create({"title": "X", "rate": 0.1,
                                                 "tax_id": self.tax20.id})

    def test_the_integration_user_cannot_change_settings_or_mappings(self):
        with self.assertRaises(AccessError):
            self.env["ir.config_parameter"].with_user(self.integration_user).set_param(
                "shopify_sync.import_policy", "paid")
        with self.assertRaises(AccessError):
            self.env["shopify.location.map"].with_user(self.integration_user).create(
                {"location_gid": "gid://shopify/Location/9", "warehouse_id": self.warehouse.id})

    def test_shopify_users_see_events_but_cannot_change_them(self):
        self.env["product.template"].create({"name": "Visible", "sale_ok": True})
        events = self.env["shopify.sync.event"].with_user(self.shopify_user).search([])
        self.assertTrue(events)
        with self.assertRaises(AccessError):
            events.write({"attempts": 5})

    def test_mappings_are_seen_only_in_their_company(self):
        other = self.env["res.company"].create({"name": "Other shop company"})
        other_warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", other.id)], limit=1)
        other_map = self.env["shopify.location.map"].create(
            {"location_gid": "gid://shopify/Location/77", "warehouse_id": other_warehouse.id})
        country = self.company.account_fiscal_country_id or self.env.ref("base.us")
        group = self.env["account.tax.group"].create(
            {"name": "Other VAT", "company_id": other.id, "country_id": country.id})
        other_tax = self.env["account.tax"].create({
            "name": "Other VAT", "amount": 10.0, "type_tax_use": "sale", "company_id": other.id,
            "country_id": country.id, "tax_group_id": group.id})
        other_tax_map = self.env["shopify.tax.map"].create(
            {"title": "VAT", "rate": 0.1, "tax_id": other_tax.id})
        viewer = self.shopify_user
        self.assertEqual(viewer.company_ids, self.company)
        self.assertNotIn(other_map, self.env["shopify.location.map"].with_user(viewer).search([]))
        self.assertIn(self.location_map,
                      self.env["shopify.location.map"].with_user(viewer).search([]))
        self.assertNotIn(other_tax_map, self.env["shopify.tax.map"].with_user(viewer).search([]))
        viewer.write({"company_ids": [(4, other.id)]})
        self.assertIn(other_map, self.env["shopify.location.map"].with_user(viewer).search([]))
        self.assertIn(other_tax_map, self.env["shopify.tax.map"].with_user(viewer).search([]))
