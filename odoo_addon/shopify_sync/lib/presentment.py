"""A document booked in the customer's (presentment) currency (docs/flows.md, "Currencies"):
the amounts of its `presentment` laid over its shop amounts. The rule of
contract/rules/presentment.cases.json, mirrored by the sidecar's rules/presentment.ts."""
import copy


def split(document):
    """(the document without `presentment`, its `presentment` or None)."""
    document = dict(document or {})
    return document, document.pop("presentment", None)


def _merge(target, overlay, where):
    for key, value in overlay.items():
        field = f"{where} {key}"
        if key not in target:
            raise ValueError(f"{field}: not in the document")
        if isinstance(value, dict):
            if not isinstance(target[key], dict):
                raise ValueError(f"{field}: not an object in the document")
            _merge(target[key], value, field)
        elif isinstance(value, list):
            items = target[key]
            if not isinstance(items, list) or len(items) != len(value):
                count = len(items) if isinstance(items, list) else 0
                raise ValueError(f"{field}: {len(value)} entries for {count} in the document")
            for index, (item, patch) in enumerate(zip(items, value), start=1):
                if not isinstance(item, dict) or not isinstance(patch, dict):
                    raise ValueError(f"{field} {index}: not an object")
                _merge(item, patch, f"{field} {index}")
        else:
            target[key] = value


def overlay(document, presentment):
    """The document in presentment money: a new document, `currency` the presentment's.
    Raises ValueError naming the field when the presentment does not fit the document."""
    booked = copy.deepcopy(split(document)[0])
    patch = dict(presentment or {})
    currency = patch.pop("currency", None)
    if not isinstance(currency, str) or len(currency) != 3:
        raise ValueError("presentment currency: not an ISO 4217 code")
    _merge(booked, patch, "presentment")
    booked["currency"] = currency
    return booked
