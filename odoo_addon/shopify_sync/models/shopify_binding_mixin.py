"""Binding mixin: Shopify identity and sync status stored on the Odoo record itself.

Every synced record (product template, partner, sale order, picking, credit note) carries
the same fields: the shop, the Shopify GID, a state, the last error, the last sync time and
the hash of the last synced content. The database enforces one GID per shop and model.
"""
from odoo import _, api, fields, models

from .. import compat
from ..lib import explain

BINDING_STATES = [
    ("pending", "Pending"),
    ("synced", "Synced"),
    ("error", "Error"),
    ("ignored", "Ignored"),
]

# Fields the sidecar writes back; writing them never counts as a business change.
BINDING_FIELDS = {
    "shopify_shop", "shopify_gid", "shopify_state", "shopify_error", "shopify_synced_at",
    "shopify_hash", "shopify_sync",
}


class ShopifyBindingMixin(models.AbstractModel):
    _name = "shopify.binding.mixin"
    _description = "Shopify binding (identity and sync status)"

    shopify_shop = fields.Char(
        string="Shopify shop", copy=False, index=True,
        help="Shop domain (example.myshopify.com) this record is bound to.")
    shopify_gid = fields.Char(string="Shopify ID", copy=False, index=True,
                              help="Shopify GID, e.g. gid://shopify/Product/123.")
    shopify_state = fields.Selection(BINDING_STATES, string="Shopify status", copy=False,
                                     index=True)
    shopify_error = fields.Text(string="Shopify error", copy=False)
    shopify_synced_at = fields.Datetime(string="Last Shopify sync", copy=False)
    shopify_hash = fields.Char(string="Shopify content hash", copy=False)
    shopify_admin_url = fields.Char(string="Open in Shopify", compute="_compute_shopify_admin_url")
    shopify_error_reason = fields.Text(string="What happened",
                                       compute="_compute_shopify_error_words")
    shopify_error_fix = fields.Text(string="What to do", compute="_compute_shopify_error_words")

    _sql_constraints = [
        ("shopify_gid_shop_uniq", "unique(shopify_shop, shopify_gid)",
         "This Shopify ID is already bound to another record of this shop."),
    ]

    # Path segment of the Shopify admin for each GID type.
    _shopify_admin_paths = {
        "Product": "products", "Customer": "customers", "Order": "orders",
    }

    @api.model
    def _shopify_default_shop(self):
        # The shop domain is a system parameter; bindings are written for any user.
        params = self.env["ir.config_parameter"].sudo()
        return params.get_param("shopify_sync.shop_domain") or False

    @api.depends("shopify_gid", "shopify_shop")
    def _compute_shopify_admin_url(self):
        for record in self:
            url = False
            gid = record.shopify_gid or ""
            parts = gid.split("/")
            if gid.startswith("gid://shopify/") and len(parts) == 5 and record.shopify_shop:
                path = self._shopify_admin_paths.get(parts[3])
                if path:
                    url = f"https://{record.shopify_shop}/admin/{path}/{parts[4]}"
            record.shopify_admin_url = url

    @api.depends("shopify_state", "shopify_error")
    def _compute_shopify_error_words(self):
        for record in self:
            reason = fix = False
            if record.shopify_error:
                _category, reason, fix = explain.render(record.shopify_error,
                                                        compat.translator(self.env))
            record.shopify_error_reason = reason
            record.shopify_error_fix = fix

    def _shopify_set_result(self, state, message=None, gid=None, content_hash=None):
        """Write a sync result without emitting outbox events (origin context)."""
        vals = {"shopify_state": state}
        if state == "synced":
            vals.update(shopify_error=False, shopify_synced_at=fields.Datetime.now())
        elif message is not None:
            vals["shopify_error"] = message
        if gid:
            vals["shopify_gid"] = gid
            if not all(self.mapped("shopify_shop")):
                vals["shopify_shop"] = self._shopify_default_shop()
        if content_hash:
            vals["shopify_hash"] = content_hash
        # Binding fields are the integration's bookkeeping, written whatever the record's
        # owner or company (the integration user may not write, e.g., a posted credit note).
        self.sudo().with_context(shopify_sync_origin=True, tracking_disable=True).write(vals)
        self._shopify_update_failures(state, message)

    def _shopify_update_failures(self, state, message):
        """Shopify → Errors follows the binding: an error opens (or counts) a row, a sync
        resolves it; an import failure of the record's Shopify ID is superseded either way."""
        if self.env.context.get("shopify_failure_written"):
            return
        Failure = self.env["shopify.sync.failure"]
        Failure._resolve(gids=self.mapped("shopify_gid"))
        if state == "error":
            for record in self:
                Failure._record_error(record, message)
        elif state in ("synced", "ignored"):
            Failure._resolve(self)

    def _shopify_mark_pending(self):
        """Show records whose change waits in the outbox as pending (no event, no tracking)."""
        todo = self.filtered(lambda r: r.shopify_state != "pending")
        if todo:
            # Any user's change marks its records pending; binding fields are bookkeeping.
            todo.sudo().with_context(shopify_sync_origin=True, tracking_disable=True).write(
                {"shopify_state": "pending"})

    # Records Odoo pushes to Shopify (product templates, partners): the outbox event a change
    # emits, as (event type, key prefix, the payload's id field). Other bindings leave it None.
    _shopify_push_event = None

    def _shopify_should_sync(self):
        """Whether a change of this record is pushed to Shopify (override)."""
        self.ensure_one()
        return True

    def _shopify_emit_changed(self, reason, force=False):
        """The outbox event of a pushed record's change, and its Pending status unless the
        sidecar itself wrote it (a forced event, e.g. Resync, is emitted whatever the record)."""
        event_type, key_prefix, id_field = self._shopify_push_event
        Event = self.env["shopify.sync.event"]
        for record in self:
            if force or record._shopify_should_sync():
                Event._emit(event_type, record, f"{key_prefix}:{record.id}",
                            {id_field: record.id, "reason": reason, "active": record.active},
                            force=force)
                if force or not self.env.context.get("shopify_sync_origin"):
                    record._shopify_mark_pending()

    def _shopify_resync_event(self):
        """Outbox event that asks the sidecar to push this record again (override when the
        record is not pushed as a change of its own)."""
        if not self._shopify_push_event:
            raise NotImplementedError
        self._shopify_emit_changed("resync", force=True)

    def action_shopify_resync(self):
        """'Resync to Shopify': emit an outbox event for each record (forced)."""
        compat.check_access(self, "read")
        for record in self:
            record.with_context(shopify_sync_origin=False)._shopify_resync_event()
        # Read access was checked above; the state is a binding field, not the user's data.
        self.sudo().with_context(shopify_sync_origin=True).write({"shopify_state": "pending"})
        self.env["shopify.sync.failure"]._mark_retrying(self)
        names = ", ".join(self[:5].mapped("display_name")) + ("…" if len(self) > 5 else "")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": _("Resync queued"),
                       "message": _("%(count)s record(s) queued for Shopify: %(names)s. Their "
                                    "Shopify status shows Pending until the sidecar answers.",
                                    count=len(self), names=names),
                       "type": "success", "sticky": False},
        }
