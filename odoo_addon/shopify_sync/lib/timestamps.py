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


def age_text(now, then):
    """How long ago `then` was, in words an operator reads at a glance ("3 min", "2 h 5 min",
    "4 d 3 h"); "0 min" for the future. Both naive UTC datetimes."""
    seconds = max(0, int((now - then).total_seconds()))
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if days:
        return f"{days} d {hours % 24} h" if hours % 24 else f"{days} d"
    if hours:
        return f"{hours} h {minutes % 60} min" if minutes % 60 else f"{hours} h"
    return f"{minutes} min" if minutes else f"{seconds} s"
