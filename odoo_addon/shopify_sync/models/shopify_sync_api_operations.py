"""Contract area `operations`: the contract version, sync results written back, the bound
records and resyncs the sidecar's operators ask for, and the reports and health shown on
Shopify → Overview (docs/contract.md, "Operator methods")."""
import json
from datetime import timedelta

from odoo import api, fields, models, release
from odoo.exceptions import ValidationError

from ..lib import contract, timestamps

BINDING_MODELS = {"product.template", "res.partner", "sale.order", "stock.picking",
                  "account.move"}
BINDING_STATES = {"pending", "synced", "error", "ignored"}
RESYNC_MODELS = {"product.template", "product.product", "res.partner", "sale.order"}
BOUND_MODELS = {"product.template", "res.partner", "sale.order"}
REPORT_KINDS = {"reconciliation", "integrity"}
REPORT_PARAM = "shopify_sync.report.%s"
HEALTH_PARAM = "shopify_sync.sidecar_health"
HEALTH_FIELDS = {"alerts", "dlq_depth", "checked_at"}
HEALTH_REFRESH = timedelta(minutes=10)
MAX_ALERTS = 100
MAX_IDS = 5000


def validate_health(document):
    """The sidecar's health report (report_health's document), normalised; ValidationError
    naming the field otherwise."""
    if set(document) - HEALTH_FIELDS:
        raise ValidationError("report_health: unknown fields %s"
                              % sorted(set(document) - HEALTH_FIELDS))
    alerts = document.get("alerts")
    depth = document.get("dlq_depth")
    checked = document.get("checked_at")
    if not isinstance(alerts, list) or len(alerts) > MAX_ALERTS:
        raise ValidationError(f"report_health: alerts must be a list of at most {MAX_ALERTS}")
    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 0:
        raise ValidationError("report_health: dlq_depth must be a non-negative integer")
    if not isinstance(checked, str) or timestamps.parse_iso(checked) is None:
        raise ValidationError("report_health: checked_at must be an ISO 8601 timestamp")
    clean = []
    for alert in alerts:
        if not isinstance(alert, dict) or not isinstance(alert.get("key"), str) \
                or not isinstance(alert.get("summary"), str):
            raise ValidationError("report_health: each alert needs a key and a summary")
        since = alert.get("since")
        if since is not None and (not isinstance(since, str)
                                  or timestamps.parse_iso(since) is None):
            raise ValidationError("report_health: an alert's since must be an ISO 8601 timestamp")
        clean.append({"key": alert["key"][:200], "summary": alert["summary"][:500],
                      "since": since})
    return {"alerts": clean, "dlq_depth": depth, "checked_at": checked}


class ShopifySyncApi(models.AbstractModel):
    _inherit = "shopify.sync.api"

    @api.model
    def contract_version(self, document=None):
        """The versions, and the last sidecar contact. A sidecar that says which contract it
        speaks (`contract_version`) is refused when the majors differ (lib/contract.py)."""
        self = self._begin(document or {})
        document = document or {}
        spoken = document.get("contract_version")
        if spoken is not None and not contract.compatible(contract.CONTRACT_VERSION, spoken):
            raise ValidationError(
                f"contract_version: the sidecar speaks contract {spoken!r}, this addon speaks "
                f"{contract.CONTRACT_VERSION}; upgrade the older side")
        self._record_contact(document.get("sidecar_version") or "unknown")
        # Reading the installed module's version needs administrator rights.
        module = self.env["ir.module.module"].sudo().search([("name", "=", "shopify_sync")])
        return {
            "contract_version": contract.CONTRACT_VERSION,
            "addon_version": module.latest_version or module.installed_version,
            "odoo_version": release.version,
        }

    # ------------------------------------------------------------------ results
    @api.model
    def record_sync_result(self, document):
        self = self._begin(document)
        model = document.get("model")
        if model not in BINDING_MODELS:
            raise ValidationError(
                f"record_sync_result: model must be one of {sorted(BINDING_MODELS)}, got {model!r}")
        state = document.get("state")
        if state not in BINDING_STATES:
            raise ValidationError(
                f"record_sync_result: state must be one of {sorted(BINDING_STATES)}, got {state!r}")
        gid = document.get("shopify_gid")
        if gid:
            self._gid(document, "shopify_gid", None, "record_sync_result")
        res_id = document.get("res_id")
        record = self.env[model].with_context(active_test=False).browse(
            res_id if self._is_int(res_id) else 0).exists()
        if not record:
            raise ValidationError(f"record_sync_result: {model} {res_id!r} does not exist")
        self._lock(f"result:{model}:{record.id}")
        if model == "stock.picking" and gid and gid.startswith("gid://shopify/Return/"):
            # A return made in Odoo, now also a Shopify return: a binding field.
            record.sudo().with_context(shopify_sync_origin=True).write(
                {"shopify_return_gid": gid})
            gid = None
        elif model == "stock.picking" and gid:
            gids = [g for g in (record.shopify_fulfillment_gids or "").split(",") if g]
            if gid not in gids:
                gids.append(gid)
            # The fulfillment GIDs are binding fields the sidecar alone writes.
            record.sudo().with_context(shopify_sync_origin=True).write(
                {"shopify_fulfillment_gids": ",".join(gids)})
            gid = None
        record._shopify_set_result(state, message=document.get("message"), gid=gid,
                                   content_hash=document.get("content_hash"))
        for child in document.get("children") or []:
            self._record_variant_result(model, record, child)
        return {"ok": True}

    def _record_variant_result(self, model, record, child):
        if child.get("model") != "product.product":
            raise ValidationError("record_sync_result: children must be product.product")
        res_id = child.get("res_id")
        variant = self.env["product.product"].with_context(active_test=False).browse(
            res_id if self._is_int(res_id) else 0).exists()
        if not variant or variant.product_tmpl_id != record:
            raise ValidationError(
                f"record_sync_result: variant {child.get('res_id')!r} is not a variant "
                f"of {model} {record.id}")
        vals = {}
        for field, binding_field in (("shopify_gid", "shopify_variant_gid"),
                                     ("inventory_item_gid", "shopify_inventory_item_gid")):
            if child.get(field):
                vals[binding_field] = self._gid(
                    child, field, None, f"record_sync_result variant {variant.id}")
        if vals:
            # The variant and inventory item GIDs are binding fields the sidecar alone writes;
            # product managers only may write variants.
            variant.sudo().with_context(shopify_sync_origin=True).write(vals)

    # ------------------------------------------------------------------ operators
    @api.model
    def bound_records(self, document):
        """The records bound to Shopify (integrity check population, resync "all")."""
        self = self._begin(document)
        model = document.get("model")
        if model not in BOUND_MODELS:
            raise ValidationError(
                f"bound_records: model must be one of {sorted(BOUND_MODELS)}, got {model!r}")
        # The integrity check covers every binding, also records of companies the
        # integration user is not a member of.
        records = self.env[model].sudo().with_context(active_test=False).search(
            [("shopify_gid", "!=", False)], order="id")
        return {"records": [{"id": r.id, "shopify_gid": r.shopify_gid} for r in records]}

    def _resync_domain(self, model):
        # The full-resync wizard's populations (wizards/shopify_full_resync.py).
        if model in ("product.template", "product.product"):
            return ["|", ("shopify_gid", "!=", False),
                    "&", ("sale_ok", "=", True), ("type", "!=", "combo")]
        if model == "res.partner":
            return ["|", ("shopify_gid", "!=", False), ("shopify_sync", "=", True)]
        return [("shopify_gid", "!=", False)]

    @staticmethod
    def _resync_split(model, records):
        """(records to push, [{id, reason}] kept out): contacts by their push rule (res.partner
        `_shopify_push_verdict`), product templates by theirs (for sale, not a combo)."""
        if model == "res.partner":
            verdicts = {partner.id: partner._shopify_push_verdict() for partner in records}
        elif model == "product.template":
            verdicts = {t.id: (t._shopify_should_sync(), "not_for_sale") for t in records}
        else:
            return records, []
        skipped = [{"id": rid, "reason": why} for rid, (push, why) in verdicts.items() if not push]
        return records.filtered(lambda r: verdicts[r.id][0]), skipped

    @api.model
    def request_resync(self, document):
        """The sidecar's `resync` command, through the very methods behind Odoo's Resync
        buttons and the full-resync wizard, so both reach the same outbox events. Records the
        push rules keep out are listed in `skipped`; `dry_run` says what would be queued
        (`queued` then counts records) and queues nothing."""
        self = self._begin(document)
        model = document.get("model")
        if model not in RESYNC_MODELS:
            raise ValidationError(
                f"request_resync: model must be one of {sorted(RESYNC_MODELS)}, got {model!r}")
        ids = self._id_list(document, "ids", "request_resync", required=False, max_ids=MAX_IDS)
        dry_run = document.get("dry_run", False)
        if not isinstance(dry_run, bool):
            raise ValidationError("request_resync: dry_run must be true or false")
        Event = self.env["shopify.sync.event"]
        before = Event.search_count([])
        template_model = "product.template" if model == "product.product" else model
        # Like the Full resync wizard a manager runs: every record in scope, also those of
        # companies the integration user is not a member of.
        Records = self.env[template_model if ids is None else model].sudo()
        records = Records.search(self._resync_domain(model)) if ids is None \
            else Records.browse(ids).exists()
        missing = sorted(set(ids or []) - set(records.ids))
        records, skipped = self._resync_split(template_model if ids is None else model, records)
        if dry_run:
            count = len(records.product_variant_ids) if model == "product.product" and ids is None \
                else len(records)
            return {"queued": count, "missing_ids": missing, "skipped": skipped}
        if model == "product.product":
            variants = records if ids is not None else records.product_variant_ids
            warehouses = self.env["shopify.location.map"].search([]).warehouse_id
            variants.with_context(shopify_sync_origin=False)._shopify_emit_stock(warehouses)
        elif records:
            # The Resync button's own method (binding mixin / sale.order): forced events, pending.
            records.with_context(shopify_sync_origin=False).action_shopify_resync()
        return {"queued": Event.search_count([]) - before, "missing_ids": missing,
                "skipped": skipped}

    # ------------------------------------------------------------------ reports and health
    @api.model
    def store_report(self, document):
        """The latest reconciliation / integrity summary, shown on the Overview."""
        self = self._begin(document)
        kind = document.get("kind")
        if kind not in REPORT_KINDS:
            raise ValidationError(
                f"store_report: kind must be one of {sorted(REPORT_KINDS)}, got {kind!r}")
        summary = document.get("summary")
        if not isinstance(summary, dict) or not isinstance(summary.get("headline"), str):
            raise ValidationError("store_report: summary must be an object with a headline")
        value = {"created_at": fields.Datetime.to_string(fields.Datetime.now()),
                 "summary": summary}
        # Reports are stored as system parameters; the integration user is not a system user.
        self.env["ir.config_parameter"].sudo().set_param(REPORT_PARAM % kind, json.dumps(value))
        return {"ok": True}

    @api.model
    def report_health(self, document):
        """The sidecar's active alerts (a dead-letter queue above its threshold, a webhook
        topic silent too long), shown on Shopify → Overview. Stored as one system parameter,
        replaced whole; not rewritten while only `checked_at` changed and the stored report is
        younger than HEALTH_REFRESH (a parameter write clears Odoo's caches in every worker)."""
        self = self._begin(document)
        report = validate_health(document)
        # Stored as a system parameter; the integration user is not a system user.
        params = self.env["ir.config_parameter"].sudo()
        stored = params.get_param(HEALTH_PARAM)
        previous = json.loads(stored) if stored else None
        if self._health_changed(previous, report):
            params.set_param(HEALTH_PARAM, json.dumps(report, sort_keys=True))
        self._record_contact()
        return {"ok": True}

    @staticmethod
    def _health_changed(previous, report):
        if previous is None:
            return True
        same = {k: v for k, v in previous.items() if k != "checked_at"} == \
            {k: v for k, v in report.items() if k != "checked_at"}
        previous_at = timestamps.parse_iso(previous.get("checked_at"))
        return not same or previous_at is None or \
            timestamps.parse_iso(report["checked_at"]) - previous_at >= HEALTH_REFRESH
