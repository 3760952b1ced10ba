"""Odoo 17.0, 18.0 and 19.0 from one source: every difference between them that the addon meets,
in this one module (docs/architecture.md, "Odoo versions").

The addon is written in Odoo 18.0's terms: its models, data files and tests use 18.0's field
names and methods. This module maps them onto the running server:

- data files: every record of this addon's XML and CSV files passes through `vals()` before Odoo
  writes it, and a view's arch through `arch()` (`Base._load_records` below), so a data file is
  written once, in 18.0's terms;
- Python: code that touches something that differs calls the helper here (`field`, `vals`,
  `domain`, `value`, `check_access`, `create_return`, `generate_api_key`, `view_mode`,
  `in_warehouse`) instead of the version's own name; `scripts/check_addon.py` refuses the
  known version-specific names outside this file;
- model definitions: `adapt_model_definitions()` turns `_sql_constraints` into 19.0's
  `models.Constraint` (the addon's `__init__.py` calls it once its models are defined).

Each difference below names the version that brought it and the upstream file that shows it.
Only the x.0 releases are supported (17.0, 18.0, 19.0); an Odoo SaaS release between them may
carry some of the next major's changes.
"""
import ast
import re

from lxml import etree

from odoo import api, models, release

MODULE = "shopify_sync"

# The running server's major version: 17, 18 or 19 (`odoo/release.py` `version_info`; a SaaS
# release says "saas~18").
ODOO_MAJOR = int(str(release.version_info[0]).rsplit("~", 1)[-1])
SUPPORTED_MAJORS = (17, 18, 19)

# ---------------------------------------------------------------------------- field renames
# (model, 18.0 name) → (first major with the new name, new name). Used by `field()`, `vals()`,
# `domain()` and `value()`, and so by every data file of the addon.
RENAMES = {
    # 19.0: `addons/sale/models/sale_order_line.py` calls the line's taxes `tax_ids` (18.1).
    ("sale.order.line", "tax_id"): (19, "tax_ids"),
    # 19.0: `odoo/addons/base/models/res_groups.py` calls a group's users `user_ids`.
    ("res.groups", "users"): (19, "user_ids"),
    # 19.0: the groups that may see a view, menu, action or report, and a user's groups, are
    # `group_ids` (`odoo/addons/base/models/ir_ui_view.py`, `ir_ui_menu.py`, `ir_actions.py`,
    # `ir_actions_report.py`, `res_users.py`).
    ("res.users", "groups_id"): (19, "group_ids"),
    ("ir.ui.view", "groups_id"): (19, "group_ids"),
    ("ir.ui.menu", "groups_id"): (19, "group_ids"),
    ("ir.actions.act_window", "groups_id"): (19, "group_ids"),
    ("ir.actions.server", "groups_id"): (19, "group_ids"),
    ("ir.actions.report", "groups_id"): (19, "group_ids"),
}


# Fields whose value is held differently (CONVERTERS below): the field that holds it, by major.
HELD_IN = {
    ("product.template", "is_storable"): {17: "type"},
    ("product.product", "is_storable"): {17: "type"},
    ("account.tax", "price_include_override"): {17: "price_include"},
    # 17.0: a payment's memo is `ref` (18.0 renamed it, `addons/account/models/account_payment.py`).
    ("account.payment", "memo"): {17: "ref"},
    ("res.groups", "category_id"): {19: "privilege_id"},
}


def field(model_name, name):
    """The running version's name of the field that Odoo 18.0 calls `model_name.name` (for a
    converted field, the field that holds its value)."""
    held_in = HELD_IN.get((model_name, name), {})
    if ODOO_MAJOR in held_in:
        return held_in[ODOO_MAJOR]
    since, new = RENAMES.get((model_name, name), (None, None))
    return new if since is not None and ODOO_MAJOR >= since else name


# ---------------------------------------------------------------------------- values
def _storable_vals_17(model, values):
    """17.0 has no `is_storable` (18.0: `addons/stock/models/product.py`): a storable product is
    `type` "product", which 18.0 folded into "consu" plus the flag."""
    storable = values.pop("is_storable")
    if storable:
        values["type"] = "product"
    return values


def _tax_price_include_17(model, values):
    """17.0 has the boolean `price_include`; 18.0 added `price_include_override`
    (`addons/account/models/account_tax.py`), "tax_included" or "tax_excluded" (or empty: the
    company's default)."""
    override = values.pop("price_include_override")
    if override:
        values["price_include"] = override == "tax_included"
    return values


def _drop_api_key_duration_17(model, values):
    """17.0's groups have no `api_key_duration` (18.0: `odoo/addons/base/models/res_users.py`):
    its API keys never expire, so there is no maximum to set."""
    values.pop("api_key_duration")
    return values


def _group_privilege_19(model, values):
    """19.0 puts groups under a privilege (`odoo/addons/base/models/res_groups_privilege.py`),
    which belongs to the category that 18.0's `res.groups.category_id` named directly: each
    category gets one privilege of the addon (XML id `privilege_<category's XML id>`), made
    when the first group names the category."""
    category = model.env["ir.module.category"].browse(values.pop("category_id"))
    if not category:
        return values
    xml_id = category.get_external_id().get(category.id)
    if not xml_id:
        raise ValueError(f"category {category.name}: a group's category needs an XML id")
    privilege = model.env["res.groups.privilege"]._load_records([{
        "xml_id": f"{MODULE}.privilege_{xml_id.replace('.', '_')}",
        "values": {"name": category.name, "category_id": category.id,
                   "sequence": category.sequence},
        "noupdate": False,
    }])
    values["privilege_id"] = privilege.id
    return values


def _drop_tracking_url_17(model, values):
    """17.0's carriers have a tracking link only through a shipping connector
    (`<delivery_type>_get_tracking_link`); 18.0 added the link template `tracking_url` for the
    others (`addons/delivery/models/delivery_carrier.py`). A 17.0 delivery of such a carrier has
    a tracking number but no link."""
    values.pop("tracking_url")
    return values


def _cron_forever_17(model, values):
    """17.0's scheduled actions run `numbercall` times (default 1, then they deactivate); -1 is
    "no limit". 18.0 removed the field: a scheduled action runs until deactivated
    (`odoo/addons/base/models/ir_cron.py`). The addon's crons are meant to run forever."""
    values.setdefault("numbercall", -1)
    return values


def _drop_inline_target_19(model, values):
    """19.0 has no "inline" window action target (`odoo/addons/base/models/ir_actions.py`
    `target`): a settings page opens in the current window, the default."""
    if values["target"] == "inline":
        del values["target"]
    return values


# (model, 18.0 field) → [(majors, converter)]: values that differ by more than a name. A converter
# takes the model and the values (holding the field) and returns the values for the version.
CONVERTERS = {
    ("product.template", "is_storable"): ((17,), _storable_vals_17),
    ("product.product", "is_storable"): ((17,), _storable_vals_17),
    ("account.tax", "price_include_override"): ((17,), _tax_price_include_17),
    ("res.groups", "api_key_duration"): ((17,), _drop_api_key_duration_17),
    ("delivery.carrier", "tracking_url"): ((17,), _drop_tracking_url_17),
    ("ir.cron", "interval_type"): ((17,), _cron_forever_17),
    ("res.groups", "category_id"): ((19,), _group_privilege_19),
    ("ir.actions.act_window", "target"): ((19,), _drop_inline_target_19),
}


def vals(model, values):
    """A copy of `values` (written in Odoo 18.0's terms for `model`, a model or recordset) for
    the running version: renamed fields renamed, converted fields converted."""
    values = dict(values)
    for name in list(values):
        if name not in values:
            continue
        majors, convert = CONVERTERS.get((model._name, name), ((), None))
        if ODOO_MAJOR in majors:
            values = convert(model, values)
            continue
        new = field(model._name, name)
        if new != name:
            values[new] = values.pop(name)
    return values


def domain(model_name, terms):
    """A search domain written in Odoo 18.0's terms for the running version."""
    result = []
    for term in terms:
        if isinstance(term, (list, tuple)) and len(term) == 3:
            name, operator, operand = term
            if name == "is_storable" and ODOO_MAJOR == 17 and model_name in (
                    "product.template", "product.product") and operator in ("=", "!="):
                # 17.0: storable is `type` "product" (see `_storable_vals_17`).
                positive = bool(operand) == (operator == "=")
                term = ("type", "=" if positive else "!=", "product")
            else:
                term = (field(model_name, name), operator, operand)
        result.append(term)
    return result


def value(record, name):
    """The value of the field Odoo 18.0 calls `name` on `record` (one record, or a recordset for
    relational fields)."""
    if name == "is_storable" and ODOO_MAJOR == 17:
        record.ensure_one()
        return record.type == "product"  # 17.0, see `_storable_vals_17`
    return record[field(record._name, name)]


# Fields some versions no longer have: (model, 18.0 name) → first major without it.
REMOVED = {
    # 19.0: `odoo/addons/base/models/res_partner.py` has no `mobile` (one `phone` per contact).
    ("res.partner", "mobile"): 19,
}


def optional(record, name):
    """The value of the field Odoo 18.0 calls `name` on `record`, or None on a version that
    removed it (REMOVED)."""
    since = REMOVED.get((record._name, name))
    if since is not None and ODOO_MAJOR >= since:
        return None
    return value(record, name)


# ---------------------------------------------------------------------------- methods
def check_access(records, operation):
    """Raise AccessError unless the user may `operation` ("read", "write", ...) `records`.
    18.0 added `BaseModel.check_access` (`odoo/models.py`); 17.0 checks the model's access rights
    and the record rules in two calls."""
    if ODOO_MAJOR == 17:
        records.check_access_rights(operation)
        records.check_access_rule(operation)
    else:
        records.check_access(operation)


def in_warehouse(records, warehouse):
    """`records` (products) whose stock quantities (`qty_available`, ...) count only
    `warehouse`. 18.0 renamed the context key `warehouse` to `warehouse_id`
    (`addons/stock/models/product.py` `_get_domain_locations`); each version ignores the other's
    key and counts every warehouse."""
    key = "warehouse" if ODOO_MAJOR == 17 else "warehouse_id"
    return records.with_context(**{key: warehouse.id})


def create_return(picking, quantities):
    """The return picking (not validated) of a done `picking` for `quantities`
    {stock.move of the picking: quantity to return}, through Odoo's return wizard. Every other
    move of the picking is returned with quantity 0 (17.0's wizard proposes the delivered
    quantity). 18.0 renamed the wizard's action `create_returns` to `action_create_returns`
    (`addons/stock/wizard/stock_picking_return.py`)."""
    wizard = picking.env["stock.return.picking"].with_context(
        active_id=picking.id, active_ids=picking.ids, active_model="stock.picking").create(
        {"picking_id": picking.id})
    for line in wizard.product_return_moves:
        line.quantity = quantities.get(line.move_id, 0)
    action = wizard.create_returns() if ODOO_MAJOR == 17 else wizard.action_create_returns()
    return picking.browse(action["res_id"])


def invoice_sending_data(send, move):
    """The data `account.move.send._generate_invoice_documents` takes for `move`, to store its
    PDF without sending it. 18.0 made the sending an abstract model with default settings per
    invoice (`addons/account/models/account_move_send.py` `_get_default_sending_settings`);
    17.0's wizard (`addons/account/wizard/account_move_send.py`) starts from empty data."""
    if ODOO_MAJOR == 17:
        return {}
    return send._get_default_sending_settings(move, sending_methods=["manual"])


def generate_api_key(user, name, expiration_date):
    """A new API key (the key itself) of `user` for RPC, JSON-RPC or JSON-2. 18.0 added the
    expiration date (`res.users.apikeys._generate` in `odoo/addons/base/models/res_users.py`);
    17.0's keys never expire."""
    keys = user.env["res.users.apikeys"].with_user(user)
    if ODOO_MAJOR == 17:
        return keys._generate(None, name)
    return keys._generate(None, name, expiration_date)


# 19.0's `mail.thread._message_compute_author` (`addons/mail/models/mail_thread.py`) takes no
# `raise_on_email` and no longer refuses an author without email; 17.0 and 18.0 do unless told
# not to with these arguments.
MAIL_AUTHOR_NEEDS_EMAIL = ODOO_MAJOR < 19
MAIL_AUTHOR_NO_RAISE = {"raise_on_email": False} if MAIL_AUTHOR_NEEDS_EMAIL else {}


# ---------------------------------------------------------------------------- access levels
def _xml_id(record):
    return record.get_external_id().get(record.id) or ""


def access_choices(env):
    """How the user form offers each application's groups: {category XML id: (kind, [group XML
    ids])}, kind "selection" (one choice among groups that imply each other, in that order) or
    "boolean". 17.0 and 18.0 classify the groups by category (`res.groups`
    `get_groups_by_application`); 19.0 groups them under privileges
    (`odoo/addons/base/models/res_groups.py` `_get_view_group_hierarchy`), one choice per
    privilege whose groups form a chain."""
    if ODOO_MAJOR < 19:
        return {_xml_id(app): (kind, [_xml_id(group) for group in groups])
                for app, kind, groups, _category in
                env["res.groups"].get_groups_by_application() if app}
    hierarchy = env["res.groups"]._get_view_group_hierarchy()
    Groups, Category = env["res.groups"], env["ir.module.category"]
    choices = {}
    for privilege in hierarchy["privileges"].values():
        groups = Groups.browse(privilege["group_ids"])
        chain = all(previous in group.all_implied_ids
                    for previous, group in zip(groups, groups[1:]))
        category = Category.browse(privilege["category_id"])
        choices[_xml_id(category)] = ("selection" if chain and len(groups) > 1 else "boolean",
                                      [_xml_id(group) for group in groups])
    return choices


def user_form_offers(env, groups):
    """Whether the user form shows `groups` (a chain, in implication order) as one choice.
    17.0 and 18.0 generate a `sel_groups_<ids>` field in `base.user_groups_view`
    (`res.groups._update_user_groups_view`, run once modules are loaded); 19.0's form shows the
    privileges of `_get_view_group_hierarchy` with a widget over `group_ids`."""
    if ODOO_MAJOR < 19:
        env["res.groups"]._update_user_groups_view()
        arch = etree.fromstring(env.ref("base.user_groups_view").arch)
        name = "sel_groups_" + "_".join(str(group_id) for group_id in groups.ids)
        return name in arch.xpath("//field/@name")
    hierarchy = env["res.groups"]._get_view_group_hierarchy()
    return any(privilege["group_ids"] == groups.ids
               for privilege in hierarchy["privileges"].values())


def translator(env):
    """A function that gives a text of this addon in the environment's language (`i18n/`).
    18.0 added `Environment._` (`odoo/api.py`); 17.0 reads the addon's code translations
    directly (`odoo/tools/translate.py` `code_translations`)."""
    if ODOO_MAJOR > 17:
        return env._
    from odoo.tools.translate import code_translations
    translations = code_translations.get_python_translations(MODULE, env.lang or "en_US")

    def translate(text):
        source = getattr(text, "_source", text)  # a lazy text (`lazy_translation`) or a str
        return translations.get(source, source)
    return translate


def lazy_translation(module_name):
    """The function that marks a module-level text for translation, translated when used
    (`translator`). 18.0 made it per module, `LazyTranslate(__name__)`
    (`odoo/tools/translate.py`); 17.0 has the one class `_lt`."""
    if ODOO_MAJOR == 17:
        from odoo.tools.translate import _lt
        return _lt
    from odoo.tools.translate import LazyTranslate
    return LazyTranslate(module_name)


# ---------------------------------------------------------------------------- web client
def web_url(action, res_id=None):
    """The web client's address of a window action (XML id), on one record's form when `res_id`
    is given. 18.0 added the `/odoo/action-<xml id>[/<id>]` routes (`addons/web/controllers/
    home.py`); 17.0 reads the action from the address's fragment."""
    if ODOO_MAJOR == 17:
        return f"/web#action={action}" + (f"&id={res_id}&view_type=form" if res_id else "")
    return f"/odoo/action-{action}" + (f"/{res_id}" if res_id else "")


# ---------------------------------------------------------------------------- views
# 18.0 renamed the "tree" view type to "list" (`odoo/addons/base/models/ir_ui_view.py`
# `type`, `ir_actions.py` `VIEW_TYPES`, `rng/list_view.rng`); 17.0 knows "tree" only.
LIST_VIEW = "tree" if ODOO_MAJOR == 17 else "list"
# `list` as a step of an xpath expression: `//list`, `/form/list[1]`, `list/field`.
_LIST_IN_XPATH = re.compile(r"(?:(?<=/)|^)list(?=$|[\[/ ])")


def view_mode(modes):
    """A comma-separated view mode list ("list,form") for the running version."""
    return ",".join(LIST_VIEW if mode.strip() == "list" else mode.strip()
                    for mode in modes.split(","))


# 18.0's form views end with `<chatter/>` (`odoo/addons/base/rng/common.rng`); 17.0 spells out
# the chatter's fields in a div.
_CHATTER_17 = ("message_follower_ids", "activity_ids", "message_ids")


def _chatter_17(node):
    node.tag = "div"
    node.set("class", "oe_chatter")
    for name in _CHATTER_17:
        etree.SubElement(node, "field", name=name)


# 17.0 refuses a view whose `invisible`, `readonly`, `required` or `column_invisible` expression
# names a field the view does not show (`odoo/addons/base/models/ir_ui_view.py`
# `_validate_tag_*`: "Field ... used in modifier ... must be present in view"); 18.0 adds such
# fields to the view itself.
_MODIFIERS = ("invisible", "readonly", "required", "column_invisible")


def _in_subview(node, root):
    """Whether `node` is inside a field's own view (an x2many's list or form), not `root`'s."""
    parent = node.getparent()
    while parent is not None and parent is not root:
        if parent.tag == "field":
            return True
        parent = parent.getparent()
    return False


def _modifier_fields_17(root, model):
    """Adds, hidden, the fields of `model` that `root`'s modifiers name and it does not show."""
    if model is None or root.tag not in ("form", "tree", "kanban"):
        return
    nodes = [node for node in root.iter() if not _in_subview(node, root)]
    shown = {node.get("name") for node in nodes if node.tag == "field"}
    named = set()
    for node in nodes:
        for attribute in _MODIFIERS:
            expression = node.get(attribute)
            if expression and expression not in ("0", "1", "True", "False"):
                try:
                    tree = ast.parse(expression.strip(), mode="eval")
                except SyntaxError:
                    continue
                named |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    hidden = "column_invisible" if root.tag == "tree" else "invisible"
    for name in sorted(named - shown):
        if name in model._fields:
            etree.SubElement(root, "field", {"name": name, hidden: "1"})


def arch(text, model=None):
    """A view's arch written for 18.0, for the running version (17.0: `<list>` is `<tree>`, in
    the view and in the xpath expressions of an inheriting view; `<chatter/>` is a div of the
    chatter's fields; fields its modifiers name are in the view of `model`)."""
    if ODOO_MAJOR != 17:
        return text
    root = etree.fromstring(text)
    for node in list(root.iter()):
        if node.tag == "list":
            node.tag = "tree"
        elif node.tag == "chatter":
            _chatter_17(node)
        if node.tag == "xpath" and node.get("expr"):
            node.set("expr", _LIST_IN_XPATH.sub("tree", node.get("expr")))
    _modifier_fields_17(root, model)
    return etree.tostring(root, encoding="unicode")


def _data_values(model, values):
    """The values of one record of the addon's data files, for the running version."""
    values = vals(model, values)
    if model._name == "ir.ui.view":
        if values.get("arch"):
            view_model = values.get("model")
            values["arch"] = arch(values["arch"], model.env[view_model] if view_model in
                                  model.env else None)
        if values.get("type") == "list":
            values["type"] = LIST_VIEW
    for key in ("view_mode", "binding_view_types"):
        if isinstance(values.get(key), str):
            values[key] = view_mode(values[key])
    return values


class Base(models.AbstractModel):
    """Every record the addon's XML and CSV data files create or update is written in 18.0's
    terms and adapted here to the running version (the loader calls `_load_records`)."""
    _inherit = "base"

    @api.model
    def _load_records(self, data_list, update=False, **kwargs):
        # `**kwargs`: 18.0 has `ignore_duplicates`, 17.0 and 19.0 do not.
        for data in data_list:
            if (data.get("xml_id") or "").startswith(MODULE + ".") and data.get("values"):
                data["values"] = _data_values(self, data["values"])
        return super()._load_records(data_list, update=update, **kwargs)


# ---------------------------------------------------------------------------- model classes
# 17.0's payments keep `company_id` on their journal entry (`_inherits` account.move,
# `addons/account/models/account_payment.py`), so no constraint of the payment's table can name
# it; 18.0 stores it on the payment. On 17 a transaction is unique across companies: a Shopify
# transaction belongs to one order of one shop, imported into one company.
PAYMENT_TRANSACTION_UNIQUE = "unique(shopify_transaction_gid)" if ODOO_MAJOR == 17 else \
    "unique(company_id, shopify_transaction_gid)"


# 17.0: a payment's state is its journal entry's (draft, posted, cancel); 18.0 gave payments
# their own (`addons/account/models/account_payment.py`: draft, in_process, paid, canceled,
# rejected), "in process" until matched with a bank statement or paid.
PAYMENT_BOOKED_STATES = ("posted",) if ODOO_MAJOR == 17 else ("in_process", "paid")


def payment_state(payment):
    """A payment's state in 18.0's terms (a posted 17.0 payment is "in process")."""
    if ODOO_MAJOR == 17:
        return {"posted": "in_process", "cancel": "canceled"}.get(payment.state, payment.state)
    return payment.state


def adapt_model_definitions(module):
    """19.0 ignores `_sql_constraints` (with a warning, `odoo/orm/model_classes.py`): each of
    the module's constraints becomes a `models.Constraint` of the same name, so the database
    constraint keeps its name (`<table>_<name>`) across versions."""
    if ODOO_MAJOR < 19:
        return
    for cls in models.MetaModel._module_to_models__.get(module, []):
        constraints = cls.__dict__.get("_sql_constraints")
        if not constraints:
            continue
        for name, definition, message in constraints:
            constraint = models.Constraint(definition, message)
            setattr(cls, f"_{name}", constraint)
            constraint.__set_name__(cls, f"_{name}")
        delattr(cls, "_sql_constraints")
