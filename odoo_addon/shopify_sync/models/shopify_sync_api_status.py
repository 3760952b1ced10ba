"""Contract area `status`: what the sidecar tells Odoo so that a merchant sees everything in Odoo
(docs/contract.md, "report_failure" and "report_status").

- `report_failure`: a job the sidecar dead-lettered — an order it could not import, a push
  Shopify refused, a record Odoo refused — becomes a row of Shopify → Errors
  (shopify.sync.failure), linked to its Odoo record when there is one (whose binding then shows
  the error too), else kept with the Shopify number, amount and customer name.
- `report_status`: the sidecar's status snapshot (its version, Shopify API version, webhook
  subscriptions and last deliveries, backlog and dead letters per queue), shown on Shopify →
  Overview. The Overview's Test connection stores the same snapshot fetched live.
"""
from odoo import api, models
from odoo.exceptions import ValidationError

from ..lib import timestamps

FAILURE_KINDS = {"permanent", "retryable", "configuration"}
# Odoo models a dead letter may concern; a variant's failure is shown on its template.
FAILURE_MODELS = {"product.template", "product.product", "res.partner", "sale.order",
                  "stock.picking", "account.move"}
# Bound records found by the Shopify ID a dead letter names.
GID_MODELS = {"Order": "sale.order", "Customer": "res.partner", "Product": "product.template"}
MAX_MESSAGE = 2000
MAX_TEXT = 300
STATUS_KEYS = {"checked_at", "sidecar_version", "contract_version", "shopify", "webhooks",
               "queues", "onboarding"}
MAX_STATUS_ROWS = 200


def _text(document, field, label, required=False, limit=MAX_TEXT):
    value = document.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        kind = "non-empty string" if required else "string"
        raise ValidationError(f"{label}: {field} must be a {kind}")
    return value[:limit]


class ShopifySyncApi(models.AbstractModel):
    _inherit = "shopify.sync.api"

    # ------------------------------------------------------------------ report_failure
    @api.model
    def report_failure(self, document):
        """A dead-lettered job as a row of Shopify → Errors; see the module docstring."""
        self = self._begin(document)
        facts = self._failure_facts(document)
        record = self._failure_record(document)
        Failure = self.env["shopify.sync.failure"]
        if record is not None:
            identity = f"record:{record._name}:{record.id}"
        elif facts["shopify_gid"]:
            identity = f"shopify:{facts['shopify_gid']}"
        else:
            identity = f"job:{facts['queue']}:{facts['job_key'] or document.get('job_id')}"
        self._lock(f"failure:{identity}")
        message = facts.pop("message")
        vals = dict(Failure._explained(message), source="sidecar", **facts)
        if record is not None:
            vals.update(res_model=record._name, res_id=record.id, record_name=record.display_name,
                        shopify_gid=facts["shopify_gid"] or record.shopify_gid or False)
            # The record's Shopify tab shows the error too (unless a flow already put the
            # record in error with its own, more precise reason); its Errors row is below.
            if record.shopify_state != "error":
                record.with_context(shopify_failure_written=True)._shopify_set_result(
                    "error", message=message)
        failure = Failure._upsert(identity, vals, job_id=document["job_id"],
                                  attempt=document["attempt"])
        return {"failure_id": failure.id, "state": failure.state}

    def _failure_facts(self, document):
        """The document's checked fields as the failure row's values."""
        label = "report_failure"
        _text(document, "queue", label, required=True, limit=64)
        _text(document, "job_id", label, required=True, limit=64)
        attempt = document.get("attempt")
        if not self._is_int(attempt) or attempt < 1:
            raise ValidationError(f"{label}: attempt must be a positive integer")
        if document.get("kind") not in FAILURE_KINDS:
            raise ValidationError(f"{label}: kind must be one of {sorted(FAILURE_KINDS)}, "
                                  f"got {document.get('kind')!r}")
        if timestamps.parse_iso(document.get("failed_at")) is None:
            raise ValidationError(f"{label}: failed_at must be an ISO 8601 timestamp")
        gid = document.get("shopify_gid")
        if gid:
            gid = self._gid(document, "shopify_gid", None, label)
        amount = document.get("amount")
        if amount is not None:
            # Read at the decimals of its currency (KWD 3, JPY none).
            amount = self._with_currency(document.get("currency"))._money(amount,
                                                                          f"{label} amount")
        return {
            "queue": document["queue"],
            "job_key": _text(document, "key", label),
            "message": _text(document, "message", label, required=True, limit=MAX_MESSAGE),
            "shopify_gid": gid or False,
            "shopify_name": _text(document, "order_name", label) or False,
            "amount": str(amount) if amount is not None else False,
            "currency": _text(document, "currency", label, limit=3) or False,
            "customer_name": _text(document, "customer_name", label) or False,
        }

    def _failure_record(self, document):
        """The Odoo record the dead letter concerns: named by the sidecar (an outbox job's
        model and id), or bound to its Shopify ID; None when Odoo has none."""
        model, res_id = document.get("res_model"), document.get("res_id")
        if model is not None:
            if model not in FAILURE_MODELS:
                raise ValidationError(f"report_failure: res_model must be one of "
                                      f"{sorted(FAILURE_MODELS)}, got {model!r}")
            if not self._is_int(res_id):
                raise ValidationError("report_failure: res_id must be an integer with res_model")
            # Any company's record: the dead letter is shown wherever it belongs.
            record = self.env[model].sudo().with_context(active_test=False).browse(res_id).exists()
            if record and model == "product.product":
                record = record.product_tmpl_id
            if record:
                return record.with_env(self.env)
        gid = document.get("shopify_gid") or ""
        parts = gid.split("/")
        target = GID_MODELS.get(parts[3]) if len(parts) == 5 else None
        if target:
            # Same: the bound record of any company.
            record = self.env[target].sudo().with_context(active_test=False).search(
                [("shopify_gid", "=", gid)], limit=1)
            if record:
                return record.with_env(self.env)
        return None

    # ------------------------------------------------------------------ report_status
    @api.model
    def report_status(self, document):
        """The sidecar's status snapshot for Shopify → Overview (replaced whole)."""
        self = self._begin(document)
        self.env["shopify.sync.overview"]._store_status(validate_status(document))
        self._record_contact(document.get("sidecar_version"))
        return {"ok": True}


def validate_status(document):
    """The status snapshot, checked (ValidationError naming the field); shared with Test
    connection, which stores the same document fetched from the sidecar's admin API."""
    label = "report_status"
    if not isinstance(document, dict):
        raise ValidationError(f"{label}: the document must be a JSON object")
    unknown = set(document) - STATUS_KEYS
    if unknown:
        raise ValidationError(f"{label}: unknown fields {sorted(unknown)}")
    if timestamps.parse_iso(document.get("checked_at")) is None:
        raise ValidationError(f"{label}: checked_at must be an ISO 8601 timestamp")
    for field in ("sidecar_version", "contract_version"):
        _text(document, field, label, required=True, limit=64)
    for field in ("shopify", "webhooks", "onboarding"):
        if not isinstance(document.get(field), dict):
            raise ValidationError(f"{label}: {field} must be an object")
    queues = document.get("queues")
    topics = document["webhooks"].get("topics")
    for field, rows in (("queues", queues), ("webhooks.topics", topics)):
        if not isinstance(rows, list) or len(rows) > MAX_STATUS_ROWS \
                or not all(isinstance(row, dict) for row in rows):
            raise ValidationError(
                f"{label}: {field} must be a list of at most {MAX_STATUS_ROWS} objects")
    for row in queues:
        _text(row, "queue", f"{label} queues", required=True, limit=64)
        for count in ("waiting", "dead_letters"):
            value = row.get(count)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValidationError(f"{label}: queue {row['queue']}: {count} must be a "
                                      "non-negative integer")
    return document
