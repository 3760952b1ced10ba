"""Chatter messages written while the sidecar's call runs.

Odoo's own flows that the RPC surface drives post chatter messages: a return picking links
to its origin (stock.return.picking), a quantity change on a confirmed order is logged on the
order (sale), a decreased quantity schedules an activity for the responsible (stock). Odoo
refuses to post for an author without email ("Unable to send message, please configure the
sender's email address"), and the integration user the sidecar logs in as is a technical
login that usually has none. So during a sidecar call (context `shopify_sync_origin`, user in
the integration group) a message keeps the integration user as its author and takes the
company's email address (else OdooBot's) as sender address instead of failing the call.
Odoo 19 no longer refuses such a message but leaves its sender address empty: the integration
user's messages get the same sender address there.
"""
from odoo import models
from odoo.tools import formataddr

from .. import compat


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _message_compute_author(self, author_id=None, email_from=None, **kwargs):
        user = self.env.user
        if (kwargs.get("raise_on_email", True) and not email_from and not user.email
                and author_id in (None, user.partner_id.id)
                and self.env.context.get("shopify_sync_origin")
                and user.has_group("shopify_sync.group_shopify_integration")):
            author_id, email_from = super()._message_compute_author(
                author_id, email_from, **compat.MAIL_AUTHOR_NO_RAISE)
            return author_id, email_from or self._shopify_sender_address()
        return super()._message_compute_author(
            author_id=author_id, email_from=email_from, **kwargs)

    def _shopify_sender_address(self):
        """"<integration user> <company email or OdooBot's>"; False when neither has one."""
        odoobot = self.env.ref("base.partner_root", raise_if_not_found=False)
        # The integration user may not read the company's or OdooBot's contact details.
        address = self.env.company.sudo().email or (odoobot and odoobot.sudo().email)
        return formataddr((self.env.user.name, address)) if address else False
