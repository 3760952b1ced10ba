#!/usr/bin/python3
"""Static checks of the Odoo addon that need no Odoo (run with /usr/bin/python3).

  - every .py file compiles;
  - every .xml file parses;
  - every data/demo file listed in the manifest exists;
  - every model in security/ir.model.access.csv is defined by the addon (a `_name` in
    models/ or wizards/) or is in the explicit allow-list of dependency models;
  - every model the addon defines (except abstract ones) has at least one access row.

Exit status 0 when all checks pass, 1 with one line per problem otherwise.
"""
import ast
import csv
import os
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDONS = os.path.join(ROOT, "odoo_addon")

# Models of the declared dependencies that an addon's ACL file may grant access to.
DEPENDENCY_MODELS = {
    "account.tax", "account.move", "account.move.line", "res.partner", "product.template",
    "product.product", "sale.order", "sale.order.line", "stock.picking", "stock.move",
    "stock.quant", "stock.warehouse", "stock.location", "res.config.settings",
}


def model_xmlid_to_name(xmlid):
    ref = xmlid.split(".", 1)[-1]
    if not ref.startswith("model_"):
        return None
    return ref[len("model_"):]


def defined_models(addon_dir):
    """{model name: is_abstract} for every class with a `_name` in the addon."""
    models = {}
    for folder in ("models", "wizards"):
        base = os.path.join(addon_dir, folder)
        if not os.path.isdir(base):
            continue
        for name in sorted(os.listdir(base)):
            if not name.endswith(".py"):
                continue
            tree = ast.parse(open(os.path.join(base, name), encoding="utf-8").read())
            for node in ast.walk(tree):
                if not isinstance(node, ast.ClassDef):
                    continue
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
                if model_name and model_name not in inherits:  # extensions define nothing new
                    abstract = "AbstractModel" in bases
                    models[model_name] = {"abstract": abstract, "view": not auto}
    return models


def check_addon(addon_dir):
    problems = []
    rel = lambda path: os.path.relpath(path, ROOT)  # noqa: E731
    for dirpath, _dirs, files in os.walk(addon_dir):
        for name in files:
            path = os.path.join(dirpath, name)
            if name.endswith(".py"):
                try:
                    compile(open(path, encoding="utf-8").read(), path, "exec")
                except SyntaxError as exc:
                    problems.append(f"{rel(path)}:{exc.lineno}: does not compile: {exc.msg}")
            elif name.endswith(".xml"):
                try:
                    ET.parse(path)
                except ET.ParseError as exc:
                    problems.append(f"{rel(path)}: XML does not parse: {exc}")
    manifest_path = os.path.join(addon_dir, "__manifest__.py")
    if not os.path.exists(manifest_path):
        return problems + [f"{rel(addon_dir)}: no __manifest__.py"]
    try:
        manifest = ast.literal_eval(open(manifest_path, encoding="utf-8").read())
    except (ValueError, SyntaxError) as exc:
        return problems + [f"{rel(manifest_path)}: not a literal dict: {exc}"]
    for key in ("name", "version", "license", "depends", "data", "installable"):
        if key not in manifest:
            problems.append(f"{rel(manifest_path)}: missing key {key!r}")
    version = manifest.get("version", "")
    if not (version.startswith("18.0.") and len(version.split(".")) == 5):
        problems.append(f"{rel(manifest_path)}: version must be 18.0.x.y.z (got {version!r})")
    for key in ("data", "demo"):
        for data_file in manifest.get(key, []):
            if not os.path.exists(os.path.join(addon_dir, data_file)):
                problems.append(f"{rel(manifest_path)}: {key} file {data_file!r} does not exist")
    models = defined_models(addon_dir)
    acl_path = os.path.join(addon_dir, "security", "ir.model.access.csv")
    granted = set()
    if os.path.exists(acl_path):
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
                    problems.append(f"{rel(acl_path)}:{line_no}: model_id {xmlid!r} is not model_<name>")
                    continue
                known = {m.replace(".", "_"): m for m in set(models) | DEPENDENCY_MODELS}
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


def main():
    addons = [os.path.join(ADDONS, d) for d in sorted(os.listdir(ADDONS))
              if os.path.isdir(os.path.join(ADDONS, d)) and not d.startswith(".")] \
        if os.path.isdir(ADDONS) else []
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
    sys.exit(main())
