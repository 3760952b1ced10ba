"""Read-only SQL view over every bound record: powers the Errors menu and the overview."""
from odoo import _, api, fields, models, tools
from odoo.tools import SQL

# (index, model, table, display-name SQL expression): fixed strings, never user input.
STATUS_SOURCES = [
    (1, "product.template", "product_template",
     SQL("COALESCE(t.name->>'en_US', t.name::text)")),
    (2, "res.partner", "res_partner", SQL("t.name")),
    (3, "sale.order", "sale_order", SQL("t.name")),
    (4, "stock.picking", "stock_picking", SQL("t.name")),
    (5, "account.move", "account_move", SQL("t.name")),
]
RECORD_TYPES = [
    ("product.template", "Product"),
    ("res.partner", "Customer"),
    ("sale.order", "Sales order"),
    ("stock.picking", "Delivery"),
    ("account.move", "Credit note"),
]


class ShopifySyncStatus(models.Model):
    _name = "shopify.sync.status"
    _description = "Shopify sync status of bound records"
    _auto = False
    _order = "synced_at desc nulls last, id desc"

    model = fields.Selection(RECORD_TYPES, string="Record type", readonly=True)
    res_id = fields.Integer(readonly=True)
    name = fields.Char(readonly=True)
    shopify_gid = fields.Char(string="Shopify ID", readonly=True)
    state = fields.Selection(
        [("pending", "Pending"), ("synced", "Synced"), ("error", "Error"),
         ("ignored", "Ignored")], readonly=True)
    error = fields.Text(readonly=True)
    synced_at = fields.Datetime(string="Last sync", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        selects = SQL(" UNION ALL ").join(
            SQL(
                """SELECT t.id * 10 + %s AS id, %s::varchar AS model, t.id AS res_id,
                          (%s)::varchar AS name, t.shopify_gid, t.shopify_state AS state,
                          t.shopify_error AS error, t.shopify_synced_at AS synced_at
                     FROM %s t WHERE t.shopify_state IS NOT NULL""",
                index, model, name, SQL.identifier(table))
            for index, model, table, name in STATUS_SOURCES
        )
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)",
                                SQL.identifier(self._table), selects))

    @api.model
    def _search(self, domain, *args, **kwargs):
        # The view reads other models' binding columns: flush them before any query. (The
        # arguments differ between Odoo versions: 19 adds active_test and bypass_access.)
        self.env.flush_all()
        return super()._search(domain, *args, **kwargs)

    def _records(self):
        return [self.env[status.model].browse(status.res_id) for status in self]

    def action_retry(self):
        """Retry: push again to Shopify (products, customers, deliveries, credit notes) or
        re-import from Shopify (orders)."""
        if not self.env.user.has_group("shopify_sync.group_shopify_manager"):
            raise models.AccessError(_("Only Shopify managers can retry a sync."))
        records = self._records()
        for record in records:
            # A manager retries any bound record, also orders of other salespeople.
            record.sudo().action_shopify_resync()
        names = ", ".join(r.display_name for r in records[:5]) + ("…" if len(records) > 5 else "")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": _("Retry queued"),
                       "message": _("%(count)s record(s) queued for the sidecar again: "
                                    "%(names)s. They show Pending until it answers.",
                                    count=len(records), names=names),
                       "type": "success", "sticky": False,
                       "next": {"type": "ir.actions.client", "tag": "soft_reload"}},
        }

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.model,
            "res_id": self.res_id,
            "view_mode": "form",
            "target": "current",
        }

    @api.model
    def _counts(self):
        """{record type: {state: count}} for the overview."""
        result = {}
        for model, state, count in self._read_group([], ["model", "state"], ["__count"]):
            result.setdefault(model, {})[state] = count
        return result
