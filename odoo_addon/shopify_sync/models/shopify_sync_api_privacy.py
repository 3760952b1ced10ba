"""Contract area `privacy`: Shopify's compliance requests as privacy requests in Odoo
(docs/contract.md, "Privacy requests"). The sidecar calls one method per request kind, each
idempotent by the request's key, then `privacy_record_result` with its own part (and, for an
erasure started in Odoo, Shopify's answer). `open_privacy_requests` feeds the sidecar's alert.
"""
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .. import compat
from ..lib import money, normalize, timestamps

MAX_ORDER_GIDS = 5000
BOUND_MODELS = ("product.template", "res.partner", "sale.order", "stock.picking", "account.move")


class ShopifySyncApi(models.AbstractModel):
    _inherit = "shopify.sync.api"

    # ------------------------------------------------------------------ input
    def _privacy_input(self, document, label):
        """(key, received_at, customer_gid, email, order_gids), checked."""
        key = document.get("request_key")
        if not isinstance(key, str) or not 1 <= len(key) <= 200:
            raise ValidationError(f"{label}: request_key must be a string of 1 to 200 characters")
        received = timestamps.parse_iso(document.get("received_at"))
        if not received:
            raise ValidationError(f"{label}: received_at must be an ISO 8601 timestamp")
        gid = None
        if document.get("customer_gid") is not None:
            gid = self._gid(document, "customer_gid", "Customer", label)
        gids = document.get("order_gids")
        if gids is None:
            gids = []
        if not isinstance(gids, list) or len(gids) > MAX_ORDER_GIDS:
            raise ValidationError(
                f"{label}: order_gids must be a list of at most {MAX_ORDER_GIDS} order GIDs")
        orders = [self._gid({"order_gid": g}, "order_gid", "Order", f"{label} order_gids")
                  for g in gids]
        email = normalize.email(document.get("email"))
        return key, received, gid, email, orders

    def _privacy_targets(self, gid, email, order_gids):
        """The customer's contacts (by GID, else by normalised email) and the contacts of
        the given orders that are not another Shopify customer's; and those orders."""
        # A privacy request covers every record about the person, whatever the integration
        # user's companies.
        env = self.sudo().env
        Partner = env["res.partner"].with_context(active_test=False)
        Order = env["sale.order"]
        partners = Partner.search([("shopify_gid", "=", gid)]) if gid else Partner
        if not partners and email:
            partners = Partner.search([("email_normalized", "=", email),
                                       ("parent_id", "=", False)])
            partners = partners.filtered(lambda p: not p.shopify_gid or p.shopify_gid == gid)
        orders = Order.search([("shopify_gid", "in", order_gids)]) if order_gids else Order
        for order in orders:
            commercial = order.partner_id.commercial_partner_id
            if not commercial.shopify_gid or commercial.shopify_gid == gid:
                partners |= commercial
        return partners, orders

    @staticmethod
    def _privacy_result(request, **extra):
        return dict({"request_id": request.id, "name": request.name, "state": request.state},
                    **extra)

    # ------------------------------------------------------------------ customers/data_request
    @api.model
    def privacy_data_request(self, document):
        self = self._begin(document)
        label = "privacy_data_request"
        key, received, gid, email, order_gids = self._privacy_input(document, label)
        sidecar = document.get("sidecar_data")
        if not isinstance(sidecar, dict):
            raise ValidationError(f"{label}: sidecar_data must be a JSON object")
        shopify_id = document.get("shopify_request_id")
        if shopify_id is not None and (not isinstance(shopify_id, str) or not shopify_id.isdigit()):
            raise ValidationError(f"{label}: shopify_request_id must be a string of digits")
        self._lock(f"privacy:{key}")
        Request = self.env["shopify.privacy.request"]
        request = Request._privacy_open(
            key, "data_request", received, customer_gid=gid, shopify_request_id=shopify_id,
            order_gids="\n".join(order_gids), sidecar_needed=False)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", Request._name), ("res_id", "=", request.id)])
        if not request.odoo_done:
            partners, orders = self._privacy_targets(gid, email, order_gids)
            partners = partners | partners.child_ids
            # Their orders in every company (partners come from _privacy_targets, sudo too).
            orders |= self.env["sale.order"].sudo().search(
                [("partner_id", "child_of", partners.ids)]) if partners else orders
            export = self._privacy_export(request, partners, orders, sidecar)
            attachments = request._privacy_attach(export)
            request.write({"partner_ids": [(6, 0, partners.ids)],
                           "sale_order_ids": [(6, 0, orders.ids)], "odoo_done": True})
            request._privacy_append(_(
                "Export attached: %(partners)s contacts, %(orders)s orders, %(invoices)s "
                "invoices and credit notes, %(payloads)s stored webhook payloads.",
                partners=len(export["odoo"]["partners"]), orders=len(orders),
                invoices=len(export["odoo"]["invoices"]),
                payloads=len(sidecar.get("webhook_payloads") or [])))
            request._privacy_settle(_("sidecar (Shopify customers/data_request)"))
            request._privacy_activity(_("Send the data export to the customer"))
        return self._privacy_result(
            request, partner_ids=sorted(request.partner_ids.ids),
            sale_order_ids=sorted(request.sale_order_ids.ids),
            attachment_ids=sorted(attachments.ids))

    def _privacy_export(self, request, partners, orders, sidecar):
        """Everything Odoo holds about the person, as one JSON-able document."""
        # Every record about the person, whatever the integration user's companies.
        env = self.sudo().env
        invoices = env["account.move"].search([
            ("partner_id", "in", partners.ids), ("move_type", "in", ("out_invoice", "out_refund"))])
        pickings = env["stock.picking"].search(
            ["|", ("partner_id", "in", partners.ids), ("sale_id", "in", orders.ids)])
        keys = [f"order:{gid}" for gid in orders.mapped("shopify_gid") if gid]
        events = env["shopify.sync.event"].search(
            ["|", "&", ("model", "=", "res.partner"), ("res_id", "in", partners.ids),
             ("key", "in", keys)], order="id")
        return {
            "format": "shopify_sync privacy export",
            "version": 1,
            "request": {
                "name": request.name, "customer_gid": request.customer_gid or None,
                "shopify_request_id": request.shopify_request_id or None,
                "received_at": fields.Datetime.to_string(request.received_at),
                "due_date": fields.Date.to_string(request.due_date),
            },
            "odoo": {
                "partners": [_partner_export(p) for p in partners],
                "sale_orders": [_order_export(o) for o in orders],
                "invoices": [_invoice_export(m) for m in invoices],
                "deliveries": [_picking_export(p) for p in pickings],
                "sync_events": [{"type": e.type, "state": e.state, "key": e.key,
                                 "payload": e.payload,
                                 "created_at": fields.Datetime.to_string(e.created_at)}
                                for e in events],
            },
            "sidecar": sidecar,
        }

    # ------------------------------------------------------------------ customers/redact
    @api.model
    def privacy_redact_customer(self, document):
        self = self._begin(document)
        label = "privacy_redact_customer"
        key, received, gid, email, order_gids = self._privacy_input(document, label)
        self._lock(f"privacy:{key}")
        if gid:
            self._lock(f"customer:{gid}")
        request = self.env["shopify.privacy.request"]._privacy_open(
            key, "customer_redact", received, customer_gid=gid,
            order_gids="\n".join(order_gids))
        open_orders = self.env["sale.order"]
        if not request.odoo_done:
            partners, orders = self._privacy_targets(gid, email, order_gids)
            if request.partner_ids:
                # Contacts found when the request first came (before a wait), any company.
                partners |= request.partner_ids.sudo()
            request.write({"sale_order_ids": [(4, o.id) for o in orders]})
            open_orders = request._privacy_erase_or_wait(
                partners, _("sidecar (Shopify customers/redact)"))
        return self._privacy_result(request, partner_ids=sorted(request.partner_ids.ids),
                                    open_orders=open_orders.mapped("name"))

    # ------------------------------------------------------------------ shop/redact
    @api.model
    def privacy_redact_shop(self, document):
        self = self._begin(document)
        label = "privacy_redact_shop"
        key = document.get("request_key")
        self._privacy_input(dict(document, order_gids=[]), label)
        received = timestamps.parse_iso(document.get("received_at"))
        shop = document.get("shop_domain")
        if not isinstance(shop, str) or not shop.endswith(".myshopify.com"):
            raise ValidationError(f"{label}: shop_domain must be <name>.myshopify.com")
        configured = self._shop()
        if configured and shop != configured:
            raise ValidationError(
                f"{label}: shop {shop} is not this database's shop ({configured})")
        self._lock(f"privacy:{key}")
        request = self.env["shopify.privacy.request"]._privacy_open(key, "shop_redact", received)
        unbound = {}
        if not request.odoo_done:
            unbound = self._privacy_unbind_shop()
            request.write({"odoo_done": True})
            request._privacy_append(_(
                "Shopify IDs removed from %s; outbox events deleted. Orders, invoices, "
                "payments and contacts are the merchant's records and are kept.",
                ", ".join(f"{n} {model}" for model, n in sorted(unbound.items())) or "nothing"))
            request._privacy_settle(_("sidecar (Shopify shop/redact)"))
        return self._privacy_result(request, unbound=unbound)

    def _privacy_unbind_shop(self):
        """Removes every Shopify ID from the bindings, lines, variants and pickings, and the
        outbox (the database serves one shop); returns how many records of each model lost
        them."""
        counts = {}
        cleared = {"shopify_gid": False, "shopify_shop": False, "shopify_state": False,
                   "shopify_error": False, "shopify_hash": False, "shopify_synced_at": False}
        # The shop's bindings are on records of every company and owner.
        env = self.sudo().env
        for model in BOUND_MODELS:
            Model = env[model].with_context(active_test=False)
            records = Model.search(
                ["|", ("shopify_gid", "!=", False), ("shopify_shop", "!=", False)])
            extra = {"shopify_sync": False} if model == "res.partner" else {}
            if model == "stock.picking":
                extra = {"shopify_fulfillment_gids": False, "shopify_return_gid": False}
            records.with_context(shopify_sync_origin=True, tracking_disable=True).write(
                dict(cleared, **extra))
            counts[model] = len(records)
        counts.update(self._privacy_unbind_children())
        # The outbox is the sidecar's queue for this shop; nobody will pull it any more.
        events = env["shopify.sync.event"].search([])
        counts["shopify.sync.event"] = len(events)
        events.unlink()
        return {model: n for model, n in counts.items() if n}

    def _privacy_unbind_children(self):
        counts = {}
        # As for the bindings: variants and lines of every company carry the shop's IDs.
        env = self.sudo().env
        Variant = env["product.product"].with_context(active_test=False)
        variants = Variant.search(["|", ("shopify_variant_gid", "!=", False),
                                   ("shopify_inventory_item_gid", "!=", False)])
        variants.with_context(shopify_sync_origin=True).write(
            {"shopify_variant_gid": False, "shopify_inventory_item_gid": False})
        counts["product.product"] = len(variants)
        lines = env["sale.order.line"].search([("shopify_line_gid", "!=", False)])
        lines.with_context(shopify_sync_origin=True).write({"shopify_line_gid": False})
        counts["sale.order.line"] = len(lines)
        return counts

    # ------------------------------------------------------------------ results and alerts
    @api.model
    def privacy_record_result(self, document):
        self = self._begin(document)
        label = "privacy_record_result"
        request_id = document.get("request_id")
        if not self._is_int(request_id):
            raise ValidationError(f"{label}: request_id must be an integer")
        request = self.env["shopify.privacy.request"].browse(request_id).exists()
        if not request:
            raise ValidationError(f"{label}: privacy request {request_id} does not exist")
        self._lock(f"privacy:{request.request_key}")
        sidecar = document.get("sidecar")
        shopify = document.get("shopify")
        done_by = _("sidecar")
        if shopify is not None:
            status = (shopify or {}).get("status") if isinstance(shopify, dict) else None
            if status not in ("requested", "not_found", "failed"):
                raise ValidationError(
                    f"{label}: shopify.status must be requested, not_found or failed")
            request._privacy_record_shopify(status, shopify.get("code"), shopify.get("message"),
                                            done_by)
        if sidecar is not None:
            if not isinstance(sidecar, dict) or not all(
                    self._is_int(n) and n >= 0 for n in sidecar.values()):
                raise ValidationError(
                    f"{label}: sidecar must map names to non-negative integers")
            request._privacy_record_sidecar(sidecar, done_by)
        return self._privacy_result(request)

    @api.model
    def open_privacy_requests(self, document):
        self = self._begin(document)
        due = None
        if isinstance(document.get("due_before"), str):
            try:
                due = fields.Date.to_date(document["due_before"])
            except ValueError:  # fromisoformat's answer to anything but YYYY-MM-DD
                due = None
        if not due:
            raise ValidationError("open_privacy_requests: due_before must be a date (YYYY-MM-DD)")
        requests = self.env["shopify.privacy.request"].search(
            [("state", "!=", "done"), ("due_date", "<=", due)], order="due_date, id")
        return {"requests": [{
            "request_id": r.id, "name": r.name, "kind": r.kind, "state": r.state,
            "received_at": fields.Datetime.to_string(r.received_at).replace(" ", "T") + "Z",
            "due_date": fields.Date.to_string(r.due_date),
        } for r in requests]}


def _amount(value):
    return money.to_string(value)


def _quantity(value):
    """Quantities are integers in the contract's documents; Odoo stores floats."""
    value = float(value or 0.0)
    return int(value) if value.is_integer() else value


def _partner_export(partner):
    return {
        "id": partner.id, "name": partner.name, "type": partner.type,
        "parent_id": partner.parent_id.id or None, "email": partner.email or None,
        "phone": partner.phone or None, "mobile": compat.optional(partner, "mobile") or None,
        "street": partner.street or None, "street2": partner.street2 or None,
        "zip": partner.zip or None, "city": partner.city or None,
        "state": partner.state_id.name or None, "country": partner.country_id.code or None,
        "vat": partner.vat or None, "company_name": partner.company_name or None,
        "comment": partner.comment or None, "active": partner.active,
        "shopify_gid": partner.shopify_gid or None,
        "created": fields.Datetime.to_string(partner.create_date),
        "last_updated": fields.Datetime.to_string(partner.write_date),
    }


def _order_export(order):
    return {
        "id": order.id, "name": order.name, "shopify_name": order.shopify_name or None,
        "shopify_gid": order.shopify_gid or None, "state": order.state,
        "date_order": fields.Datetime.to_string(order.date_order),
        "currency": order.currency_id.name, "amount_untaxed": _amount(order.amount_untaxed),
        "amount_tax": _amount(order.amount_tax), "amount_total": _amount(order.amount_total),
        "customer_reference": order.client_order_ref or None,
        "note": order.note and str(order.note) or None,
        "invoice_address_id": order.partner_invoice_id.id,
        "delivery_address_id": order.partner_shipping_id.id,
        "lines": [{
            "product": line.product_id.display_name or None, "sku": line.product_id.default_code
            or None, "description": line.name, "quantity": line.product_uom_qty,
            "delivered": line.qty_delivered, "price_unit": _amount(line.price_unit),
            "subtotal": _amount(line.price_subtotal),
            "taxes": compat.value(line, "tax_id").mapped("name"),
        } for line in order.order_line],
    }


def _invoice_export(move):
    return {
        "id": move.id, "name": move.name, "move_type": move.move_type, "state": move.state,
        "invoice_date": fields.Date.to_string(move.invoice_date) if move.invoice_date else None,
        "currency": move.currency_id.name, "amount_untaxed": _amount(move.amount_untaxed),
        "amount_tax": _amount(move.amount_tax), "amount_total": _amount(move.amount_total),
        "amount_residual": _amount(move.amount_residual), "payment_state": move.payment_state,
    }


def _picking_export(picking):
    return {
        "id": picking.id, "name": picking.name, "picking_type": picking.picking_type_code,
        "state": picking.state, "address_id": picking.partner_id.id or None,
        "date_done": fields.Datetime.to_string(picking.date_done) if picking.date_done else None,
        "tracking_number": picking.carrier_tracking_ref or None,
    }
