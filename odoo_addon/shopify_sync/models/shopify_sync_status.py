"""Read-only SQL view over every bound record: powers the Errors menu and the overview."""
from odoo import _, api, fields, models, tools

# (index, model, table, display-name SQL expression)
STATUS_SOURCES = [
    (1, "product.template", "product_template", "COALESCE(t.name->>'en_US', t.name::text)"),
    (2, "res.partner", "res_partner", "t.name"),
    (3, "sale.order", "sale_order", "t.name"),
    (4, "stock.picking", "stock_picking", "t.name"),
    (5, "account.move", "account_move", "t.name"),
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
        selects = [
            f"""SELECT t.id * 10 + {index} AS id, '{model}'::varchar AS model, t.id AS res_id,
                       ({name})::varchar AS name, t.shopify_gid, t.shopify_state AS state,
                       t.shopify_error AS error, t.shopify_synced_at AS synced_at
                  FROM {table} t WHERE t.shopify_state IS NOT NULL"""
            for index, model, table, name in STATUS_SOURCES
        ]
        self.env.cr.execute(
            f"CREATE OR REPLACE VIEW {self._table} AS ({' UNION ALL '.join(selects)})")

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # The view reads other models' binding columns: flush them before any query.
        self.env.flush_all()
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def _records(self):
        return [self.env[status.model].browse(status.res_id) for status in self]

    def action_retry(self):
        """Retry: push again to Shopify (products, customers, deliveries, credit notes) or
        re-import from Shopify (orders)."""
        if not self.env.user.has_group("shopify_sync.group_shopify_manager"):
            raise models.AccessError(_("Only Shopify managers can retry a sync."))
        # Managers retry any bound record, including orders of other salespeople.
        for record in self._records():
            record.sudo().action_shopify_resync()
        return True

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
