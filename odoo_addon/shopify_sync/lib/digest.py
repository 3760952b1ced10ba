"""Content hashes and advisory-lock keys (pure, no Odoo import).

The content hash is the SHA-256 of the canonical JSON (sorted keys, no whitespace), so the
same document always hashes the same whatever its key order. It is stored on bindings so an
echo of what was just synced is recognised and not pushed back (docs/contract.md,
"ProductDocument": `content_hash` and `synced_hash`).
"""
import hashlib
import json


def canonical_json(document):
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def content_hash(document, exclude=()):
    if isinstance(document, dict) and exclude:
        document = {k: v for k, v in document.items() if k not in exclude}
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def lock_key(key):
    """Signed 64-bit integer for pg_advisory_xact_lock from a text key like 'order:<gid>'."""
    raw = hashlib.sha256(key.encode("utf-8")).digest()[:8]
    return int.from_bytes(raw, "big", signed=True)
