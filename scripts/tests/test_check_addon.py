"""Each check of scripts/check_addon.py catches its bad case: it runs on a broken copy of the
addon in a temporary folder (`make test-addon-static`)."""
import importlib
import os
import re
import shutil
import sys
import tempfile
import unittest

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SCRIPTS)

check_addon = importlib.import_module("check_addon")

ADDON = os.path.join(check_addon.ADDONS, "shopify_sync")


class BrokenCopy(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="check_addon_")
        self.addCleanup(shutil.rmtree, self.tmp)
        self.addon = os.path.join(self.tmp, "shopify_sync")
        shutil.copytree(ADDON, self.addon, ignore=shutil.ignore_patterns("__pycache__"))

    def path(self, *parts):
        return os.path.join(self.addon, *parts)

    def edit(self, relative, old, new):
        path = self.path(relative)
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        self.assertIn(old, text, f"{relative} changed: update this test")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text.replace(old, new, 1))

    def append(self, relative, text):
        with open(self.path(relative), "a", encoding="utf-8") as handle:
            handle.write(text)

    def problems(self):
        return check_addon.check_addon(self.addon, repo_root=check_addon.ROOT)

    def assertProblem(self, pattern):
        problems = self.problems()
        self.assertTrue(any(re.search(pattern, p) for p in problems),
                        f"no problem matching {pattern!r} in {problems}")


class TestTheCopyIsClean(BrokenCopy):
    def test_an_unbroken_copy_has_no_problem(self):
        self.assertEqual(self.problems(), [])


class TestFiles(BrokenCopy):
    def test_python_that_does_not_compile(self):
        self.append("models/sale_order.py", "\ndef broken(:\n")
        self.assertProblem(r"models/sale_order\.py:\d+: does not compile")

    def test_xml_that_does_not_parse(self):
        self.append("views/sale_order_views.xml", "<odoo>")
        self.assertProblem(r"views/sale_order_views\.xml: XML does not parse")


class TestManifest(BrokenCopy):
    def test_a_version_pinned_to_one_odoo_series(self):
        self.edit("__manifest__.py", '"version": "', '"version": "18.0.')
        self.assertProblem(r"version must be x\.y\.z, without an Odoo series")

    def test_a_missing_key_an_unknown_license_and_a_plain_http_website(self):
        self.edit("__manifest__.py", '"author":', '"authors":')
        self.edit("__manifest__.py", '"license": "LGPL-3"', '"license": "LGPL"')
        self.edit("__manifest__.py", '"website": "https://', '"website": "http://')
        self.assertProblem(r"missing key 'author'")
        self.assertProblem(r"license 'LGPL' is not one Odoo knows")
        self.assertProblem(r"website must be an https:// URL")

    def test_empty_depends(self):
        self.edit("__manifest__.py", '"depends": [', '"depends": [], "x": [')
        self.assertProblem(r"depends must be a non-empty list")

    def test_a_listed_data_file_that_does_not_exist_and_one_on_disk_that_is_not_listed(self):
        os.rename(self.path("views", "sale_order_views.xml"), self.path("views", "so.xml"))
        self.assertProblem(r"data file 'views/sale_order_views\.xml' does not exist")
        self.assertProblem(r"views/so\.xml is in no data or demo list")

    def test_no_icon_or_not_a_png(self):
        with open(self.path("static", "description", "icon.png"), "wb") as handle:
            handle.write(b"GIF89a")
        self.assertProblem(r"icon\.png: not a PNG file")
        os.remove(self.path("static", "description", "icon.png"))
        self.assertProblem(r"static/description/icon\.png is missing")


class TestXmlIds(BrokenCopy):
    def test_a_duplicate_id_across_files(self):
        self.edit("views/account_move_views.xml", "</odoo>",
                  '<record id="shopify_location_map_view_list" model="ir.ui.view">'
                  '<field name="name">dup</field></record></odoo>')
        self.assertProblem(r"id 'shopify_location_map_view_list' is already declared in "
                           r".*shopify_location_map_views\.xml")

    def test_a_malformed_id_and_another_modules_id(self):
        self.edit("views/account_move_views.xml", "</odoo>",
                  '<record id="Bad-Id" model="ir.ui.view"><field name="name">x</field></record>'
                  '<record id="sale.view_order_form" model="ir.ui.view">'
                  '<field name="name">x</field></record></odoo>')
        self.assertProblem(r"id 'Bad-Id' is not lower-case letters, digits and _")
        self.assertProblem(r"id 'sale\.view_order_form' defines a record of module 'sale'")

    def test_a_duplicate_access_row_id(self):
        acl = self.path("security", "ir.model.access.csv")
        with open(acl, encoding="utf-8") as handle:
            rows = handle.read().splitlines()
        with open(acl, "a", encoding="utf-8") as handle:
            handle.write(rows[1] + "\n")
        self.assertProblem(r"ir\.model\.access\.csv: line \d+ id '[a-z_]+' is already declared")


class TestAccessRules(BrokenCopy):
    def test_a_model_without_access_rule(self):
        acl = self.path("security", "ir.model.access.csv")
        with open(acl, encoding="utf-8") as handle:
            rows = [r for r in handle if "model_shopify_tax_map," not in r]
        with open(acl, "w", encoding="utf-8") as handle:
            handle.writelines(rows)
        self.assertProblem(r"model 'shopify\.tax\.map' has no access rule")

    def test_a_row_for_a_model_nobody_defines(self):
        self.append("security/ir.model.access.csv",
                    "access_ghost,ghost,model_ghost_model,group_shopify_user,1,0,0,0\n")
        self.assertProblem(r"model 'model_ghost_model' is neither defined by the addon")


class TestSudo(BrokenCopy):
    def test_sudo_without_a_reason(self):
        self.append("models/sale_order.py",
                    "\n\ndef helper(env):\n    x = 1\n    return env['sale.order'].sudo()\n")
        self.assertProblem(r"models/sale_order\.py:\d+: sudo\(\) without a comment")

    def test_a_reason_on_the_line_before_or_the_same_line_is_enough(self):
        self.append("models/sale_order.py",
                    "\n\ndef helper(env):\n    # Reason: the user cannot read them.\n"
                    "    a = env['sale.order'].sudo()\n"
                    "    return a, env['res.partner'].sudo()  # same-line reason\n")
        self.assertEqual(self.problems(), [])

    def test_tests_may_use_sudo_freely(self):
        self.append("tests/common.py", "\n\ndef helper(env):\n    return env['x'].sudo()\n")
        self.assertEqual(self.problems(), [])


class TestSql(BrokenCopy):
    def test_queries_given_as_strings(self):
        self.append("models/sale_order.py",
                    "\n\ndef helper(cr, table, key):\n"
                    "    cr.execute('SELECT 1')\n"
                    "    cr.execute(f'SELECT * FROM {table}')\n"
                    "    cr.execute('SELECT * FROM x WHERE k = %s' % key)\n")
        problems = [p for p in self.problems() if "build it with odoo.tools.SQL" in p]
        self.assertEqual(len(problems), 3, problems)

    def test_sql_objects_and_other_execute_methods_are_fine(self):
        self.append("models/sale_order.py",
                    "\n\ndef helper(cr, wizard, key):\n"
                    "    cr.execute(SQL('SELECT * FROM x WHERE k = %s', key))\n"
                    "    wizard.execute()\n")
        self.assertEqual(self.problems(), [])


class TestCitations(BrokenCopy):
    def test_brief_issue_research_and_unknown_markdown_are_reported(self):
        # Put together at run time, so that this file itself cites nothing.
        brief, issue, research = "BRI" + "EF", "iss" + "ue", "research" + "/"
        self.append("models/sale_order.py",
                    f"\n# As {brief} decision 4 says.\n# See {issue} 5 item 3.\n"
                    f"# {research}odoo.md explains it.\n# Policy: money-and-privacy.md §7.4.\n")
        self.assertProblem(r"sale_order\.py:\d+: cites the brief")
        self.assertProblem(r"sale_order\.py:\d+: cites an issue")
        self.assertProblem(r"sale_order\.py:\d+: cites the research notes")
        self.assertProblem(r"cites money-and-privacy\.md, which is not in the repository")

    def test_documents_of_the_repository_may_be_cited(self):
        self.append("models/sale_order.py", "\n# docs/contract.md, \"OrderDocument\".\n")
        self.append("readme/USAGE.md", "\nSee `docs/flows.md` and README.md.\n")
        self.assertEqual(self.problems(), [])


class TestFunctionSize(BrokenCopy):
    def test_a_function_over_80_lines(self):
        body = "".join(f"    x{i} = {i}\n" for i in range(85))
        self.append("models/sale_order.py", f"\n\ndef long_one():\n{body}")
        self.assertProblem(r"sale_order\.py:\d+: long_one has 86 lines \(at most 80\)")


class TestOdooVersions(BrokenCopy):
    def test_version_specific_names_outside_compat_are_reported(self):
        self.append("models/sale_order.py", (
            "\n\ndef direct(order, product, tax):\n"
            "    order.check_access(\"read\")\n"
            "    line = order.order_line[:1]\n"
            "    order.write({\"order_line\": [(1, line.id, {\"tax_id\": [(6, 0, tax.ids)]})]})\n"
            "    stock = product.with_context(warehouse_id=1).qty_available\n"
            "    return product.is_storable, line.tax_id, order.user_id.groups_id, stock\n"))
        self.assertProblem(r"sale_order\.py:\d+: BaseModel\.check_access \(18\.0\+\) differs "
                           r"between Odoo versions: use compat\.check_access")
        self.assertProblem(r"sale_order\.py:\d+: sale\.order\.line taxes \(19\.0: tax_ids\)")
        self.assertProblem(r"sale_order\.py:\d+: product storability")
        self.assertProblem(r"sale_order\.py:\d+: a user's, view's, menu's or action's groups")
        self.assertProblem(r"sale_order\.py:\d+: the stock context key of a warehouse")
        self.assertEqual(len([p for p in self.problems() if "sale_order.py" in p]), 6)

    def test_the_same_names_through_compat_are_not(self):
        self.append("models/sale_order.py", (
            "\n\ndef through_compat(order, product, tax, Product):\n"
            "    compat.check_access(order, \"read\")\n"
            "    Product.create(compat.vals(Product, {\"name\": \"A\", \"is_storable\": True}))\n"
            "    return compat.value(order.order_line[:1], \"tax_id\"), "
            "compat.field(\"res.users\", \"groups_id\")\n"))
        self.assertEqual(self.problems(), [])

    def test_names_main_merged_in_are_reported(self):
        self.append("models/sale_order.py", (
            "\n\ndef merged(partner, group, order, env):\n"
            "    users = group.users\n"
            "    apps = env[\"res.groups\"].get_groups_by_application()\n"
            "    views = order.get_views([(False, \"list\")])\n"
            "    action = {\"type\": \"ir.actions.act_window\"}\n"
            "    action.update(view_mode=\"list,form\")\n"
            "    url = \"/odoo/action-sale.action_orders\"\n"
            "    return partner.mobile, users, apps, views, url, env._(\"Held\")\n"))
        self.assertProblem(r"sale_order\.py:\d+: res\.groups\.users \(19\.0: user_ids\)")
        self.assertProblem(r"sale_order\.py:\d+: the user form's groups by application")
        self.assertProblem(r"sale_order\.py:\d+: the list view type \(17\.0: tree\)")
        self.assertProblem(r"sale_order\.py:\d+: the web client's /odoo/ addresses")
        self.assertProblem(r"sale_order\.py:\d+: res\.partner\.mobile \(removed in 19\.0\)")
        self.assertProblem(r"sale_order\.py:\d+: Environment\._ \(18\.0\+\)")
        self.assertEqual(len([p for p in self.problems() if "sale_order.py" in p]), 7)

    def test_other_lines_tax_id_and_the_sidecar_path_are_not(self):
        self.append("models/sale_order.py", (
            "\n\ndef other(wizard, url):\n"
            "    wizard.line_ids.tax_id = False\n"
            "    return compat.optional(wizard, \"mobile\"), url + \"/odoo/wake\", "
            "compat.web_url(\"sale.action_orders\")\n"))
        self.assertEqual(self.problems(), [])

    def test_another_versions_terms_in_a_data_file(self):
        self.edit("views/shopify_tax_map_views.xml", "<list editable=\"bottom\">",
                  "<tree editable=\"bottom\">")
        self.edit("views/shopify_tax_map_views.xml", "</list>", "</tree>")
        self.edit("views/sale_order_views.xml", '<field name="groups_id"',
                  '<field name="group_ids"')
        self.assertProblem(r"shopify_tax_map_views\.xml:\d+: 17\.0's tree view type")
        self.assertProblem(r"sale_order_views\.xml:\d+: a 19\.0-only field name")

    def test_a_search_group_with_attributes_19_refuses(self):
        self.edit("views/shopify_sync_event_views.xml",
                  "<group>\n                    <filter name=\"by_type\"",
                  '<group expand="0" string="Group by">\n'
                  '                    <filter name="by_type"')
        self.assertProblem(r"shopify_sync_event_views\.xml:\d+: a search view group's "
                           r"expand")

    def test_a_contract_method_with_other_arguments(self):
        self.edit("models/shopify_sync_api_orders.py", "def cancel_order(self, document):",
                  "def cancel_order(self, order_gid, reason=None):")
        self.assertProblem(r"shopify_sync_api_orders\.py:\d+: shopify\.sync\.api\.cancel_order "
                           r"must take exactly one argument, `document`")

    def test_a_line_taxes_keyword_outside_compat(self):
        self.edit("models/shopify_sync_api_taxes.py",
                  "        vals = compat.vals(self.env[\"sale.order.line\"], "
                  "dict(vals, tax_id=[Command.set([])]))",
                  "        vals.update(tax_id=[Command.set([])])")
        self.assertProblem(r"shopify_sync_api_taxes\.py:\d+: sale\.order\.line taxes")

    def test_a_model_that_only_calls_the_contract_model_is_not_it(self):
        # stock.picking calls shopify.sync.api's helpers; its own public methods (write, ...)
        # keep Odoo's signatures.
        self.edit("models/stock_picking.py", "    def write(self, vals):",
                  "    def write(self, vals):\n"
                  "        self.env[\"shopify.sync.api\"].browse()\n"
                  "        return self.write_unchanged(vals)\n\n"
                  "    def write_unchanged(self, vals):")
        self.assertEqual(self.problems(), [])


if __name__ == "__main__":
    unittest.main()
