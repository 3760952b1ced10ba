"""Normalisation of identities coming from Shopify (pure, no Odoo import).

`email()` and `gid()` are the rules the sidecar applies too (`sidecar/rules/email.ts`,
`sidecar/rules/gid.ts`); both sides are tested against `contract/rules/email.cases.json` and
`contract/rules/gid.cases.json`.
"""
import re

# fullmatch, not match + "$": "$" also matches before a trailing newline.
_GID = re.compile(r"gid://shopify/([A-Za-z]+)/([0-9]+)")


class GidError(ValueError):
    """A value that is not a Shopify GID (of the kind asked for); the message says which."""


def email(value):
    """Normalised email used for matching: trimmed and lower-case; None when empty, not a
    string, or not of the shape local@domain (an @ that is neither first nor last).

    Matching is never done on names (docs/contract.md: GID first, then normalised email).
    """
    if not isinstance(value, str):
        return None
    value = value.strip().lower()
    if "@" not in value or value.startswith("@") or value.endswith("@"):
        return None
    return value


def gid(value, kind=None):
    """The GID when valid (of `kind` when given); raise GidError naming the problem."""
    match = _GID.fullmatch(value) if isinstance(value, str) else None
    if not match:
        raise GidError(f"{value!r} is not a Shopify GID (gid://shopify/<Type>/<digits>)")
    if kind and match.group(1) != kind:
        raise GidError(f"{value!r} is not a {kind} GID")
    return value


def gid_numeric_id(value):
    """The numeric part of a GID as a string (never an int: ids exceed 2^53 in JS)."""
    match = _GID.fullmatch(value) if isinstance(value, str) else None
    return match.group(2) if match else None


def split_name(name):
    """Split a display name into (first, last) on the last space."""
    name = (name or "").strip()
    if not name:
        return "", ""
    if " " not in name:
        return name, ""
    first, last = name.rsplit(" ", 1)
    return first, last


def full_name(first, last, fallback=None):
    name = " ".join(p.strip() for p in (first or "", last or "") if p and p.strip())
    return name or fallback or ""
