"""Exact money (pure, no Odoo import). docs/contract.md, "Money".

Amounts are in the document's currency, and exact in that currency's minor units (ISO 4217:
JPY has none, EUR two, KWD three; `minor_units`). Every function takes the currency's decimals
as `places` (2 when not given: the two-decimal currencies).

Two different operations live here, and they must not be mixed up:

- **Reading contract input** (`parse`, `cents`): a money string that crosses the contract
  ("12.50", "1980", "12.345") is converted exactly. More decimals than the currency has are
  accepted only when the extra digits are zeros ("12.500", "1980.0" yen); "12.345" in a
  two-decimal currency is refused with a `MoneyError` naming the field, never rounded: a rounded
  amount would make Odoo's totals differ from Shopify's without anyone seeing why. The sidecar
  applies the same rule (`sidecar/rules/money.ts`); both are tested against
  `contract/rules/money.cases.json`, table of minor units included.
- **Reporting amounts Odoo computed** (`odoo_cents`, `to_string`, `equal_to_cent`): Odoo
  stores monetary fields as floats rounded to the currency's precision; those values are
  rounded half-up at the currency's minor unit (as Odoo and Shopify both round) before they are
  compared or written into a contract document.
"""
import re
from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 list one, column "Minor unit": every currency whose minor unit is not 2 (the table of
# contract/rules/money.cases.json, which the sidecar's copy is tested against too).
MINOR_UNITS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}

# Digits with an optional sign and an optional fraction (no exponent, no thousands separator,
# at least one digit before the point): the contract's money pattern.
_AMOUNT = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")


class MoneyError(ValueError):
    """A value that is not a valid contract money string; the message names the field."""


def minor_units(currency):
    """The decimals of an ISO 4217 currency code (JPY 0, EUR 2, KWD 3); 2 when unknown."""
    return MINOR_UNITS.get(str(currency or "").upper(), 2)


def _word(places):
    return "two" if places == 2 else str(places)


def parse(value, field="amount", places=2):
    """The exact Decimal of a contract money value; None (an absent optional amount) is 0.

    Accepts a decimal string (surrounding spaces ignored) or an int. Refuses floats (they
    cannot carry amounts exactly), anything that is not a plain decimal, and more than `places`
    decimals unless the extra digits are zeros.
    """
    if value is None:
        return Decimal("0")
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"{field}: money must be a decimal string, got {value!r}")
    text = str(value).strip() if isinstance(value, (str, int)) else None
    match = _AMOUNT.fullmatch(text) if text is not None else None
    if not match:
        raise MoneyError(f'{field}: "{value}" is not a decimal amount')
    sign, units, decimals = match.group(1), match.group(2), match.group(3) or ""
    if decimals[places:].strip("0"):
        raise MoneyError(f'{field}: "{value}" has more than {_word(places)} decimals')
    kept = (decimals + "0" * places)[:places]
    return Decimal(f"{sign}{units}.{kept}" if places else f"{sign}{units}")


def cents(value, field="amount", places=2):
    """Integer minor units of a contract money value, exactly (`parse`'s rule; never rounded)."""
    return int(parse(value, field, places).scaleb(places))


def odoo_cents(amount, places=2):
    """Integer minor units of an amount Odoo computed (a float or Decimal), rounded half-up."""
    if isinstance(amount, float):
        amount = Decimal(repr(amount))
    return int(Decimal(amount).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
               .scaleb(places))


def format_cents(total, places=2):
    """1250 → "12.50"; -1 → "-0.01"; 1980 with 0 places → "1980"; 12345 with 3 → "12.345"."""
    sign = "-" if total < 0 else ""
    if not places:
        return f"{sign}{abs(total)}"
    units, rest = divmod(abs(total), 10 ** places)
    return f"{sign}{units}.{rest:0{places}d}"


def to_string(amount, places=2):
    """A contract money string with the currency's decimals for an amount Odoo computed."""
    return format_cents(odoo_cents(amount, places), places)


def equal_to_cent(odoo_amount, contract_amount, places=2):
    """True when an amount Odoo computed equals an exact contract amount at the minor unit."""
    return odoo_cents(odoo_amount, places) == cents(contract_amount, places=places)


def divide_exact(total_cents, quantity, places=2):
    """Unit price (a Decimal) of exact `total_cents` (minor units) over `quantity` when it needs
    no rounding, else None.

    Used to keep a refund line's quantity on the credit note only when the unit price is exact
    to the minor unit; otherwise the caller books the line as one unit of the total.
    """
    if not quantity:
        return None
    unit_cents, remainder = divmod(total_cents, quantity)
    if remainder:
        return None
    return to_decimal(unit_cents, places)


def to_decimal(total_cents, places=2):
    """Exact minor units as a Decimal with the currency's decimals (1250 → Decimal("12.50"))."""
    return Decimal(total_cents).scaleb(-places)
