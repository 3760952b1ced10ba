"""scripts/gen_addon_readme.py: the OCA layout from the fragments, and --check catching a
README.rst that no longer matches them."""
import importlib
import importlib.util
import os
import shutil
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SCRIPTS)

gen_addon_readme = importlib.import_module("gen_addon_readme")

ADDON = os.path.join(gen_addon_readme.ADDONS, "shopify_sync")


class TestMarkdownToRst(unittest.TestCase):
    def test_inline_markup(self):
        self.assertEqual(gen_addon_readme.inline("a `x.y` and [docs](https://e.org/d) **b**"),
                         "a ``x.y`` and `docs <https://e.org/d>`__ **b**")

    def test_headings_and_lists(self):
        # "##" is drawn as the Credits' subsections are: docutils refuses one level drawn two ways.
        rst = gen_addon_readme.markdown_to_rst(
            "## Setup\n\n1. one\n   more\n2. two\n\n### Detail\n")
        self.assertEqual(rst, "Setup\n-----\n\n1. one\n   more\n2. two\n\nDetail\n~~~~~~\n")

    def test_an_image_alone_in_its_paragraph(self):
        rst = gen_addon_readme.markdown_to_rst(
            "Text.\n\n![The overview](../../docs/images/o.png)\n")
        self.assertEqual(
            rst, "Text.\n\n.. image:: ../../docs/images/o.png\n   :alt: The overview\n")


class TestGenerate(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gen_readme_")
        self.addCleanup(shutil.rmtree, self.tmp)
        self.addon = os.path.join(self.tmp, "shopify_sync")
        shutil.copytree(ADDON, self.addon, ignore=shutil.ignore_patterns("__pycache__"))

    def run_script(self, *args):
        out, err = StringIO(), StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            status = gen_addon_readme.main([*args, self.addon])
        return status, out.getvalue() + err.getvalue()

    def test_the_oca_layout_in_order(self):
        text = gen_addon_readme.generate(self.addon)
        order = ["Shopify Sync\n====", "source digest: sha256:", "|badge1|",
                 "The Odoo half", "**Table of contents**", "Configuration\n=====",
                 "Usage\n=====", "Bug Tracker\n=====", "Credits\n=====", "Authors\n-----",
                 "Contributors\n-----"]
        positions = [text.find(marker) for marker in order]
        self.assertNotIn(-1, positions, dict(zip(order, positions)))
        self.assertEqual(positions, sorted(positions))

    def test_check_passes_on_the_committed_readme_and_fails_once_a_fragment_changes(self):
        self.assertEqual(self.run_script("--check")[0], 0)
        with open(os.path.join(self.addon, "readme", "USAGE.md"), "a", encoding="utf-8") as f:
            f.write("\nOne more paragraph.\n")
        status, output = self.run_script("--check")
        self.assertEqual(status, 1)
        self.assertIn("is not up to date", output)
        self.assertEqual(self.run_script()[0], 0)  # regenerating fixes it
        self.assertEqual(self.run_script("--check")[0], 0)

    def test_check_reports_invalid_restructuredtext_when_docutils_is_installed(self):
        if importlib.util.find_spec("docutils") is None:
            self.skipTest("python3-docutils is not installed")
        with open(os.path.join(self.addon, "readme", "USAGE.md"), "a", encoding="utf-8") as f:
            f.write("\nA `literal`glued to a word.\n")
        self.run_script()
        status, output = self.run_script("--check")
        self.assertEqual(status, 1)
        self.assertIn("Inline literal start-string without end-string", output)


if __name__ == "__main__":
    unittest.main()
