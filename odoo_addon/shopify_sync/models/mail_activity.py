"""Follow-up activities raised while the sidecar's call runs go to a person.

Odoo's own flows schedule activities for the current user, e.g. sale_stock's "the ordered
quantity decreased" on a delivery. During a sidecar call (context `shopify_sync_origin`, user
in the integration group) that user is the integration login nobody reads, so such an
activity is given to the configured responsible (Shopify settings), else to the record's
salesperson, else to the administrator.
"""
from odoo import api, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    @api.model_create_multi
    def create(self, vals_list):
        user = self.env.user
        if self.env.context.get("shopify_sync_origin") and \
                user.has_group("shopify_sync.group_shopify_integration"):
            for vals in vals_list:
                if vals.get("user_id", user.id) == user.id:
                    vals["user_id"] = self._shopify_responsible(vals).id
        return super().create(vals_list)

    @api.model
    def _shopify_responsible(self, vals):
        # The setting is a system parameter; the integration user is not a system user.
        configured = self.env["ir.config_parameter"].sudo().get_param(
            "shopify_sync.responsible_id")
        # Reading another user to hand over the activity needs no rights of the caller.
        Users = self.env["res.users"].sudo()
        responsible = Users.browse(int(configured)).exists() if configured else Users
        # Same: which model the activity is on (ir.model is readable by administrators only).
        model = self.env["ir.model"].sudo().browse(vals.get("res_model_id") or 0).exists()
        if not responsible and model.model in ("sale.order", "stock.picking"):
            # Same: the record's salesperson, whoever owns the record.
            record = self.env[model.model].sudo().browse(vals.get("res_id") or 0).exists()
            responsible = (record.sale_id if model.model == "stock.picking" else record).user_id
        return responsible or self.env.ref("base.user_admin")
