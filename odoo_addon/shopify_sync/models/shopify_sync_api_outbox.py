"""Contract area `outbox`: the sidecar leases the outbox's events and acknowledges them
(docs/contract.md, "OutboxEvent")."""
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


class ShopifySyncApi(models.AbstractModel):
    _inherit = "shopify.sync.api"

    @api.model
    def pull_events(self, document=None):
        self = self._begin(document or {})
        document = document or {}
        limit = document.get("limit", 100)
        lease = document.get("lease_seconds", 60)
        if not self._is_int(limit) or not 1 <= limit <= 1000:
            raise ValidationError("pull_events: limit must be an integer from 1 to 1000")
        if not self._is_int(lease) or not 1 <= lease <= 3600:
            raise ValidationError("pull_events: lease_seconds must be an integer from 1 to 3600")
        self._record_contact()
        self.env["shopify.sync.event"].flush_model()
        events = self.env["shopify.sync.event"]._lease(limit, lease)
        return {"events": [event._to_document() for event in events]}

    @api.model
    def ack_events(self, document):
        self = self._begin(document)
        uuids = document.get("uuids")
        if not isinstance(uuids, list) or not all(isinstance(u, str) for u in uuids):
            raise ValidationError("ack_events: uuids must be a list of strings")
        if not uuids:
            return {"acknowledged": 0}
        self.env.cr.execute(SQL(
            """UPDATE shopify_sync_event SET state = 'done', acked_at = %s, lease_until = NULL
                WHERE uuid = ANY(%s) AND state != 'done'""",
            fields.Datetime.now(), uuids))
        count = self.env.cr.rowcount
        self.env["shopify.sync.event"].invalidate_model(["state", "acked_at", "lease_until"])
        return {"acknowledged": count}
