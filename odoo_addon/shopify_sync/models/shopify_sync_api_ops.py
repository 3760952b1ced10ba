"""Operator contract methods (docs/contract.md "Operator methods"):

- ``order_status``: what Odoo holds for some Shopify orders (daily reconciliation);
- ``bound_records``: the records bound to Shopify (integrity check population, resync "all");
- ``request_resync``: the sidecar's `resync` command, through the very methods behind Odoo's
  Resync buttons and the full-resync wizard, so both reach the same outbox events;
- ``store_report``: the latest reconciliation / integrity summary, shown on the Overview.

Kept in its own file (contract-extension rule); `shopify.sync.api` plumbing is inherited.
"""
import json

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import money

RESYNC_MODELS = {"product.template", "product.product", "res.partner", "sale.order"}
BOUND_MODELS = {"product.template", "res.partner", "sale.order"}
REPORT_KINDS = {"reconciliation", "integrity"}
REPORT_PARAM = "shopify_sync.report.%s"
MAX_IDS = 5000


class ShopifySyncApiOps(models.AbstractModel):
    _inherit = "shopify.sync.api"

    @staticmethod
    def _id_list(document, field, label, required=True):
        ids = document.get(field)
        if ids is None and not required:
            return None
        if not isinstance(ids, list) or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise ValidationError(f"{label}: {field} must be a list of integers")
        if len(ids) > MAX_IDS:
            raise ValidationError(f"{label}: at most {MAX_IDS} {field} per call")
        return ids

    @api.model
    def order_status(self, document):
        self = self._begin(document)
        gids = document.get("order_gids")
        if not isinstance(gids, list) or not all(isinstance(g, str) for g in gids):
            raise ValidationError("order_status: order_gids must be a list of strings")
        if len(gids) > MAX_IDS:
            raise ValidationError(f"order_status: at most {MAX_IDS} order_gids per call")
        orders = self.env["sale.order"].sudo().with_context(active_test=False).search(
            [("shopify_gid", "in", gids)])
        by_gid = {}
        for order in orders:
            # Several orders for one GID would be a bug elsewhere; report the newest.
            if order.shopify_gid not in by_gid or order.id > by_gid[order.shopify_gid].id:
                by_gid[order.shopify_gid] = order
        result = []
        for gid in gids:
            order = by_gid.get(gid)
            if not order:
                result.append({"order_gid": gid, "found": False, "sale_order_id": None,
                               "name": None, "state": None, "amount_total": None,
                               "line_count": None})
                continue
            lines = order.order_line.filtered(lambda l: l.shopify_line_role == "product")
            result.append({
                "order_gid": gid, "found": True, "sale_order_id": order.id,
                "name": order.name, "state": order.state,
                "amount_total": money.to_string(order.amount_total),
                "line_count": len(lines),
            })
        return {"orders": result}

    @api.model
    def bound_records(self, document):
        self = self._begin(document)
        model = document.get("model")
        if model not in BOUND_MODELS:
            raise ValidationError(
                f"bound_records: model must be one of {sorted(BOUND_MODELS)}, got {model!r}")
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

    @api.model
    def request_resync(self, document):
        self = self._begin(document)
        model = document.get("model")
        if model not in RESYNC_MODELS:
            raise ValidationError(
                f"request_resync: model must be one of {sorted(RESYNC_MODELS)}, got {model!r}")
        ids = self._id_list(document, "ids", "request_resync", required=False)
        Event = self.env["shopify.sync.event"].sudo()
        before = Event.search_count([])
        env_model = "product.template" if model == "product.product" else model
        if ids is None:
            records = self.env[env_model].sudo().search(self._resync_domain(model))
        elif model == "product.product":
            records = self.env["product.product"].sudo().browse(ids).exists()
        else:
            records = self.env[env_model].sudo().browse(ids).exists()
        missing = sorted(set(ids or []) - set(records.ids))
        if model == "product.product":
            variants = records if ids is not None else records.product_variant_ids
            warehouses = self.env["shopify.location.map"].sudo().search([]).warehouse_id
            variants.with_context(shopify_sync_origin=False)._shopify_emit_stock(warehouses)
        elif records:
            # The Resync button's own method (binding mixin / sale.order): forced events, pending.
            records.with_context(shopify_sync_origin=False).action_shopify_resync()
        return {"queued": Event.search_count([]) - before, "missing_ids": missing}

    @api.model
    def store_report(self, document):
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
        self.env["ir.config_parameter"].sudo().set_param(REPORT_PARAM % kind, json.dumps(value))
        return {"ok": True}


class ShopifySyncOverviewReports(models.TransientModel):
    _inherit = "shopify.sync.overview"

    report_html = fields.Html(compute="_compute_report_html", sanitize=False,
                              string="Latest reports")

    def _compute_report_html(self):
        params = self.env["ir.config_parameter"].sudo()
        rows = []
        for kind in sorted(REPORT_KINDS):
            raw = params.get_param(REPORT_PARAM % kind)
            try:
                value = json.loads(raw) if raw else None
            except ValueError:
                value = None
            if not value:
                rows.append(Markup("<tr><td>%s</td><td colspan='2'>never run</td></tr>")
                            % kind.title())
                continue
            rows.append(Markup("<tr><td>%s</td><td>%s</td><td>%s</td></tr>") % (
                kind.title(), value.get("created_at", ""),
                (value.get("summary") or {}).get("headline", "")))
        html = Markup("<table class='table table-sm'><thead><tr><th>Report</th><th>Stored at"
                      "</th><th>Result</th></tr></thead><tbody>") + Markup("").join(rows) + \
            Markup("</tbody></table>")
        for overview in self:
            overview.report_html = html
