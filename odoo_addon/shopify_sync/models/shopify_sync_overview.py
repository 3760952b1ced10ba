"""Overview screen: counts by state per record type, outbox lag, last sidecar contact."""
from markupsafe import Markup, escape

from odoo import fields, models

from .shopify_sync_status import RECORD_TYPES


class ShopifySyncOverview(models.TransientModel):
    _name = "shopify.sync.overview"
    _description = "Shopify sync overview"

    summary_html = fields.Html(compute="_compute_overview", sanitize=False)
    pending_events = fields.Integer(compute="_compute_overview")
    leased_events = fields.Integer(compute="_compute_overview")
    oldest_pending_event = fields.Datetime(compute="_compute_overview")
    last_sidecar_contact = fields.Datetime(compute="_compute_overview")
    sidecar_version = fields.Char(compute="_compute_overview")
    error_count = fields.Integer(compute="_compute_overview")

    def _compute_overview(self):
        Status = self.env["shopify.sync.status"].sudo()
        Event = self.env["shopify.sync.event"].sudo()
        params = self.env["ir.config_parameter"].sudo()
        counts = Status._counts()
        states = ["pending", "synced", "error", "ignored"]
        rows = []
        for model, label in RECORD_TYPES:
            by_state = counts.get(model, {})
            cells = "".join(f"<td>{by_state.get(state, 0)}</td>" for state in states)
            rows.append(f"<tr><td>{escape(label)}</td>{cells}</tr>")
        head = "".join(f"<th>{state.title()}</th>" for state in states)
        html = Markup(
            "<table class='table table-sm'><thead><tr><th>Record type</th>"
            + head + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
        oldest = Event.search([("state", "=", "pending")], order="id asc", limit=1)
        last = params.get_param("shopify_sync.last_contact_at")
        for overview in self:
            overview.summary_html = html
            overview.pending_events = Event.search_count([("state", "=", "pending")])
            overview.leased_events = Event.search_count([("state", "=", "leased")])
            overview.oldest_pending_event = oldest.created_at or False
            overview.last_sidecar_contact = fields.Datetime.to_datetime(last) if last else False
            overview.sidecar_version = params.get_param("shopify_sync.last_sidecar_version") or False
            overview.error_count = Status.search_count([("state", "=", "error")])

    def action_open_errors(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "shopify_sync.action_shopify_sync_status_errors")

    def action_open_events(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "shopify_sync.action_shopify_sync_event")
