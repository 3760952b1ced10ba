"""What differs between Odoo 17.0, 18.0 and 19.0 (compat.py) and the addon's migration steps."""
import importlib.util
import os

from odoo import release
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import SQL

from .. import compat
from .common import ShopifySyncCase

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


def load_migration(version, stage="post"):
    """The `migrate` function of migrations/<version>/<stage>-migration.py (a file name Python
    cannot import, as Odoo's loader expects it)."""
    path = os.path.join(MIGRATIONS, version, f"{stage}-migration.py")
    spec = importlib.util.spec_from_file_location(f"shopify_sync_migration_{stage}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.migrate


@tagged("shopify_sync", "at_install")
class TestVersions(TransactionCase):
    def test_the_running_major_version_is_supported(self):
        self.assertEqual(str(compat.ODOO_MAJOR), release.major_version.split(".")[0].split("~")[-1])
        self.assertIn(compat.ODOO_MAJOR, compat.SUPPORTED_MAJORS)

    def test_field_names_exist_on_the_running_version(self):
        # Every 18.0 name compat maps is a field of the running version once mapped.
        for model_name, name in list(compat.RENAMES) + list(compat.HELD_IN):
            if model_name in self.env:
                self.assertIn(compat.field(model_name, name), self.env[model_name]._fields,
                              f"{model_name}.{name} on Odoo {compat.ODOO_MAJOR}")

    def test_the_addon_crons_run_without_limit(self):
        for xml_id in ("shopify_sync.ir_cron_shopify_outbox_housekeeping",
                       "shopify_sync.ir_cron_shopify_reserve"):
            cron = self.env.ref(xml_id)
            self.assertTrue(cron.active, xml_id)
            if "numbercall" in cron._fields:  # 17.0 only (compat._cron_forever_17)
                self.assertEqual(cron.numbercall, -1, xml_id)
            else:
                self.assertNotEqual(compat.ODOO_MAJOR, 17)

    def test_migration_1_3_1_restarts_a_cron_that_ran_out_of_calls(self):
        migrate = load_migration("1.3.1")
        cron = self.env.ref("shopify_sync.ir_cron_shopify_outbox_housekeeping")
        if "numbercall" not in cron._fields:
            migrate(self.env.cr, f"{compat.ODOO_MAJOR}.0.1.3.0")  # nothing to do, no failure
            self.assertTrue(cron.active)
            return
        # As 1.3.0 left it on 17.0: one call made, then deactivated by Odoo.
        self.env.cr.execute(SQL("UPDATE ir_cron SET numbercall = 0, active = FALSE WHERE id = %s",
                                cron.id))
        migrate(self.env.cr, "17.0.1.3.0")
        cron.invalidate_recordset()
        self.assertEqual((cron.numbercall, cron.active), (-1, True))
        # A cron the merchant deactivated (calls left) stays deactivated; run again: no change.
        self.env.cr.execute(SQL("UPDATE ir_cron SET numbercall = 1, active = FALSE WHERE id = %s",
                                cron.id))
        migrate(self.env.cr, "17.0.1.3.0")
        migrate(self.env.cr, "17.0.1.3.0")
        cron.invalidate_recordset()
        self.assertEqual((cron.numbercall, cron.active), (-1, False))


@tagged("shopify_sync", "at_install")
class TestStockByWarehouse(ShopifySyncCase):
    def test_stock_levels_count_each_mapped_warehouse_alone(self):
        # 17.0 reads the warehouse from the context key `warehouse`, 18.0+ from `warehouse_id`:
        # with the other key each warehouse would report the stock of all of them.
        second = self.env["stock.warehouse"].create({"name": "Versions WH2", "code": "VWH2"})
        self.env["shopify.location.map"].create(
            {"location_gid": "gid://shopify/Location/2", "warehouse_id": second.id})
        self.set_stock(self.mug, 3, location=second.lot_stock_id)
        levels = self.api.stock_levels({"product_ids": [self.mug.id]})["levels"]
        on_hand = {level["location_gid"]: level["on_hand"] for level in levels}
        self.assertEqual(on_hand, {"gid://shopify/Location/1": 10, "gid://shopify/Location/2": 3})
        self.assertEqual(compat.in_warehouse(self.mug, second).qty_available, 3)


@tagged("shopify_sync", "at_install")
class TestVersionHelpers(TransactionCase):
    """The helpers main's Odoo 18.0 code needed on 17.0 and 19.0, on the running version."""

    def test_views_with_a_chatter_load_and_show_it(self):
        arch = self.env["shopify.privacy.request"].get_views([(False, "form")])["views"]["form"][
            "arch"]
        # 18.0 and 19.0 render <chatter/> themselves; on 17.0 compat.arch puts its fields in.
        shown = "<chatter" in arch if compat.ODOO_MAJOR >= 18 else "message_ids" in arch
        self.assertTrue(shown, "the privacy request form shows its chatter")

    def test_a_partner_field_some_versions_removed(self):
        partner = self.env["res.partner"].create({"name": "No mobile", "phone": "+1 555 0100"})
        mobile = compat.optional(partner, "mobile")
        if compat.ODOO_MAJOR >= 19:
            self.assertIsNone(mobile)
        else:
            self.assertFalse(mobile)
        self.assertEqual(compat.value(partner, "phone"), "+1 555 0100")

    def test_translator_gives_text_for_plain_and_lazy_texts(self):
        translate = compat.translator(self.env)
        lazy = compat.lazy_translation(__name__)("Paid")
        self.assertEqual(translate("Held"), "Held")
        self.assertEqual(translate(lazy), "Paid")

    def test_web_url_of_an_action_and_a_record(self):
        url = compat.web_url("sale.action_orders", 7)
        if compat.ODOO_MAJOR == 17:
            self.assertEqual(url, "/web#action=sale.action_orders&id=7&view_type=form")
        else:
            self.assertEqual(url, "/odoo/action-sale.action_orders/7")
        self.assertTrue(self.env.ref("sale.action_orders"))

    def test_group_users_by_the_running_name(self):
        user = new_test_user(self.env, login="versions-manager",
                             groups="base.group_user,shopify_sync.group_shopify_manager")
        group = self.env.ref("shopify_sync.group_shopify_manager")
        self.assertIn(user, compat.value(group, "users"))
