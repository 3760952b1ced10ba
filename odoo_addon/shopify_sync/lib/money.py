"""Exact money for the contract (pure, no Odoo import).

Money crosses the contract as decimal strings in the shop currency ("12.50"); floats are
only produced at the ORM boundary, and comparisons are done in integer cents so that a
float such as 0.1 + 0.2 can never make two equal totals differ.
"""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


class MoneyError(ValueError):
    """A value that is not a valid contract money string."""


def parse(value, field="amount"):
    """Return a Decimal for a contract money value (string, int or None -> 0).

    Floats are refused: the contract forbids them because they cannot carry cents exactly.
    """
    if value is None or value == "":
        return Decimal("0")
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"{field}: money must be a decimal string, got {value!r}")
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"{field}: {value!r} is not a decimal amount") from exc
    if not result.is_finite():
        raise MoneyError(f"{field}: {value!r} is not a finite amount")
    return result


def quantize(value, exp=CENT):
    """Round half-up to the cent (Shopify and Odoo both round money half-up)."""
    return Decimal(value).quantize(exp, rounding=ROUND_HALF_UP)


def to_string(value, exp=CENT):
    """Format a Decimal/float/int as a contract money string with two decimals."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    return str(quantize(Decimal(value), exp))


def cents(value):
    """Integer cents of a money value (after half-up rounding)."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    return int(quantize(Decimal(value)) * 100)


def equal_to_cent(a, b):
    """True when two amounts are equal once rounded to the cent."""
    return cents(a) == cents(b)


def divide_exact(total, quantity):
    """Unit price of `total` over `quantity` if it is exact to the cent, else None."""
    total = parse(total)
    if not quantity:
        return None
    unit = total / Decimal(quantity)
    if quantize(unit) * quantity == total:
        return quantize(unit)
    return None
