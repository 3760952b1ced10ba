"""The contract's transport end to end: JSON-RPC execute_kw with the integration user's API key."""
import json
from datetime import datetime, timedelta

from odoo.tests import HttpCase, new_test_user, tagged

from .. import compat


@tagged("shopify_sync", "post_install", "-at_install")
class TestJsonRpc(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, login="shopify-rpc",
                                 groups="shopify_sync.group_shopify_integration")
        cls.key = compat.generate_api_key(cls.user, "sidecar", datetime.now() + timedelta(days=30))
        cls.plain = new_test_user(cls.env, login="plain-rpc", groups="base.group_user")
        cls.plain_key = compat.generate_api_key(cls.plain, "plain",
                                                datetime.now() + timedelta(days=30))

    def execute_kw(self, uid, key, method, document):
        payload = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
            "service": "object", "method": "execute_kw",
            "args": [self.env.cr.dbname, uid, key, "shopify.sync.api", method, [document], {}]}}
        response = self.url_open("/jsonrpc", data=json.dumps(payload),
                                 headers={"Content-Type": "application/json"})
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_the_integration_user_calls_the_api_with_its_api_key(self):
        body = self.execute_kw(self.user.id, self.key, "contract_version",
                               {"sidecar_version": "rpc-test"})
        self.assertEqual(body["result"]["contract_version"], "1.9")
        body = self.execute_kw(self.user.id, self.key, "pull_events",
                               {"limit": 5, "lease_seconds": 30})
        self.assertIn("events", body["result"])

    def test_errors_arrive_with_the_exception_class_and_message(self):
        body = self.execute_kw(self.user.id, self.key, "apply_order", {
            "order_gid": "gid://shopify/Order/1", "name": "#1", "currency": "USD",
            "lines": [{"line_gid": "gid://shopify/LineItem/1", "sku": "NO-SUCH-SKU",
                       "quantity": 1, "price_unit": "1.00", "tax_lines": []}],
            "shipping_lines": [], "total_price": "1.00"})
        self.assertEqual(body["error"]["data"]["name"], "odoo.exceptions.ValidationError")
        self.assertIn('order #1 line 1: SKU "NO-SUCH-SKU" is unknown in Odoo',
                      body["error"]["data"]["message"])

    def test_a_plain_user_or_a_wrong_key_is_refused(self):
        body = self.execute_kw(self.plain.id, self.plain_key, "contract_version", {})
        self.assertEqual(body["error"]["data"]["name"], "odoo.exceptions.AccessError")
        body = self.execute_kw(self.user.id, "0" * 40, "contract_version", {})
        self.assertEqual(body["error"]["data"]["name"], "odoo.exceptions.AccessDenied")
