#!/usr/bin/env python3
"""Words in the repository (`make lint`): every comment and page points to something a reader of
the repository can open, and one spelling is used for one thing.

1. No reference to documents that are not in the repository: the product brief, issue numbers,
   research notes, the development guides. A comment says the reason in place or points to a
   `docs/` section.
2. Shopify's spelling "fulfillment"/"fulfill" everywhere (identifiers mirror Shopify's API, and
   prose uses the same word so a search finds both).

Exit 1 with one line per finding (file:line: what, and the text). `--self-test` shows that each
rule catches a bad line and passes a good one.
"""
import re
import subprocess
import sys

RULES = [
    ("cites a document outside the repository", re.compile(
        r"\bBRIEF\b|\b[Bb]rief(?:'s)? decision|\b[Ii]ssue #?\d+|\bresearch/|\.\./shared/"
        r"|\bshared/(?:research|fixtures|BRIEF)|DEVELOPERS\.md|STYLE\.md|odoo-dev\.md")),
    ("uses 'fulfil' (the spelling is Shopify's 'fulfill')",
     re.compile(r"[Ff]ulfil(?!l)|FULFIL(?!L)")),
]
# Files whose text is not ours to word: lockfiles, Shopify's own sample payloads, binaries.
SKIP = re.compile(r"(^|/)(package-lock\.json|fixtures/.*|.*\.(png|jpg|gz|ico|svg))$")


def check_text(path, text):
    findings = []
    for number, line in enumerate(text.splitlines(), 1):
        for what, pattern in RULES:
            match = pattern.search(line)
            if match:
                findings.append(f"{path}:{number}: {what}: {line.strip()[:120]}")
    return findings


def self_test():
    bad = ["// see BRIEF decision 7", "# issue 5 item 3", "* research/odoo.md says",
           "const fulfilment = 1", "FULFILMENT_X"]
    good = ["// see docs/flows.md, Inventory", "fulfillmentCreate", "a brief pause",
            "FULFILLMENT_NOTIFY_CUSTOMER"]
    missed = [line for line in bad if not check_text("x", line)]
    flagged = [line for line in good if check_text("x", line)]
    if missed or flagged:
        print(f"check_words self-test failed: missed {missed}, flagged {flagged}")
        return 1
    print("check_words self-test: OK")
    return 0


def main():
    if "--self-test" in sys.argv:
        return self_test()
    listed = ["git", "ls-files", "--cached", "--others", "--exclude-standard"]
    files = subprocess.check_output(listed, text=True).split("\n")
    findings = []
    for path in filter(None, files):
        if SKIP.search(path) or path == "scripts/check_words.py":
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                findings += check_text(path, handle.read())
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
    for finding in findings:
        print(finding)
    if findings:
        print(f"check_words: {len(findings)} finding(s)")
        return 1
    print("check_words: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
