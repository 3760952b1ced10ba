"""A sync failure in plain words: its kind, what happened and what to do (pure, no Odoo import).

The messages come from the addon itself (apply_order's ValidationErrors, held and flagged
orders, a cancellation after delivery) and from the sidecar (a dead letter's reason: its error
class and message, docs/operations.md "Errors in Odoo"). The first rule whose pattern matches
wins; the last one matches anything. Messages carry SKUs, order numbers and amounts, never
personal data (the contract's rule), so quoting them back is safe.

The templates are wrapped in `_` (identity here) so that Odoo's term extraction finds them; the
model translates them with `env._` before filling in the values.
"""
import re


def _(text):
    return text


CATEGORIES = [
    ("unknown_sku", _("Unknown SKU")),
    ("duplicate_sku", _("SKU used twice")),
    ("missing_sku", _("Line without SKU")),
    ("currency", _("Currency")),
    ("tax_mapping", _("Missing tax mapping")),
    ("tax_included", _("Tax included or not")),
    ("totals_differ", _("Totals differ")),
    ("lines_locked", _("Lines cannot change")),
    ("needs_return", _("Return needed")),
    ("not_found", _("Gone from Shopify")),
    ("shopify_refused", _("Refused by Shopify")),
    ("access", _("Access or credentials")),
    ("unreachable", _("Odoo or Shopify did not answer")),
    ("other", _("Other")),
]

# (category, pattern, reason template, fix template); `{name}` fields come from the pattern's
# named groups, `{message}` is the message's first line.
RULES = [
    ("unknown_sku", r'line (?P<line>\d+): SKU "(?P<sku>[^"]*)" is unknown in Odoo',
     _('Line {line}: no Odoo product has the SKU "{sku}" as Internal Reference.'),
     _('Create the product in Odoo with Internal Reference "{sku}", or correct the SKU of the '
       'product in Shopify. Then click Retry.')),
    ("duplicate_sku", r'line (?P<line>\d+): SKU "(?P<sku>[^"]*)" is used by several',
     _('Line {line}: several Odoo products have the Internal Reference "{sku}".'),
     _('Keep the Internal Reference "{sku}" on one product only (correct or archive the '
       'others). Then click Retry.')),
    ("missing_sku", r"line (?P<line>\d+): the line has no SKU",
     _("Line {line}: the Shopify product has no SKU, so Odoo cannot tell which product it is."),
     _("Give the product a SKU in Shopify equal to the Internal Reference of the Odoo "
       "product. Then click Retry.")),
    ("currency", r"shop currency (?P<shop>\w+) differs from the company currency (?P<odoo>\w+)",
     _("The shop sells in {shop}, the Odoo company works in {odoo}."),
     _("Use the same currency on both sides (the company currency in Odoo, or the shop "
       "currency in Shopify). Then click Retry.")),
    ("tax_mapping", r'no tax mapping for Shopify tax "(?P<title>[^"]*)" at rate (?P<rate>[\d.]+)',
     _('Shopify charged the tax "{title}" at rate {rate}, which is mapped to no Odoo tax.'),
     _('Create the tax mapping: "Create tax mapping" on the order, or Shopify > '
       'Configuration > Tax mapping. Then click Retry.')),
    ("tax_included", r"price-included but the order (?P<how>includes|excludes) taxes",
     _("The mapped Odoo tax and the shop disagree on whether prices include tax."),
     _("Map the Shopify tax to an Odoo tax that is included in the price when the shop's "
       "prices include tax (and not included otherwise). Then click Retry.")),
    ("totals_differ",
     r"Odoo total (?P<odoo>-?[\d.]+) differs from Shopify total_price (?P<shopify>-?[\d.]+)",
     _("Odoo computes a total of {odoo}; the customer paid {shopify} in Shopify."),
     _("Check the order's taxes, discounts and shipping against the Shopify order. When Odoo "
       "is right, confirm the order anyway; otherwise correct the mapping and Retry.")),
    ("lines_locked", r"lines could not be updated",
     _("The order changed in Shopify, but its lines in Odoo are already delivered or "
       "invoiced and could not follow."),
     _("Edit the order's lines in Odoo by hand to match Shopify.")),
    ("needs_return", r"cancelled in Shopify after delivery",
     _("The order was cancelled in Shopify after its goods left the warehouse."),
     _("Create a return for the delivered goods (and a credit note if the customer was "
       "refunded).")),
    ("not_found", r"does not exist in Shopify|deleted\?",
     _("The record no longer exists in Shopify."),
     _("Nothing to import: dismiss this error, or restore the record in Shopify and Retry.")),
    ("access",
     r"AccessError|AccessDenied|ConfigurationError|ShopifyAuthError|\b40[13]\b|Unauthorized",
     _("The integration was refused access: {message}"),
     _("Check the integration user's API key and access rights in Odoo, and the Shopify "
       "access token of the sidecar. Then click Retry.")),
    ("unreachable",
     r"RetryableError|NetworkError|TimeoutError|ECONNREFUSED|ETIMEDOUT|ECONNRESET|timed out|"
     r"\b50[234]\b|did not answer|Throttled",
     _("Odoo or Shopify did not answer in time, several times in a row: {message}"),
     _("Retry once both are up; if it keeps failing, tell whoever runs the sidecar.")),
    ("shopify_refused", r"userErrors|Shopify refused|ShopifyGraphQLError|ShopifyHttpError",
     _("Shopify refused the change: {message}"),
     _("Correct the record so that Shopify accepts it, then click Retry.")),
    ("other", r"",
     _("{message}"),
     _("Retry. If it fails again, send this message to whoever maintains the integration.")),
]
_COMPILED = [(category, re.compile(pattern), reason, fix)
             for category, pattern, reason, fix in RULES]
# "OdooPermanentError: order #1001 line 2: ..." → the part after the error class and label.
_PREFIX = re.compile(r"^(?:[A-Z]\w*Error: )?(?:orders?: )?(?:order #?\S+ (?:held: )?)?")


def first_line(message):
    """The message's first non-empty line without its error class and order label."""
    for line in str(message or "").splitlines():
        line = line.strip()
        if line:
            return _PREFIX.sub("", line, count=1).strip(" :") or line
    return ""


def explain(message):
    """(category, reason template, fix template, values) for a failure message.

    `values` fills both templates (`str.format`), after the caller has translated them.
    """
    text = str(message or "")
    for category, pattern, reason, fix in _COMPILED:
        match = pattern.search(text)
        if match:
            values = {key: value or "?" for key, value in match.groupdict().items()}
            values["message"] = first_line(text)
            return category, reason, fix, values
    raise AssertionError("the last rule matches every message")


def render(message, translate=None):
    """(category, reason, fix) as text, the templates passed through `translate` first."""
    translate = translate or (lambda text: text)
    category, reason, fix, values = explain(message)
    return category, translate(reason).format(**values), translate(fix).format(**values)
