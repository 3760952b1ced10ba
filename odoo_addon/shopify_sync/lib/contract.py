"""The sidecar ⟷ addon contract version (pure, no Odoo import). docs/contract.md.

The sidecar applies the same rule with the same current version
(`sidecar/rules/contract-version.ts`); both are tested against
`contract/rules/contract-version.cases.json`.
"""
import re

# The contract this addon speaks: MAJOR.MINOR. A minor adds optional fields and methods only.
CONTRACT_VERSION = "1.9"

_VERSION = re.compile(r"([0-9]+)\.([0-9]+)")


def compatible(a, b):
    """True when two MAJOR.MINOR versions have equal majors; anything else is incompatible."""
    first = _VERSION.fullmatch(a) if isinstance(a, str) else None
    second = _VERSION.fullmatch(b) if isinstance(b, str) else None
    return bool(first and second) and int(first.group(1)) == int(second.group(1))
