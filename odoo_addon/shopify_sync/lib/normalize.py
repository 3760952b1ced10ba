"""Normalisation of identities coming from Shopify (pure, no Odoo import)."""
import re

_GID = re.compile(r"^gid://shopify/([A-Za-z]+)/([0-9]+)$")


def email(value):
    """Normalised email used for matching: trimmed and lower-case; None when empty/invalid.

    Matching is never done on names (contract: GID first, then normalised email).
    """
    if not value or not isinstance(value, str):
        return None
    value = value.strip().lower()
    if "@" not in value or value.startswith("@") or value.endswith("@"):
        return None
    return value


def gid(value, kind=None):
    """Validate a Shopify GID and return it; raise ValueError naming the problem."""
    if not isinstance(value, str):
        raise ValueError(f"expected a Shopify GID, got {value!r}")
    match = _GID.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a Shopify GID (gid://shopify/<Type>/<id>)")
    if kind and match.group(1) != kind:
        raise ValueError(f"{value!r} is not a {kind} GID")
    return value


def gid_numeric_id(value):
    """The numeric part of a GID as a string (never an int: ids exceed 2^53 in JS)."""
    match = _GID.match(value or "")
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
