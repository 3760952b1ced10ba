#!/usr/bin/python3
"""Static checks of the Odoo addon that need no Odoo (run with /usr/bin/python3): the OCA
checks that matter here, since pylint-odoo cannot be installed (docs/development.md).

  - files: every .py file compiles, every .xml file parses;
  - manifest: the keys an addon needs (name, summary, version, category, license, author,
    website, depends, data, installable), the version is x.y.z without an Odoo series (the one
    source runs on several; docs/architecture.md, "Odoo versions"), the license is one Odoo
    knows, the website is https, depends is a non-empty list, every data/demo file exists and
    every data file on disk is listed; README.rst and static/description/icon.png exist;
  - XML ids: well-formed (lower-case letters, digits and _; a module prefix only for this
    addon), and unique across the addon's data files (XML and CSV);
  - access rules: every model in security/ir.model.access.csv is defined by the addon or in the
    dependency allow-list, and every non-abstract model the addon defines has an access row;
  - sudo(): a comment on the same line or the line before says why (outside tests/);
  - SQL: `cr.execute` takes an `odoo.tools.SQL` object, never a string (no string-formatted
    or string-concatenated queries);
  - references: no comment cites documents outside the repository (the product brief or its
    decisions, an issue number, the research notes, a .md file the repository does not have);
  - size: no function over 80 lines outside tests/;
  - Odoo versions: no known version-specific name (a field or method that differs between Odoo
    17.0, 18.0 and 19.0) outside the compatibility module `compat.py`, which maps 18.0's terms
    to the running version (docs/architecture.md, "Odoo versions"); every public method of the
    contract model takes one argument named `document` (JSON-2 sends it by name).

Exit status 0 when all checks pass, 1 with one line per problem otherwise. The checks catch
their own bad cases: scripts/tests/test_check_addon.py.
"""
import ast
import csv
import io
import os
import re
import sys
import tokenize
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDONS = os.path.join(ROOT, "odoo_addon")

# Models of the declared dependencies that an addon's ACL file may grant access to.
DEPENDENCY_MODELS = {
    "account.tax", "account.move", "account.move.line", "res.partner", "product.template",
    "product.product", "sale.order", "sale.order.line", "stock.picking", "stock.move",
    "stock.quant", "stock.warehouse", "stock.location", "res.config.settings",
}
MANIFEST_KEYS = ("name", "summary", "version", "category", "license", "author", "website",
                 "depends", "data", "installable")
# The licenses Odoo's module loader knows (odoo/modules/module.py).
LICENSES = {"GPL-2", "GPL-2 or any later version", "GPL-3", "GPL-3 or any later version",
            "AGPL-3", "LGPL-3", "Other OSI approved licence", "OEEL-1", "OPL-1",
            "Other proprietary"}
# x.y.z without the series: Odoo prefixes its own (17.0.x.y.z, 18.0.x.y.z, 19.0.x.y.z), which a
# series in the manifest would pin to one version.
VERSION = re.compile(r"\d+\.\d+\.\d+")
XML_ID = re.compile(r"[a-z][a-z0-9_]*")
DATA_FOLDERS = ("data", "demo", "security", "views", "wizards", "report", "reports")
MAX_FUNCTION_LINES = 80
# Citations of documents that are not in the repository (house rule: point to docs/ or say
# the reason in place).
CITATIONS = [
    (re.compile(r"\bBRIEF\b"), "cites the brief"),
    (re.compile(r"\bbrief\b[\s,]*(decision|§)", re.IGNORECASE), "cites the brief"),
    (re.compile(r"\bissue\s+#?\d+", re.IGNORECASE), "cites an issue"),
    (re.compile(r"\bresearch[/]"), "cites the research notes"),
]
MARKDOWN_REF = re.compile(r"(?<![\w./-])([\w./-]+\.md)\b")


def rel(path):
    return os.path.relpath(path, ROOT)


def addon_files(addon_dir, extensions):
    for dirpath, dirs, files in os.walk(addon_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(files):
            if name.endswith(extensions):
                yield os.path.join(dirpath, name)


def is_test_file(addon_dir, path):
    return "tests" in os.path.relpath(path, addon_dir).split(os.sep)[:-1]


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


# ---------------------------------------------------------------------------- files
def check_files(addon_dir):
    problems = []
    for path in addon_files(addon_dir, (".py", ".xml")):
        if path.endswith(".py"):
            try:
                compile(read(path), path, "exec")
            except SyntaxError as exc:
                problems.append(f"{rel(path)}:{exc.lineno}: does not compile: {exc.msg}")
        else:
            try:
                ET.parse(path)
            except ET.ParseError as exc:
                problems.append(f"{rel(path)}: XML does not parse: {exc}")
    return problems


# ---------------------------------------------------------------------------- manifest
def load_manifest(addon_dir):
    """(manifest dict or None, problems)."""
    path = os.path.join(addon_dir, "__manifest__.py")
    if not os.path.exists(path):
        return None, [f"{rel(addon_dir)}: no __manifest__.py"]
    try:
        manifest = ast.literal_eval(read(path))
    except (ValueError, SyntaxError) as exc:
        return None, [f"{rel(path)}: not a literal dict: {exc}"]
    if not isinstance(manifest, dict):
        return None, [f"{rel(path)}: not a literal dict"]
    return manifest, []


def check_manifest(addon_dir, manifest):
    path = rel(os.path.join(addon_dir, "__manifest__.py"))
    problems = [f"{path}: missing key {key!r}" for key in MANIFEST_KEYS if key not in manifest]
    version = manifest.get("version", "")
    if not isinstance(version, str) or not VERSION.fullmatch(version):
        problems.append(f"{path}: version must be x.y.z, without an Odoo series (got {version!r})")
    if "license" in manifest and manifest["license"] not in LICENSES:
        problems.append(f"{path}: license {manifest['license']!r} is not one Odoo knows")
    for key in ("name", "summary", "author", "category"):
        if key in manifest and (not isinstance(manifest[key], str) or not manifest[key].strip()):
            problems.append(f"{path}: {key} must be a non-empty string")
    website = manifest.get("website", "")
    if "website" in manifest and not (isinstance(website, str)
                                      and website.startswith("https://")):
        problems.append(f"{path}: website must be an https:// URL (got {website!r})")
    depends = manifest.get("depends")
    if "depends" in manifest and (not isinstance(depends, list) or not depends
                                  or not all(isinstance(d, str) for d in depends)):
        problems.append(f"{path}: depends must be a non-empty list of module names")
    listed = set()
    for key in ("data", "demo"):
        for data_file in manifest.get(key, []):
            listed.add(os.path.normpath(data_file))
            if not os.path.exists(os.path.join(addon_dir, data_file)):
                problems.append(f"{path}: {key} file {data_file!r} does not exist")
    for data_path in addon_files(addon_dir, (".xml", ".csv")):
        data_file = os.path.relpath(data_path, addon_dir)
        if data_file.split(os.sep)[0] in DATA_FOLDERS and \
                os.path.normpath(data_file) not in listed:
            problems.append(f"{path}: {data_file} is in no data or demo list of the manifest")
    for needed in ("README.rst", os.path.join("static", "description", "icon.png")):
        if not os.path.exists(os.path.join(addon_dir, needed)):
            problems.append(f"{rel(addon_dir)}: {needed} is missing")
    icon = os.path.join(addon_dir, "static", "description", "icon.png")
    if os.path.exists(icon):
        with open(icon, "rb") as handle:
            if handle.read(8) != b"\x89PNG\r\n\x1a\n":
                problems.append(f"{rel(icon)}: not a PNG file")
    return problems


# ---------------------------------------------------------------------------- XML ids
def declared_ids(addon_dir, manifest):
    """[(xml id, file, where)] of every record the addon's data files declare."""
    found = []
    for data_file in manifest.get("data", []) + manifest.get("demo", []):
        path = os.path.join(addon_dir, data_file)
        if not os.path.exists(path):
            continue
        if path.endswith(".csv"):
            with open(path, encoding="utf-8") as handle:
                for line_no, row in enumerate(csv.DictReader(handle), start=2):
                    if row.get("id"):
                        found.append((row["id"], rel(path), f"line {line_no}"))
        elif path.endswith(".xml"):
            try:
                tree = ET.parse(path)
            except ET.ParseError:
                continue  # reported by check_files
            for element in tree.iter():
                if element.tag in ("record", "menuitem", "template", "report",
                                   "act_window") and element.get("id"):
                    found.append((element.get("id"), rel(path), f"<{element.tag}>"))
    return found


def check_xml_ids(addon_dir, manifest):
    module = os.path.basename(os.path.normpath(addon_dir))
    problems = []
    seen = {}
    for xml_id, path, where in declared_ids(addon_dir, manifest):
        prefix, _dot, name = xml_id.rpartition(".")
        if prefix and prefix != module:
            problems.append(f"{path}: {where} id {xml_id!r} defines a record of module "
                            f"{prefix!r}; an addon declares its own ids")
        elif not XML_ID.fullmatch(name):
            problems.append(f"{path}: {where} id {xml_id!r} is not lower-case letters, "
                            "digits and _")
        full = f"{module}.{name}"
        if full in seen:
            problems.append(f"{path}: {where} id {xml_id!r} is already declared in {seen[full]}")
        else:
            seen[full] = path
    return problems


# ---------------------------------------------------------------------------- access rules
def model_xmlid_to_name(xmlid):
    ref = xmlid.split(".", 1)[-1]
    if not ref.startswith("model_"):
        return None
    return ref[len("model_"):]


def _class_model(node):
    """(model name, is abstract, is SQL view) of a class with a `_name` defining a new model."""
    bases = {getattr(b, "attr", getattr(b, "id", "")) for b in node.bases}
    model_name, auto, inherits = None, True, []
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], ast.Name):
            target = stmt.targets[0].id
            if target == "_name" and isinstance(stmt.value, ast.Constant):
                model_name = stmt.value.value
            if target == "_auto" and isinstance(stmt.value, ast.Constant):
                auto = stmt.value.value
            if target == "_inherit":
                try:
                    value = ast.literal_eval(stmt.value)
                except ValueError:
                    value = []
                inherits = [value] if isinstance(value, str) else list(value)
    if not model_name or model_name in inherits:  # extensions define nothing new
        return None
    return model_name, "AbstractModel" in bases, not auto


def defined_models(addon_dir):
    """{model name: {"abstract": bool, "view": bool}} for every new model of the addon."""
    models = {}
    for folder in ("models", "wizards"):
        base = os.path.join(addon_dir, folder)
        if not os.path.isdir(base):
            continue
        for path in addon_files(base, (".py",)):
            try:
                tree = ast.parse(read(path))
            except SyntaxError:
                continue  # reported by check_files
            for node in ast.walk(tree):
                found = isinstance(node, ast.ClassDef) and _class_model(node)
                if found:
                    models[found[0]] = {"abstract": found[1], "view": found[2]}
    return models


def check_access(addon_dir):
    problems = []
    models = defined_models(addon_dir)
    acl_path = os.path.join(addon_dir, "security", "ir.model.access.csv")
    granted = set()
    if os.path.exists(acl_path):
        known = {m.replace(".", "_"): m for m in set(models) | DEPENDENCY_MODELS}
        with open(acl_path, encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            expected = ["id", "name", "model_id:id", "group_id:id", "perm_read", "perm_write",
                        "perm_create", "perm_unlink"]
            if reader.fieldnames != expected:
                problems.append(f"{rel(acl_path)}: header must be {','.join(expected)}")
            for line_no, row in enumerate(reader, start=2):
                xmlid = row.get("model_id:id") or ""
                ref = model_xmlid_to_name(xmlid)
                if not ref:
                    problems.append(
                        f"{rel(acl_path)}:{line_no}: model_id {xmlid!r} is not model_<name>")
                    continue
                if ref not in known:
                    problems.append(
                        f"{rel(acl_path)}:{line_no}: model {xmlid!r} is neither defined by the "
                        "addon nor in the dependency allow-list of scripts/check_addon.py")
                    continue
                granted.add(known[ref])
    for model, info in sorted(models.items()):
        if not info["abstract"] and model not in granted:
            problems.append(f"{rel(acl_path)}: model {model!r} has no access rule")
    return problems


# ---------------------------------------------------------------------------- sudo()
def python_comments(source):
    """{line number: comment text} of a Python source."""
    comments = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string
    return comments


def check_sudo(addon_dir):
    problems = []
    for path in addon_files(addon_dir, (".py",)):
        if is_test_file(addon_dir, path):
            continue
        source = read(path)
        try:
            comments = python_comments(source)
            tree = ast.parse(source)
        except (SyntaxError, tokenize.TokenError):
            continue  # reported by check_files
        lines = source.splitlines()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "sudo":
                line = node.func.end_lineno
                previous = line - 1
                while previous > 0 and not lines[previous - 1].strip():
                    previous -= 1
                reason = comments.get(line) or (
                    comments.get(previous) if lines[previous - 1].strip().startswith("#")
                    else None)
                if not reason:
                    problems.append(f"{rel(path)}:{line}: sudo() without a comment saying why "
                                    "(same line or the line before)")
    return problems


# ---------------------------------------------------------------------------- SQL
def check_sql(addon_dir):
    """`<cursor>.execute(...)` with a string (literal, f-string, % or + expression) as query."""
    problems = []
    for path in addon_files(addon_dir, (".py",)):
        try:
            tree = ast.parse(read(path))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "execute" and node.args):
                continue
            query = node.args[0]
            literal = isinstance(query, ast.JoinedStr) or (
                isinstance(query, ast.Constant) and isinstance(query.value, str))
            formatted = isinstance(query, ast.BinOp) and isinstance(query.op, (ast.Mod, ast.Add))
            if literal or formatted:
                problems.append(f"{rel(path)}:{node.lineno}: a query given as a string: build "
                                "it with odoo.tools.SQL")
    return problems


# ---------------------------------------------------------------------------- citations
def markdown_exists(reference, repo_root, citing_path):
    if "/" in reference:
        candidates = [os.path.join(repo_root, reference),
                      os.path.join(os.path.dirname(citing_path), reference)]
        return any(os.path.exists(path) for path in candidates)
    for dirpath, dirs, files in os.walk(repo_root):
        dirs[:] = [d for d in dirs if d not in ("node_modules", ".git", "var")]
        if reference in files:
            return True
    return False


def check_citations(addon_dir, repo_root):
    problems = []
    for path in addon_files(addon_dir, (".py", ".xml", ".md", ".rst", ".csv")):
        for line_no, line in enumerate(read(path).splitlines(), start=1):
            for pattern, what in CITATIONS:
                if pattern.search(line):
                    problems.append(f"{rel(path)}:{line_no}: {what} (a document outside the "
                                    "repository): say the reason or point to docs/")
            for reference in MARKDOWN_REF.findall(line):
                if not markdown_exists(reference, repo_root, path):
                    problems.append(f"{rel(path)}:{line_no}: cites {reference}, which is not "
                                    "in the repository")
    return problems


# ---------------------------------------------------------------------------- size
def check_function_size(addon_dir):
    problems = []
    for path in addon_files(addon_dir, (".py",)):
        if is_test_file(addon_dir, path):
            continue
        try:
            tree = ast.parse(read(path))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    problems.append(f"{rel(path)}:{node.lineno}: {node.name} has {length} "
                                    f"lines (at most {MAX_FUNCTION_LINES}): split it into "
                                    "named steps")
    return problems


# ---------------------------------------------------------------------------- Odoo versions
# Names that differ between Odoo 17.0, 18.0 and 19.0: {name: (what differs, what to use)}. The
# addon is written in 18.0's terms and `compat.py` maps them: such a name may appear as an
# argument of a `compat.<helper>(...)` call (e.g. `compat.value(line, "tax_id")`), never on its
# own (an attribute, a string, a keyword) in Python code outside compat.py.
VERSION_SPECIFIC_NAMES = {
    "is_storable": ("product storability (17.0: type 'product')",
                    "compat.vals / compat.domain / compat.value / compat.field"),
    "groups_id": ("a user's, view's, menu's or action's groups (19.0: group_ids)",
                  "compat.field / compat.vals"),
    "group_ids": ("a 19.0-only name (18.0: groups_id)", "compat.field / compat.vals"),
    "privilege_id": ("a 19.0-only name (18.0: res.groups.category_id)", "compat.vals"),
    "Constraint": ("19.0's models.Constraint", "_sql_constraints (compat.adapt_model_definitions)"),
    "check_access": ("BaseModel.check_access (18.0+)", "compat.check_access"),
    "create_returns": ("the return wizard's action (18.0: action_create_returns)",
                       "compat.create_return"),
    "action_create_returns": ("the return wizard's action (17.0: create_returns)",
                              "compat.create_return"),
    "price_include_override": ("a tax's price-included setting (17.0: price_include)",
                               "compat.vals"),
    "tracking_url": ("a carrier's tracking link (18.0+)",
                     "compat.vals, or the picking's carrier_tracking_url"),
    "_get_default_sending_settings": ("account.move.send's settings (17.0: a wizard)",
                                      "compat.invoice_sending_data"),
    "_generate": ("res.users.apikeys._generate (17.0: no expiration)", "compat.generate_api_key"),
    "raise_on_email": ("mail.thread._message_compute_author (19.0: no raise_on_email)",
                       "compat.MAIL_AUTHOR_NO_RAISE"),
    "mobile": ("res.partner.mobile (removed in 19.0)",
               "compat.optional, or a field list checked against _fields"),
    "users": ("res.groups.users (19.0: user_ids)", "compat.value / compat.field"),
    "get_groups_by_application": ("the user form's groups by application (19.0: privileges)",
                                  "compat.access_choices"),
    "_update_user_groups_view": ("the generated user groups view (19.0: none)",
                                 "compat.user_form_offers"),
    "_get_view_group_hierarchy": ("19.0's user form groups", "compat.access_choices"),
    "LazyTranslate": ("module-level lazy translations (17.0: _lt)", "compat.lazy_translation"),
    "version_info": ("the Odoo version", "compat.ODOO_MAJOR and a helper in compat.py"),
    "major_version": ("the Odoo version", "compat.ODOO_MAJOR and a helper in compat.py"),
}
# Flagged as attributes only: as strings they name fields in lists checked against `_fields`,
# as variables they are the addon's own.
ATTRIBUTE_ONLY = {"mobile", "users"}
# sale.order.line's taxes (19.0: tax_ids): the addon's own shopify.tax.map also has a `tax_id`,
# so only a line's (an expression naming a line) and m2m commands for it are flagged.
LINE_TAXES = ("sale.order.line taxes (19.0: tax_ids)", "compat.value / compat.field")
# Data files are translated at load (compat.Base._load_records): they use 18.0's terms, never
# another version's.
VERSION_SPECIFIC_XML = [
    (re.compile(r"<tree\b|[\"'>,]tree[,<\"']"), "17.0's tree view type", "18.0's list"),
    (re.compile(r"name=[\"'](group_ids|user_ids|privilege_id)[\"']"), "a 19.0-only field name",
     "18.0's groups_id / users / category_id"),
    (re.compile(r"<group\b[^>]*\bexpand="), "a search view group's expand (refused by 19.0's "
     "odoo/addons/base/rng/common.rng)", "a bare <group>"),
    (re.compile(r"name=[\"']detailed_type[\"']|\bis_storable\b"),
     "product storability in a view (differs in 17.0)", "a field every version has"),
]
# Files allowed to name a version-specific API, and why.
VERSION_SPECIFIC_ALLOWED = {
    # The override itself: it passes the argument on when the version gives it.
    ("models/mail_thread.py", "raise_on_email"),
    # The test of compat.ODOO_MAJOR against Odoo's own release number.
    ("tests/test_versions.py", "major_version"),
    # The test of compat.web_url's answer on 18.0 and 19.0.
    ("tests/test_versions.py", "web_route"),
    # The documentation's screenshots are taken on Odoo 18 (scripts/screenshots-real-odoo.sh).
    ("tests/test_screenshots.py", "web_route"),
    # Its lines are the wizard's own (shopify.tax.map.wizard.line.tax_id), no sale order line.
    ("wizards/shopify_tax_map_wizard.py", "tax_id"),
}
# The web client's addresses that 18.0 added (`/odoo/action-…`, `/odoo/<model>/<id>`).
WEB_ROUTE = re.compile(r"^/odoo/(action-|[a-z_]+\.[a-z_.]+(/|$))")
# An expression that names a sale order line (its last step): `line`, `so_line`, `ship_line`,
# `order.order_line`; not `wizard.line_ids` (another model's lines).
ORDER_LINE = re.compile(r"(?:^|[.\]])(?:\w*_)?line$")
CONTRACT_MODEL = "shopify.sync.api"


def _is_compat_call(node):
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
        isinstance(node.func.value, ast.Name) and node.func.value.id == "compat"


def _version_names(node):
    """[(name, line)] of the version-specific names `node` itself uses."""
    found = []
    if isinstance(node, ast.Attribute) and not (
            isinstance(node.value, ast.Name) and node.value.id == "compat"):
        if node.attr in VERSION_SPECIFIC_NAMES:
            found.append((node.attr, node.lineno))
        if node.attr == "_" and ast.unparse(node.value).endswith("env"):
            found.append(("env_translate", node.lineno))
        if node.attr == "tax_id" and ORDER_LINE.search(ast.unparse(node.value)):
            found.append(("tax_id", node.lineno))
    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
            node.value in VERSION_SPECIFIC_NAMES and node.value not in ATTRIBUTE_ONLY:
        found.append((node.value, node.lineno))
    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
            WEB_ROUTE.search(node.value):
        found.append(("web_route", node.lineno))
    elif isinstance(node, ast.keyword) and node.arg in VERSION_SPECIFIC_NAMES and \
            node.arg not in ATTRIBUTE_ONLY:
        found.append((node.arg, node.value.lineno))
    elif isinstance(node, ast.keyword) and node.arg == "tax_id" and \
            isinstance(node.value, (ast.List, ast.ListComp)):
        # vals.update(tax_id=[Command.set(...)]): a line's taxes written as a keyword.
        found.append(("tax_id", node.value.lineno))
    elif isinstance(node, ast.keyword) and node.arg == "view_mode" and \
            isinstance(node.value, ast.Constant) and \
            re.search(r"\b(list|tree)\b", str(node.value.value)):
        found.append(("view_mode", node.value.lineno))
    elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and \
            isinstance(node.elts[1], ast.Constant) and node.elts[1].value in ("list", "tree"):
        found.append(("view_mode", node.lineno))
    elif isinstance(node, ast.Name) and node.id in VERSION_SPECIFIC_NAMES and \
            node.id not in ATTRIBUTE_ONLY:
        found.append((node.id, node.lineno))
    elif isinstance(node, ast.arg) and node.arg in VERSION_SPECIFIC_NAMES and \
            node.arg not in ATTRIBUTE_ONLY:
        found.append((node.arg, node.lineno))
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr == "with_context":
        found += [("warehouse_context", k.value.lineno) for k in node.keywords
                  if k.arg in ("warehouse", "warehouse_id")]
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and key.value == "tax_id" and \
                    isinstance(value, (ast.List, ast.ListComp)):
                found.append(("tax_id", key.lineno))
            if isinstance(key, ast.Constant) and key.value == "view_mode" and \
                    isinstance(value, ast.Constant) and \
                    re.search(r"\b(list|tree)\b", str(value.value)):
                found.append(("view_mode", key.lineno))
    return found


def _uses_outside_compat(node, inside=False):
    """[(name, line)] of version-specific names in `node`'s tree outside compat.<helper>() calls."""
    inside = inside or _is_compat_call(node)
    found = [] if inside else _version_names(node)
    for child in ast.iter_child_nodes(node):
        found += _uses_outside_compat(child, inside)
    return found


def _python_version_problems(path, relative):
    try:
        tree = ast.parse(read(path))
    except SyntaxError:
        return []  # reported by check_files
    problems = []
    for name, line in _uses_outside_compat(tree):
        if (relative, name) in VERSION_SPECIFIC_ALLOWED:
            continue
        if name == "tax_id":
            what, instead = LINE_TAXES
        elif name == "env_translate":
            what, instead = "Environment._ (18.0+)", "compat.translate"
        elif name == "web_route":
            what, instead = "the web client's /odoo/ addresses (18.0+; 17.0: /web#)", \
                "compat.web_url"
        elif name == "view_mode":
            what, instead = "the list view type (17.0: tree)", "compat.view_mode"
        elif name == "warehouse_context":
            what, instead = "the stock context key of a warehouse (17.0: warehouse)", \
                "compat.in_warehouse"
        else:
            what, instead = VERSION_SPECIFIC_NAMES[name]
        problems.append(f"{rel(path)}:{line}: {what} differs between Odoo versions: use "
                        f"{instead} (compat.py)")
    return problems


def check_versions(addon_dir):
    problems = []
    for path in addon_files(addon_dir, (".py", ".xml")):
        relative = os.path.relpath(path, addon_dir)
        if relative == "compat.py":
            continue
        if path.endswith(".py"):
            problems += _python_version_problems(path, relative)
            continue
        for line_no, line in enumerate(read(path).splitlines(), start=1):
            for pattern, what, instead in VERSION_SPECIFIC_XML:
                if pattern.search(line):
                    problems.append(f"{rel(path)}:{line_no}: {what} differs between Odoo "
                                    f"versions: use {instead} (compat.py)")
    return problems + check_contract_signatures(addon_dir)


def _defines_model(class_node, model):
    """Whether the class is (or extends) `model`: its `_name` or `_inherit` names it. A class
    that only calls the model (`self.env[model]`) is not it."""
    for item in class_node.body:
        if isinstance(item, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in ("_name", "_inherit") for t in item.targets):
            if model in ast.unparse(item.value):
                return True
    return False


def check_contract_signatures(addon_dir):
    """Every public method of the contract model is `method(self, document)` (JSON-2 passes
    arguments by name, and the sidecar names the one document `document`)."""
    problems = []
    for path in addon_files(os.path.join(addon_dir, "models"), (".py",)):
        try:
            tree = ast.parse(read(path))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.ClassDef) and _defines_model(node, CONTRACT_MODEL)):
                continue
            for item in node.body:
                if not isinstance(item, ast.FunctionDef) or item.name.startswith("_"):
                    continue
                names = [a.arg for a in item.args.args]
                if names != ["self", "document"] or item.args.vararg or item.args.kwarg or \
                        item.args.kwonlyargs:
                    problems.append(f"{rel(path)}:{item.lineno}: {CONTRACT_MODEL}.{item.name} "
                                    "must take exactly one argument, `document`")
    return problems


def check_addon(addon_dir, repo_root=ROOT):
    problems = check_files(addon_dir)
    manifest, manifest_problems = load_manifest(addon_dir)
    problems += manifest_problems
    if manifest is not None:
        problems += check_manifest(addon_dir, manifest)
        problems += check_xml_ids(addon_dir, manifest)
    problems += check_access(addon_dir)
    problems += check_sudo(addon_dir)
    problems += check_sql(addon_dir)
    problems += check_citations(addon_dir, repo_root)
    problems += check_function_size(addon_dir)
    problems += check_versions(addon_dir)
    return problems


def main(argv):
    if argv:
        addons = [os.path.abspath(arg) for arg in argv]
    elif os.path.isdir(ADDONS):
        addons = [os.path.join(ADDONS, d) for d in sorted(os.listdir(ADDONS))
                  if os.path.isdir(os.path.join(ADDONS, d)) and not d.startswith(".")]
    else:
        addons = []
    if not addons:
        print(f"check_addon: no addon found under {ADDONS}", file=sys.stderr)
        return 1
    problems = []
    for addon in addons:
        problems += check_addon(addon)
    if problems:
        for problem in problems:
            print(f"check_addon: {problem}", file=sys.stderr)
        print(f"check_addon: FAILED ({len(problems)} problem(s))", file=sys.stderr)
        return 1
    print(f"check_addon: OK ({', '.join(os.path.basename(a) for a in addons)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
