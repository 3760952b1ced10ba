"""Customer bindings, customer hooks and the erasure (anonymisation) policy."""
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..lib import normalize

PARTNER_FIELDS = {
    "name", "email", "phone", "mobile", "street", "street2", "city", "zip", "state_id",
    "country_id", "active", "company_name", "shopify_sync",
}

# Personal fields cleared by erasure (docs/contract.md, "erase_customer"). country_id is kept for
# tax reporting; accounting documents keep their link to the partner record.
ERASED_FIELDS = [
    "email", "phone", "mobile", "street", "street2", "city", "zip", "state_id", "comment",
    "website", "function", "title", "ref", "vat",
]


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "shopify.binding.mixin"]

    _shopify_admin_paths = {"Customer": "customers"}

    shopify_sync = fields.Boolean(
        string="Sync to Shopify", copy=False,
        help="Push this contact to Shopify as a customer. Contacts already bound to a "
        "Shopify customer are always kept in sync.")
    shopify_erased = fields.Boolean(string="Erased (privacy)", copy=False, readonly=True)

    def _shopify_push_verdict(self):
        """(push?, why) for a resync of this contact, the go-live's included: bound to a
        Shopify customer or "Sync to Shopify" ticked → pushed; otherwise only a customer, i.e. a
        contact with a confirmed sale or a posted invoice, and never an internal user, the
        company itself, an employee or a vendor (docs/flows.md, "Which contacts are pushed")."""
        self.ensure_one()
        if self.shopify_erased:
            return False, "erased"
        if self.shopify_gid:
            return True, "bound"
        if self.shopify_sync:
            return True, "ticked"
        # Users, companies and employees of any company decide, whoever runs the resync.
        partner = self.sudo().with_context(active_test=False)
        if partner.user_ids.filtered(lambda user: not user.share):
            return False, "internal_user"
        if partner.env["res.company"].search_count([("partner_id", "=", partner.id)]):
            return False, "company"
        if "hr.employee" in self.env and partner.env["hr.employee"].search_count(
                [("work_contact_id", "=", partner.id)]):
            return False, "employee"
        if partner.supplier_rank > 0:
            return False, "vendor"
        sold = partner.customer_rank > 0 or partner.env["sale.order"].search_count(
            [("partner_id", "child_of", partner.id), ("state", "=", "sale")], limit=1)
        return (True, "customer") if sold else (False, "no_sale")

    def action_shopify_resync(self):
        """"Resync to Shopify" on contacts: only those the push rule lets through."""
        pushable = self.filtered(lambda partner: partner._shopify_push_verdict()[0])
        skipped = self - pushable
        if pushable:
            result = super(ResPartner, pushable).action_shopify_resync()
        else:
            result = {"type": "ir.actions.client", "tag": "display_notification",
                      "params": {"title": _("Nothing to push"), "message": "",
                                 "type": "warning", "sticky": False}}
        if skipped:
            params = result["params"]
            params["message"] = (params["message"] + "\n" if params["message"] else "") + _(
                "%(count)s contact(s) not pushed: internal users, employees, vendors and "
                "contacts without a sale are not Shopify customers. Tick \"Sync to Shopify\" "
                "on a contact to push it anyway.", count=len(skipped))
            params["type"] = "warning"
        return result

    def _shopify_should_sync(self):
        self.ensure_one()
        return (self.shopify_sync or bool(self.shopify_gid)) and not self.shopify_erased

    def _shopify_emit_changed(self, reason, force=False):
        Event = self.env["shopify.sync.event"]
        for partner in self:
            if force or partner._shopify_should_sync():
                Event._emit("customer.changed", partner, f"customer:{partner.id}",
                            {"partner_id": partner.id, "reason": reason,
                             "active": partner.active}, force=force)
                if force or not self.env.context.get("shopify_sync_origin"):
                    partner._shopify_mark_pending()

    def _shopify_resync_event(self):
        self._shopify_emit_changed("resync", force=True)

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        partners._shopify_emit_changed("create")
        return partners

    def write(self, vals):
        res = super().write(vals)
        if PARTNER_FIELDS.intersection(vals):
            reason = "archive" if vals.get("active") is False else "write"
            self._shopify_emit_changed(reason)
        return res

    @api.model
    def _shopify_find_by_email(self, email):
        email = normalize.email(email)
        if not email:
            return self.browse()
        return self.with_context(active_test=False).search(
            [("email_normalized", "=", email), ("shopify_erased", "=", False),
             ("parent_id", "=", False)], order="id", limit=1)

    def _shopify_erase(self):
        """Anonymise the partners and their child addresses; keep accounting records.

        Policy (docs/contract.md, "erase_customer"): tracking disabled so the old values do not land
        in mail.tracking.value; chatter messages authored by the partners are emptied;
        partners are archived, never unlinked (invoices reference them).
        """
        partners = (self | self.child_ids).with_context(
            active_test=False, tracking_disable=True, mail_notrack=True)
        partners = partners | partners.with_context(active_test=False).child_ids
        for partner in partners:
            numeric = normalize.gid_numeric_id(partner.shopify_gid) or str(partner.id)
            vals = {field: False for field in ERASED_FIELDS if field in partner._fields}
            vals.update({
                "name": _("Redacted customer %s", numeric),
                "shopify_erased": True,
                "shopify_sync": False,
                "active": False,
            })
            # Erasure is a legal duty: it reaches contacts of any company or owner.
            partner.sudo().with_context(
                shopify_sync_origin=True, tracking_disable=True, mail_notrack=True).write(vals)
        # Same: the privacy log below is written for every erased contact.
        partners_sudo = partners.sudo()
        # Chatter: messages written by or about these partners may quote PII; they are
        # other users' messages, which only administrators may change.
        messages = self.env["mail.message"].sudo().search([
            "|", ("author_id", "in", partners.ids),
            "&", ("model", "=", "res.partner"), ("res_id", "in", partners.ids)])
        messages.write({"body": False, "email_from": False, "subject": False})
        # Tracking values and followers are system records, deleted with administrator rights.
        self.env["mail.tracking.value"].sudo().search(
            [("mail_message_id", "in", messages.ids)]).unlink()
        # Same for followers (a follower row names the erased contact).
        self.env["mail.followers"].sudo().search(
            [("partner_id", "in", partners.ids)]).unlink()
        # The customer's notes on every order, also orders of other salespeople or companies.
        orders = self.env["sale.order"].sudo().search(
            [("partner_id", "in", partners.ids)])
        orders.with_context(shopify_sync_origin=True, tracking_disable=True).write(
            {"note": False, "client_order_ref": False})
        if "privacy.log" in self.env:
            for partner in partners_sudo.filtered(lambda p: not p.parent_id):
                # privacy.log is written by administrators only (the privacy_lookup addon).
                self.env["privacy.log"].sudo().create({
                    "anonymized_name": partner.name,
                    "anonymized_email": "*",
                    "execution_details": "Shopify customer erasure (shopify_sync)",
                })
        return partners

    def action_shopify_erase(self):
        """Manager action: erase personal data here and ask the sidecar to erase in Shopify."""
        if not self.env.user.has_group("shopify_sync.group_shopify_manager"):
            raise UserError(_("Only Shopify managers can erase customer data."))
        Event = self.env["shopify.sync.event"]
        for partner in self:
            gid = partner.shopify_gid
            partner._shopify_erase()
            if gid:
                Event._emit("customer.erased", partner, f"customer:{partner.id}",
                            {"partner_id": partner.id, "customer_gid": gid})
        return True
