"""ISO 8601 timestamps from the contract (pure, no Odoo import)."""
from datetime import datetime


def parse_iso(value):
    """An ISO 8601 timestamp as a naive UTC datetime (Odoo's convention), or None when empty
    or not a timestamp. One without offset is taken as UTC, so any two compare."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = (parsed - parsed.utcoffset()).replace(tzinfo=None)
    return parsed
