"""The shared rule cases both the sidecar and the addon are tested with (contract/rules/)."""
import json
import os

RULES_DIR = os.path.normpath(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "contract", "rules"))


def load(rule):
    """The parsed `<rule>.cases.json`; a missing file is an error, never a skipped test."""
    path = os.path.join(RULES_DIR, f"{rule}.cases.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
