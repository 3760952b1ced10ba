"""A small JSON Schema (draft 2020-12) checker for the contract schemas (pure Python).

It implements the keywords contract/schemas/*.schema.json use: type, enum, const, pattern,
minimum, minItems, required, properties, additionalProperties: false, items, anyOf, allOf,
if/then, $ref to #/$defs. The addon's tests use it to check both the documents they send and
the documents the addon returns; the sidecar validates the same files with a full validator.
"""
import json
import os
import re

SCHEMA_DIR = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                           "contract", "schemas"))
_TYPES = {
    "object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
}


def available():
    return os.path.isdir(SCHEMA_DIR)


def load(name):
    with open(os.path.join(SCHEMA_DIR, f"{name}.schema.json"), encoding="utf-8") as handle:
        return json.load(handle)


def _is_type(value, kind):
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[kind])


def errors(schema, value, root=None, path="$"):
    root = root or schema
    found = []
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        found += errors(root["$defs"][ref[len("#/$defs/"):]], value, root, path)
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, kind) for kind in kinds):
            return found + [f"{path}: expected {'/'.join(kinds)}, got {value!r}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        found.append(f"{path}: {value!r} != {schema['const']!r}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        found.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if "minimum" in schema and isinstance(value, (int, float)) and value < schema["minimum"]:
        found.append(f"{path}: {value} < {schema['minimum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            found.append(f"{path}: fewer than {schema['minItems']} items")
        if "items" in schema:
            for index, item in enumerate(value):
                found += errors(schema["items"], item, root, f"{path}[{index}]")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                found.append(f"{path}: missing {key!r}")
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                found += errors(properties[key], item, root, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                found.append(f"{path}: unexpected property {key!r}")
    if "anyOf" in schema and all(errors(s, value, root, path) for s in schema["anyOf"]):
        found.append(f"{path}: matches none of anyOf")
    for sub in schema.get("allOf", []):
        if "if" in sub:
            if not errors(sub["if"], value, root, path) and "then" in sub:
                found += errors(sub["then"], value, root, path)
        else:
            found += errors(sub, value, root, path)
    return found
