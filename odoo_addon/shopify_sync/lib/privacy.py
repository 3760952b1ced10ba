"""Privacy requests (pure, no Odoo import): the 30-day due date, the readable summary of a data
export, and the outcome lines of an erasure. docs/operations.md, "Privacy requests"."""
from datetime import timedelta

# Shopify: "Complete the action within 30 days of receiving the request".
DUE_DAYS = 30

SUMMARY_SECTIONS = [
    ("partners", "Contacts (the customer and their addresses)"),
    ("sale_orders", "Sales orders"),
    ("invoices", "Invoices and credit notes"),
    ("deliveries", "Deliveries and returns"),
    ("sync_events", "Sync events (outbox)"),
]


def due_date(received_at):
    """The date a request received at `received_at` (a datetime, UTC) must be answered by."""
    return (received_at + timedelta(days=DUE_DAYS)).date()


def _line(record, fields):
    return ", ".join(f"{field}: {record[field]}" for field in fields
                     if record.get(field) not in (None, "", [], False))


def _section(title, records, fields):
    lines = [f"{title}: {len(records)}"]
    lines += [f"  - {_line(record, fields)}" for record in records]
    return lines


SECTION_FIELDS = {
    "partners": ("name", "type", "email", "phone", "street", "street2", "zip", "city",
                 "country", "shopify_gid"),
    "sale_orders": ("name", "shopify_name", "date_order", "state", "currency", "amount_total"),
    "invoices": ("name", "move_type", "state", "invoice_date", "currency", "amount_total",
                 "payment_state"),
    "deliveries": ("name", "picking_type", "state", "date_done"),
    "sync_events": ("type", "state", "created_at"),
}


def summary_text(export):
    """A plain-text summary of an export (what the JSON holds, readable by a person)."""
    request = export.get("request") or {}
    odoo = export.get("odoo") or {}
    sidecar = export.get("sidecar") or {}
    lines = [
        f"Personal data export {request.get('name', '')}".rstrip(),
        f"Shopify customer: {request.get('customer_gid') or 'not given'}",
        f"Shopify data request: {request.get('shopify_request_id') or 'not given'}",
        f"Received: {request.get('received_at', '')}; due: {request.get('due_date', '')}",
        "",
        "Held in Odoo",
    ]
    for key, title in SUMMARY_SECTIONS:
        lines += _section(title, odoo.get(key) or [], SECTION_FIELDS[key])
    payloads = sidecar.get("webhook_payloads") or []
    lines += ["", "Held by the sidecar",
              f"Stored webhook payloads: {len(payloads)}"]
    lines += [f"  - {p.get('topic')} received {p.get('received_at')}" for p in payloads]
    rows = sidecar.get("sync_rows") or []
    lines.append(f"Sync rows: {len(rows)}")
    lines += ["", "The complete data is in the JSON file of the same name."]
    return "\n".join(lines) + "\n"


def describe_counts(counts, labels):
    """`counts` ({key: n}) as one sentence in the order of `labels` ([(key, label)]), zeros
    left out; "nothing" when every count is zero."""
    parts = [f"{counts[key]} {label}" for key, label in labels if counts.get(key)]
    return ", ".join(parts) if parts else "nothing"
