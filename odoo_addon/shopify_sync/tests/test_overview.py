"""Shopify → Overview opened the way the web client opens it from the menu.

The menu's window action is loaded, its form view's fields are read and the record is fetched
exactly as the client does: `web_read` when the action names a record, `onchange({}, [], spec)`
for a new one. An earlier Overview was a new transient record whose computed counters the
`onchange` call returned as 0 and empty while there were errors; tests that created and saved it
first never saw that.
"""
from lxml import etree

from odoo.tests import tagged

from .common import ShopifySyncCase


def open_from_menu(env, menu_xmlid):
    """The values the form shows when a user clicks the menu (what the web client requests)."""
    menu = env.ref(menu_xmlid)
    action = env["ir.actions.actions"]._for_xml_id(
        menu.action.get_external_id()[menu.action.id])
    Model = env[action["res_model"]]
    view_id = (action.get("views") or [[False, "form"]])[0][0]
    arch = Model.get_views([(view_id, "form")])["views"]["form"]["arch"]
    names = {node.get("name") for node in etree.fromstring(arch).iter("field")}
    spec = {name: {} for name in names if name in Model._fields}
    env.invalidate_all()  # each click is a new request, with an empty cache
    if action.get("res_id"):
        return Model.browse(action["res_id"]).web_read(spec)[0]
    return Model.onchange({}, [], spec)["value"]


@tagged("shopify_sync", "at_install")
class TestOverviewFromMenu(ShopifySyncCase):
    def test_the_overview_opened_from_the_menu_shows_errors_and_pending_events(self):
        self.import_order(7101, total_price="1.00")  # flagged: the order's binding in error
        self.env["product.template"].create({"name": "Pending", "sale_ok": True})
        values = open_from_menu(self.env(user=self.shopify_user),
                                "shopify_sync.menu_shopify_overview")
        self.assertEqual(values["error_count"], 1)
        self.assertGreaterEqual(values["pending_events"], 1)
        self.assertTrue(values["oldest_pending_event"])
        self.assertIn("Sales order", values["summary_html"])

    def test_the_overview_shows_the_latest_state_each_time_it_is_opened(self):
        menu = "shopify_sync.menu_shopify_overview"
        before = open_from_menu(self.env(user=self.shopify_user), menu)["error_count"]
        self.import_order(7102, total_price="1.00")
        after = open_from_menu(self.env(user=self.shopify_user), menu)["error_count"]
        self.assertEqual(after, before + 1)
