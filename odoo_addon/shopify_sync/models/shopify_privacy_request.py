"""Privacy requests: one record per GDPR/CCPA request, whatever started it (Shopify's compliance
webhooks through the sidecar, or "Erase personal data" in Odoo), with when it was received,
when it is due, who or which job did it, and the outcome (docs/operations.md, "Privacy
requests").

A request is done when every part of it is: Odoo's (the export, the anonymisation, the
unbinding), the sidecar's (its own stores purged) and, for an erasure started in Odoo,
Shopify's answer to `customerRequestDataErasure`. An erasure waits while the customer has open
orders (Shopify's rule): the request shows which, and the daily cron (or "Check again")
finishes it once they are closed. The people of the configured privacy group get an activity
with the due date whenever a person has something to do.
"""
import json
import uuid

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .. import compat
from ..lib import privacy as privacy_lib

KINDS = [
    ("data_request", "Data request (customers/data_request)"),
    ("customer_redact", "Customer erasure (customers/redact)"),
    ("shop_redact", "Shop erasure (shop/redact)"),
    ("erasure", "Erasure started in Odoo"),
]
STATES = [
    ("received", "Received"),
    ("waiting", "Waiting for open orders"),
    ("done", "Done"),
    ("error", "Failed"),
]
SHOPIFY_STATUSES = [
    ("requested", "Erasure requested in Shopify"),
    ("not_found", "No such customer in Shopify"),
    ("failed", "Refused by Shopify"),
]
# The kinds whose Odoo part is an anonymisation that waits for open orders.
ERASING_KINDS = ("customer_redact", "erasure")
PRIVACY_GROUP_PARAM = "shopify_sync.privacy_group_id"


class ShopifyPrivacyRequest(models.Model):
    _name = "shopify.privacy.request"
    _description = "Shopify privacy request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "received_at desc, id desc"

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    request_key = fields.Char(
        required=True, readonly=True, copy=False, index=True,
        help="The request's identity (e.g. webhook:<X-Shopify-Webhook-Id>): the same key is "
        "the same request, so handling it twice changes nothing.")
    kind = fields.Selection(KINDS, required=True, readonly=True)
    state = fields.Selection(STATES, required=True, default="received", readonly=True,
                             tracking=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True,
                                 default=lambda self: self.env.company)
    received_at = fields.Datetime(required=True, readonly=True)
    due_date = fields.Date(required=True, readonly=True, index=True,
                           help="30 days after reception: Shopify's deadline to act.")
    done_at = fields.Datetime(readonly=True)
    done_by = fields.Char(readonly=True, help="The user or the sidecar job that completed it.")
    requested_by_id = fields.Many2one("res.users", string="Requested by", readonly=True)
    customer_gid = fields.Char(string="Shopify customer", readonly=True)
    shopify_request_id = fields.Char(string="Shopify data request", readonly=True)
    order_gids = fields.Text(string="Shopify orders", readonly=True)
    partner_ids = fields.Many2many("res.partner", string="Contacts", readonly=True)
    sale_order_ids = fields.Many2many("sale.order", string="Sales orders", readonly=True)
    waiting_reason = fields.Text(readonly=True)
    outcome = fields.Text(readonly=True)
    odoo_done = fields.Boolean(string="Done in Odoo", readonly=True)
    sidecar_needed = fields.Boolean(readonly=True, default=True)
    sidecar_done = fields.Boolean(string="Done in the sidecar", readonly=True)
    sidecar_outcome = fields.Text(string="Sidecar outcome", readonly=True)
    shopify_needed = fields.Boolean(readonly=True)
    shopify_status = fields.Selection(SHOPIFY_STATUSES, readonly=True, tracking=True)
    shopify_message = fields.Char(readonly=True)
    attachment_count = fields.Integer(compute="_compute_attachment_count")

    _sql_constraints = [
        ("request_key_uniq", "unique(request_key)", "A privacy request key names one request."),
    ]

    def _compute_attachment_count(self):
        # Counting the request's own attachments; the privacy group may read the request.
        Attachment = self.env["ir.attachment"].sudo()
        for request in self:
            request.attachment_count = Attachment.search_count(
                [("res_model", "=", self._name), ("res_id", "=", request.id)])

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                # The sequence is the addon's own; any creator of a request numbers it.
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code(
                    "shopify.privacy.request") or "/"
            if vals.get("received_at") and not vals.get("due_date"):
                vals["due_date"] = privacy_lib.due_date(
                    fields.Datetime.to_datetime(vals["received_at"]))
        return super().create(vals_list)

    @api.model
    def _privacy_open(self, key, kind, received_at, **vals):
        """The request with `key`, created when new (idempotent by key)."""
        request = self.search([("request_key", "=", key)], limit=1)
        if request:
            if request.kind != kind:
                raise UserError(_("Privacy request key %(key)s belongs to a %(kind)s request.",
                                  key=key, kind=request.kind))
            return request
        return self.create(dict(vals, request_key=key, kind=kind, received_at=received_at))

    @api.model
    def _privacy_start_erasure(self, partner):
        """"Erase personal data" on `partner`: the request (an open one for the same contact
        is reused), the erasure or its wait, and the customer.erased event that asks the
        sidecar to erase the customer in Shopify."""
        gid = partner.shopify_gid
        # A manager starts it; the request belongs to the privacy group (managers only read).
        Request = self.sudo()
        request = Request.search([("kind", "=", "erasure"), ("partner_ids", "in", partner.ids),
                                  ("state", "in", ("received", "waiting"))], limit=1)
        if not request:
            request = Request.create({
                "request_key": f"odoo:{uuid.uuid4()}", "kind": "erasure",
                "received_at": fields.Datetime.now(), "requested_by_id": self.env.uid,
                "customer_gid": gid or False, "shopify_needed": bool(gid),
                "sidecar_needed": bool(gid), "partner_ids": [(6, 0, partner.ids)],
            })
        request._privacy_erase_or_wait(partner, self.env.user.name)
        if gid:
            orders = request.sale_order_ids.filtered("shopify_gid")
            self.env["shopify.sync.event"]._emit(
                "customer.erased", partner, f"customer:{partner.id}",
                {"partner_id": partner.id, "customer_gid": gid, "request_id": request.id,
                 "order_gids": orders.mapped("shopify_gid")})
        return request

    # ------------------------------------------------------------------ people to notify
    def _privacy_group(self):
        # A system parameter, read for whoever handles the request.
        param = self.env["ir.config_parameter"].sudo().get_param(PRIVACY_GROUP_PARAM)
        group = self.env["res.groups"].browse(int(param)).exists() if param and param.isdigit() \
            else self.env["res.groups"]
        return group or self.env.ref("shopify_sync.group_shopify_privacy")

    def _privacy_users(self):
        # Group memberships are read to assign activities, whoever handles the request.
        group = self._privacy_group().sudo()
        return compat.value(group, "users").filtered(lambda user: user.active and not user.share)

    def _privacy_activity(self, summary, note=None):
        """One to-do per person of the privacy group, due on the request's due date."""
        for request in self:
            for user in request._privacy_users():
                request.activity_schedule(
                    "mail.mail_activity_data_todo", date_deadline=request.due_date,
                    summary=summary, note=note, user_id=user.id)

    def _privacy_close_activities(self, feedback):
        for request in self:
            # Closing the to-dos of other people of the group, whoever finished the request (read
            # as superuser too: a user may not see the others' to-dos among `activity_ids`).
            request.sudo().activity_ids.action_feedback(feedback=feedback)

    # ------------------------------------------------------------------ settling
    def _privacy_parts_done(self):
        self.ensure_one()
        shopify_ok = not self.shopify_needed or self.shopify_status in ("requested", "not_found")
        sidecar_ok = not self.sidecar_needed or self.sidecar_done
        return self.odoo_done and shopify_ok and sidecar_ok

    def _privacy_settle(self, done_by):
        """Moves the request to its state from its parts; notifies the group on a change."""
        for request in self:
            if request.shopify_status == "failed":
                state = "error"
            elif request._privacy_parts_done():
                state = "done"
            elif request.waiting_reason and not request.odoo_done:
                state = "waiting"
            else:
                state = "received"
            if state == request.state:
                continue
            vals = {"state": state}
            if state == "done":
                vals.update(done_at=fields.Datetime.now(), done_by=done_by)
            request.write(vals)
            if state == "done":
                request._privacy_close_activities(_("Done by %s.", done_by))
            elif state == "waiting":
                request._privacy_activity(_("Erasure waits for open orders"),
                                          request.waiting_reason)
            elif state == "error":
                request._privacy_activity(_("Privacy request failed"), request.shopify_message)

    def _privacy_append(self, text):
        for request in self:
            request.outcome = "\n".join(filter(None, [request.outcome, text]))

    # ------------------------------------------------------------------ the sidecar's part
    def _privacy_record_sidecar(self, counts, done_by):
        labels = [(key, key.replace("_", " ")) for key in sorted(counts)]
        self.write({
            "sidecar_done": True,
            "sidecar_outcome": _("Removed from the sidecar's stores: %s.",
                                 privacy_lib.describe_counts(counts, labels)),
        })
        self._privacy_settle(done_by)

    def _privacy_record_shopify(self, status, code, message, done_by):
        text = {
            "requested": _("Shopify accepted the erasure request; it erases the customer and "
                           "later sends customers/redact to every app."),
            "not_found": _("Shopify has no such customer (already erased or deleted)."),
            "failed": _("Shopify refused the erasure request (%(code)s): %(message)s",
                        code=code or "no code", message=message or ""),
        }[status]
        self.write({"shopify_status": status, "shopify_message": text})
        self._privacy_settle(done_by)

    # ------------------------------------------------------------------ erasures that wait
    def _privacy_erase_or_wait(self, partners, done_by):
        """Anonymises the request's contacts, unless one of their orders is open."""
        self.ensure_one()
        # The customer's orders in every company decide whether the erasure waits.
        env = self.sudo().env
        Order = env["sale.order"].with_context(active_test=False)
        orders = Order.search([("partner_id", "child_of", partners.ids)]) if partners else Order
        orders |= self.sale_order_ids.with_env(env)
        open_orders = orders.filtered(_is_open)
        self.write({"partner_ids": [(6, 0, partners.ids)],
                    "sale_order_ids": [(6, 0, orders.ids)]})
        if open_orders:
            self.write({"waiting_reason": _(
                "The customer has open orders (a quotation, or a delivery not done): %s. "
                "Their data is erased once these are delivered or cancelled "
                "(daily, or with Check again).", ", ".join(open_orders.mapped("name")))})
            self._privacy_settle(done_by)
            return open_orders
        stats = {}
        erased = partners._shopify_erase(stats=stats) if partners else partners
        stats["orders_kept"] = len(orders)
        self._privacy_remove_earlier_exports(erased)
        self.write({"odoo_done": True, "waiting_reason": False,
                    "partner_ids": [(6, 0, erased.ids)]})
        self._privacy_append(_erasure_outcome(stats))
        self._privacy_settle(done_by)
        return open_orders

    def _privacy_remove_earlier_exports(self, partners):
        """An export made for an earlier data request of these contacts is itself their
        personal data: it goes with them."""
        if not partners:
            return
        earlier = self.search([("kind", "=", "data_request"), ("id", "!=", self.id),
                               ("partner_ids", "in", partners.ids)])
        # The exports are attachments of other requests, which the integration user created.
        attachments = self.env["ir.attachment"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "in", earlier.ids)])
        if attachments:
            attachments.unlink()
            earlier._privacy_append(_("Export removed by the erasure %s.", self.name))

    def action_recheck(self):
        """'Check again': finish waiting erasures whose orders are now closed."""
        if not self.env.user.has_group("shopify_sync.group_shopify_privacy") and \
                not self.env.user.has_group("shopify_sync.group_shopify_manager"):
            raise AccessError(_("Only the privacy group or Shopify managers can do this."))
        for request in self.filtered(lambda r: r.state == "waiting"):
            # The erasure reaches contacts and orders of any company, as erasing always does.
            request.sudo()._privacy_erase_or_wait(request.sudo().partner_ids,
                                                  self.env.user.name)
        return True

    @api.model
    def _cron_recheck_waiting(self):
        for request in self.search([("state", "=", "waiting")]):
            request._privacy_erase_or_wait(request.partner_ids,
                                           "cron: Shopify privacy requests")

    def action_open_attachments(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Export"),
            "res_model": "ir.attachment",
            "view_mode": compat.view_mode("list,form"),
            "domain": [("res_model", "=", self._name), ("res_id", "=", self.id)],
        }

    def _privacy_attach(self, export):
        """Attaches the export (JSON) and its readable summary (text) to the request."""
        self.ensure_one()
        base = f"privacy-export-{self.name.replace('/', '')}"
        Attachment = self.env["ir.attachment"]
        files = [
            (f"{base}.json", json.dumps(export, indent=2, sort_keys=True, ensure_ascii=False),
             "application/json"),
            (f"{base}.txt", privacy_lib.summary_text(export), "text/plain"),
        ]
        return Attachment.create([{
            "name": name, "raw": content.encode("utf-8"), "mimetype": mimetype,
            "res_model": self._name, "res_id": self.id,
        } for name, content, mimetype in files])


def _is_open(order):
    """Shopify's rule, in Odoo's terms: a quotation, or a confirmed order with a delivery that
    is neither done nor cancelled."""
    if order.state in ("draft", "sent"):
        return True
    if order.state != "sale":
        return False
    return any(p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
               for p in order.picking_ids)


ERASURE_LABELS = [
    ("partners", "contacts anonymised and archived"),
    ("orders_kept", "sales orders kept (notes and customer reference cleared)"),
    ("pickings", "delivery notes cleared"),
    ("messages", "chatter messages emptied"),
    ("tracking_values", "tracked old values deleted"),
    ("followers", "followers removed"),
    ("mails", "queued e-mails deleted"),
    ("attachments", "attachments deleted"),
    ("bank_accounts", "bank accounts deleted"),
    ("invoices_kept", "invoices and credit notes kept"),
    ("invoice_copies_stored", "invoice copies stored before erasure"),
]


def _erasure_outcome(stats):
    text = _("Erased in Odoo: %s.", privacy_lib.describe_counts(stats, ERASURE_LABELS))
    missing = stats.get("invoice_copies_missing") or []
    if missing:
        text += "\n" + _("No stored copy could be made of %s; these now print with the "
                         "placeholder name.", ", ".join(missing))
    return text
