"""Customer bindings, customer hooks and the erasure (anonymisation) policy."""
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import compat
from ..lib import normalize

PARTNER_FIELDS = {
    "name", "email", "phone", "mobile", "street", "street2", "city", "zip", "state_id",
    "country_id", "active", "company_name", "shopify_sync",
}

# Personal fields cleared by erasure (docs/contract.md, "erase_customer"). country_id is kept for
# tax reporting; accounting documents keep their link to the partner record.
ERASED_FIELDS = [
    "email", "phone", "mobile", "street", "street2", "city", "zip", "state_id", "comment",
    "website", "function", "title", "ref", "vat", "company_name", "image_1920",
]


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "shopify.binding.mixin"]

    _shopify_admin_paths = {"Customer": "customers"}
    _shopify_push_event = ("customer.changed", "customer", "partner_id")

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

    def _shopify_erase(self, stats=None):
        """Anonymise the partners and their child addresses; keep accounting records.

        Policy (docs/operations.md, "Privacy requests"): a stored copy of every posted invoice
        is made first where Odoo can render one; names, e-mails, phones and addresses are
        cleared with tracking disabled, so the old values do not land in mail.tracking.value;
        chatter messages by, about or to the partners are emptied, tracked old values naming
        them on their documents deleted, followers, queued e-mails and their attachments
        removed; notes on their orders and deliveries cleared; the partners are archived,
        never unlinked (invoices reference them). `stats` receives what was done, counted.
        """
        stats = {} if stats is None else stats
        partners = self._shopify_erase_targets()
        traces = partners._shopify_erase_traces()
        partners._shopify_store_invoice_copies(stats)
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
        # Bank accounts not used by a payment go; a used one stays for the payment's record
        # (accounting records of any company, which the erasure reaches).
        env = self.sudo().env
        banks = env["res.partner.bank"].with_context(active_test=False).search(
            [("partner_id", "in", partners.ids)])
        used = env["account.payment"].search([("partner_bank_id", "in", banks.ids)]).partner_bank_id
        (banks - used).unlink()
        stats["bank_accounts"] = len(banks - used)
        partners._shopify_purge_chatter(traces, stats)
        partners._shopify_clear_documents(stats)
        partners._shopify_privacy_log()
        stats["partners"] = len(partners)
        return partners

    def _shopify_erase_targets(self):
        partners = (self | self.child_ids).with_context(
            active_test=False, tracking_disable=True, mail_notrack=True)
        return partners | partners.with_context(active_test=False).child_ids

    def _shopify_erase_traces(self):
        """What identified the partners before erasure: found again in their documents' tracking."""
        names = {name for name in self.mapped("name") if name and len(name) >= 3}
        emails = {email for email in self.mapped("email_normalized") if email}
        return {"names": names, "emails": emails}

    def _shopify_documents(self):
        """Their orders, invoices and deliveries."""
        # Any company's and owner's: the erasure reaches them all.
        env = self.sudo().env
        orders = env["sale.order"].search([("partner_id", "in", self.ids)])
        invoices = env["account.move"].search([
            ("partner_id", "in", self.ids), ("move_type", "in", ("out_invoice", "out_refund"))])
        pickings = env["stock.picking"].search([("partner_id", "in", self.ids)])
        return orders, invoices, pickings

    def _shopify_store_invoice_copies(self, stats):
        """Keeps the legally issued document: posted invoices without a stored PDF get one
        (account.move.send), where Odoo can render it; the others are named in `stats`."""
        _orders, invoices, _pickings = self._shopify_documents()
        posted = invoices.filtered(lambda move: move.state == "posted")
        stats["invoices_kept"] = len(invoices)
        stats["invoice_copies_stored"] = 0
        stats["invoice_copies_missing"] = []
        # Storing the legal copy is part of the erasure, whoever triggers it.
        Send = self.env["account.move.send"].sudo()
        for move in posted.filtered(lambda m: not m.invoice_pdf_report_id):
            data = {move: compat.invoice_sending_data(Send, move)}
            try:
                with self.env.cr.savepoint():
                    Send._generate_invoice_documents(data)
            except (UserError, ValueError, OSError) as exc:
                data[move]["error"] = str(exc)
            if move.invoice_pdf_report_id and not data[move].get("error"):
                stats["invoice_copies_stored"] += 1
            else:
                stats["invoice_copies_missing"].append(move.name)

    def _shopify_purge_chatter(self, traces, stats):
        """Messages by, about or to the partners, tracked old values naming them on their
        documents, their followers, queued e-mails and their attachments."""
        # Chatter of other users and system records (tracking, followers, mails): only
        # administrators may change them, and erasure must reach them all.
        env = self.sudo().env
        Message = env["mail.message"]
        domain = ["|", "|", ("author_id", "in", self.ids), ("partner_ids", "in", self.ids),
                  "&", ("model", "=", "res.partner"), ("res_id", "in", self.ids)]
        for email in traces["emails"]:
            domain = ["|", ("email_from", "ilike", email)] + domain
        messages = Message.search(domain)
        orders, invoices, pickings = self._shopify_documents()
        tracking = env["mail.tracking.value"].search(
            [("mail_message_id", "in", messages.ids)])
        tracking |= self._shopify_tracking_naming(traces, (orders, invoices, pickings))
        stats["tracking_values"] = len(tracking)
        tracking.unlink()
        legal = invoices.invoice_pdf_report_id
        attachments = messages.attachment_ids - legal
        attachments |= env["ir.attachment"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", self.ids)]) - legal
        stats["attachments"] = len(attachments)
        attachments.unlink()
        messages.write({"body": False, "email_from": False, "subject": False,
                        "reply_to": False})
        stats["messages"] = len(messages)
        followers = env["mail.followers"].search([("partner_id", "in", self.ids)])
        stats["followers"] = len(followers)
        followers.unlink()
        mail_domain = [("recipient_ids", "in", self.ids)]
        for email in traces["emails"]:
            mail_domain = ["|", ("email_to", "ilike", email)] + mail_domain
        mails = env["mail.mail"].search(mail_domain)
        stats["mails"] = len(mails)
        mails.unlink()

    def _shopify_tracking_naming(self, traces, documents):
        """Tracked old or new values that name the partners (a changed customer on an order
        tracks its display name) on `documents` (a recordset per model)."""
        # Tracking values are system records (see _shopify_purge_chatter).
        Tracking = self.env["mail.tracking.value"].sudo()
        words = traces["names"] | traces["emails"]
        found = Tracking
        text = []
        for word in sorted(words):
            text = (["|"] if text else []) + text + [
                "|", ("old_value_char", "ilike", word), ("new_value_char", "ilike", word)]
        for records in documents:
            if records and text:
                found |= Tracking.search([("mail_message_id.model", "=", records._name),
                                          ("mail_message_id.res_id", "in", records.ids)] + text)
        return found

    def _shopify_clear_documents(self, stats):
        """Free text on their orders and deliveries; amounts, dates and taxes stay."""
        orders, _invoices, pickings = self._shopify_documents()
        orders.with_context(shopify_sync_origin=True, tracking_disable=True).write(
            {"note": False, "client_order_ref": False})
        with_notes = pickings.filtered("note")
        with_notes.with_context(tracking_disable=True).write({"note": False})
        stats["orders_cleared"] = len(orders)
        stats["pickings"] = len(with_notes)

    def _shopify_privacy_log(self):
        if "privacy.log" not in self.env:
            return
        for partner in self.filtered(lambda p: not p.parent_id):
            # privacy.log is written by administrators only (the privacy_lookup addon).
            self.env["privacy.log"].sudo().create({
                "anonymized_name": partner.name,
                "anonymized_email": "*",
                "execution_details": "Shopify customer erasure (shopify_sync)",
            })

    def action_shopify_erase(self):
        """Manager action: a privacy request that erases the personal data here (at once, or
        once the customer's open orders are closed) and asks the sidecar to erase the
        customer in Shopify (outbox customer.erased); the request shows the outcome."""
        if not self.env.user.has_group("shopify_sync.group_shopify_manager"):
            raise UserError(_("Only Shopify managers can erase customer data."))
        Request = self.env["shopify.privacy.request"]
        requests = Request
        for partner in self:
            requests |= Request._privacy_start_erasure(partner)
        action = {
            "type": "ir.actions.act_window",
            "name": _("Privacy requests"),
            "res_model": "shopify.privacy.request",
            "view_mode": compat.view_mode("list,form"),
            "domain": [("id", "in", requests.ids)],
        }
        if len(requests) == 1:
            action.update(view_mode="form", res_id=requests.id)
        return action
