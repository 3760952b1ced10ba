"""Exact money (pure, no Odoo import). docs/contract.md, "Money".

Two different operations live here, and they must not be mixed up:

- **Reading contract input** (`parse`, `cents`): a money string that crosses the contract
  ("12.50", in the shop currency) is converted exactly. More than two decimals are accepted
  only when the extra digits are zeros ("12.500"); "12.345" is refused with a `MoneyError`
  naming the field, never rounded: a rounded amount would make Odoo's totals differ from
  Shopify's without anyone seeing why. The sidecar applies the same rule
  (`sidecar/rules/money.ts`); both are tested against `contract/rules/money.cases.json`.
- **Reporting amounts Odoo computed** (`odoo_cents`, `to_string`, `equal_to_cent`): Odoo
  stores monetary fields as floats rounded to the currency's precision; those values are
  rounded half-up at the cent (as Odoo and Shopify both round) before they are compared or
  written into a contract document.
"""
import re
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# Digits with an optional sign and an optional fraction (no exponent, no thousands separator,
# at least one digit before the point): the contract's money pattern.
_AMOUNT = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")


class MoneyError(ValueError):
    """A value that is not a valid contract money string; the message names the field."""


def parse(value, field="amount"):
    """The exact Decimal of a contract money value; None (an absent optional amount) is 0.

    Accepts a decimal string (surrounding spaces ignored) or an int. Refuses floats (they
    cannot carry cents exactly), anything that is not a plain decimal, and more than two
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
    if decimals[2:].strip("0"):
        raise MoneyError(f'{field}: "{value}" has more than two decimals')
    return Decimal(f"{sign}{units}.{(decimals + '00')[:2]}")


def cents(value, field="amount"):
    """Integer cents of a contract money value, exactly (`parse`'s rule; never rounded)."""
    return int(parse(value, field) * 100)


def odoo_cents(amount):
    """Integer cents of an amount Odoo computed (a float or Decimal), rounded half-up."""
    if isinstance(amount, float):
        amount = Decimal(repr(amount))
    return int(Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP) * 100)


def format_cents(total):
    """1250 → "12.50"; -1 → "-0.01" (a contract money string from exact integer cents)."""
    sign = "-" if total < 0 else ""
    units, rest = divmod(abs(total), 100)
    return f"{sign}{units}.{rest:02d}"


def to_string(amount):
    """A contract money string with two decimals for an amount Odoo computed (half-up)."""
    return format_cents(odoo_cents(amount))


def equal_to_cent(odoo_amount, contract_amount):
    """True when an amount Odoo computed equals an exact contract amount at the cent."""
    return odoo_cents(odoo_amount) == cents(contract_amount)


def divide_exact(total_cents, quantity):
    """Unit price (a Decimal) of exact `total_cents` over `quantity` when it needs no
    rounding, else None.

    Used to keep a refund line's quantity on the credit note only when the unit price is exact
    to the cent; otherwise the caller books the line as one unit of the total.
    """
    if not quantity:
        return None
    unit_cents, remainder = divmod(total_cents, quantity)
    if remainder:
        return None
    return Decimal(unit_cents).scaleb(-2)


def to_decimal(total_cents):
    """Exact integer cents as a Decimal with two decimals (1250 → Decimal("12.50"))."""
    return Decimal(total_cents).scaleb(-2)
