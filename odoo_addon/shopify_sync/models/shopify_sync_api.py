"""The RPC surface the sidecar calls (docs/contract.md, contract version 1).

Every public method is `@api.model`, takes one JSON object and returns one JSON object.
Each method (1) checks the caller is in the integration group, (2) runs with the origin
context so its writes emit no outbox events, and (3) takes a per-key advisory lock for
the rest of the transaction so concurrent calls for one key serialise.
"""
import math
from datetime import datetime, timedelta

from odoo import api, fields, models, release
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare

from ..lib import digest, money, normalize

CONTRACT_VERSION = "1.0"
PAID_STATUSES = {"paid", "partially_refunded", "refunded"}
RETURN_WITHDRAWN_STATUSES = {"CANCELED", "CANCELLED", "DECLINED"}
BINDING_MODELS = {"product.template", "res.partner", "sale.order", "stock.picking",
                  "account.move"}
BINDING_STATES = {"pending", "synced", "error", "ignored"}
CONTACT_WRITE_INTERVAL = timedelta(seconds=30)


def _iso(value):
    if not value:
        return None
    return fields.Datetime.to_string(value).replace(" ", "T") + "Z"


def _qty_str(value):
    """A quantity for a message: quantities are integers in the contract, while Odoo stores
    them as floats (1.0 → "1"; a fractional unit-of-measure quantity keeps its decimals)."""
    value = round(float(value or 0.0), 6)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def _parse_ts(value):
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


class ShopifySyncApi(models.AbstractModel):
    _name = "shopify.sync.api"
    _description = "Shopify sidecar RPC surface"

    # ------------------------------------------------------------------ plumbing
    def _begin(self, document=None):
        if not self.env.user.has_group("shopify_sync.group_shopify_integration"):
            raise AccessError(
                "shopify.sync.api: the calling user must be in the group "
                "'Shopify / Integration (sidecar)'")
        if document is not None and not isinstance(document, dict):
            raise ValidationError("shopify.sync.api: the document must be a JSON object")
        return self.with_context(shopify_sync_origin=True, mail_create_nosubscribe=True,
                                 mail_auto_subscribe_no_notify=True)

    def _lock(self, key):
        """Serialise every call for one key, and never act on a stale snapshot.

        1. A transaction-scoped advisory lock on a hash of the key makes concurrent calls for
           the key wait for each other (released at commit or rollback).
        2. Odoo runs transactions in REPEATABLE READ: a call that waited (or merely started
           before another call for the key committed) still reads the old snapshot and would
           not see, e.g., the order just created. Touching the key's row in
           `shopify_sync_key` turns exactly that case into a PostgreSQL serialization
           failure, which Odoo answers by re-running the whole call in a fresh transaction
           (odoo/service/model.py `retrying`). So the second of two concurrent imports of
           one order sees the first one's order and answers `unchanged`.
        """
        self.env.cr.execute("SELECT pg_advisory_xact_lock(%s)", [digest.lock_key(key)])
        self.env.cr.execute(
            """INSERT INTO shopify_sync_key (key, touched_at) VALUES (%s, now() at time zone 'UTC')
               ON CONFLICT (key) DO UPDATE SET touched_at = EXCLUDED.touched_at""",
            [key])

    def _shop(self):
        return self.env["ir.config_parameter"].sudo().get_param("shopify_sync.shop_domain") or False

    def _param(self, key, default=None):
        return self.env["ir.config_parameter"].sudo().get_param(key, default)

    def _record_contact(self, sidecar_version=None):
        params = self.env["ir.config_parameter"].sudo()
        now = fields.Datetime.now()
        last = params.get_param("shopify_sync.last_contact_at")
        if sidecar_version:
            if params.get_param("shopify_sync.last_sidecar_version") != sidecar_version:
                params.set_param("shopify_sync.last_sidecar_version", sidecar_version)
        # Throttled: pull_events runs every few seconds; one write per 30 s is enough.
        if sidecar_version or not last or \
                fields.Datetime.to_datetime(last) < now - CONTACT_WRITE_INTERVAL:
            params.set_param("shopify_sync.last_contact_at", fields.Datetime.to_string(now))

    @staticmethod
    def _gid(document, field, kind, label):
        try:
            return normalize.gid(document.get(field), kind)
        except ValueError as exc:
            raise ValidationError(f"{label}: {field} {exc}") from None

    @staticmethod
    def _money(value, label):
        try:
            return money.parse(value, label)
        except money.MoneyError as exc:
            raise ValidationError(str(exc)) from None

    @staticmethod
    def _qty(value, label):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError(f"{label}: quantity must be a non-negative integer, got {value!r}")
        return value

    @staticmethod
    def _order_line_for(order, line, line_label):
        """The product line of `order` a refund or return line is about: by Shopify line GID, else
        by SKU. Raises ValidationError naming the line when the order has no such line."""
        so_line = order.order_line.filtered(
            lambda l, g=line.get("line_gid"): l.shopify_line_gid == g
            and l.shopify_line_role == "product")[:1]
        if not so_line and line.get("sku"):
            so_line = order.order_line.filtered(
                lambda l, s=line["sku"]: l.product_id.default_code == s
                and l.shopify_line_role == "product")[:1]
        if not so_line:
            raise ValidationError(
                f'{line_label}: line {line.get("line_gid")} (SKU "{line.get("sku")}") is '
                f"not on order {order.name}")
        return so_line

    # ------------------------------------------------------------------ version / outbox
    @api.model
    def contract_version(self, document=None):
        self = self._begin(document or {})
        self._record_contact((document or {}).get("sidecar_version") or "unknown")
        module = self.env["ir.module.module"].sudo().search([("name", "=", "shopify_sync")])
        return {
            "contract_version": CONTRACT_VERSION,
            "addon_version": module.latest_version or module.installed_version,
            "odoo_version": release.version,
        }

    @api.model
    def pull_events(self, document=None):
        self = self._begin(document or {})
        document = document or {}
        limit = document.get("limit", 100)
        lease = document.get("lease_seconds", 60)
        if not isinstance(limit, int) or not 1 <= limit <= 1000:
            raise ValidationError("pull_events: limit must be an integer from 1 to 1000")
        if not isinstance(lease, int) or not 1 <= lease <= 3600:
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
        self.env.cr.execute(
            """UPDATE shopify_sync_event SET state = 'done', acked_at = %s, lease_until = NULL
                WHERE uuid = ANY(%s) AND state != 'done'""",
            [fields.Datetime.now(), uuids])
        count = self.env.cr.rowcount
        self.env["shopify.sync.event"].invalidate_model(["state", "acked_at", "lease_until"])
        return {"acknowledged": count}

    # ------------------------------------------------------------------ products / stock
    @api.model
    def export_products(self, document=None):
        self = self._begin(document or {})
        document = document or {}
        Template = self.env["product.template"].with_context(active_test=False)
        ids = document.get("template_ids")
        if ids is not None:
            if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
                raise ValidationError("export_products: template_ids must be a list of integers")
            templates = Template.browse(ids).exists()
        else:
            templates = Template.search(
                ["|", ("shopify_gid", "!=", False),
                 "&", ("sale_ok", "=", True), ("type", "!=", "combo")],
                order="id", limit=document.get("limit") or 100,
                offset=document.get("offset") or 0)
        return {"products": [self._product_document(t) for t in templates]}

    def _product_document(self, template):
        options = []
        for line in template.attribute_line_ids:
            options.append({"name": line.attribute_id.name,
                            "values": line.value_ids.mapped("name")})
        variants = []
        for variant in template.with_context(active_test=False).product_variant_ids:
            option_values = [
                {"option": ptav.attribute_id.name, "value": ptav.name}
                for ptav in variant.product_template_attribute_value_ids
            ]
            variants.append({
                "odoo_id": variant.id,
                "sku": variant.default_code or None,
                "barcode": variant.barcode or None,
                "price": money.to_string(variant.lst_price),
                "active": bool(variant.active and template.active),
                "option_values": option_values,
                "shopify_variant_gid": variant.shopify_variant_gid or None,
                "shopify_inventory_item_gid": variant.shopify_inventory_item_gid or None,
            })
        doc = {
            "odoo_id": template.id,
            "name": template.name,
            "description": template.description_sale or None,
            "active": bool(template.active and template.sale_ok),
            "shopify_product_gid": template.shopify_gid or None,
            "options": options,
            "variants": variants,
        }
        # The hash covers what is pushed, not the Shopify IDs written back afterwards.
        doc["content_hash"] = digest.content_hash({
            **{k: v for k, v in doc.items() if k != "shopify_product_gid"},
            "variants": [{k: v for k, v in variant.items() if not k.startswith("shopify_")}
                         for variant in variants],
        })
        doc["synced_hash"] = template.shopify_hash or None
        return doc

    @api.model
    def stock_levels(self, document=None):
        self = self._begin(document or {})
        document = document or {}
        Map = self.env["shopify.location.map"]
        maps = Map.search([])
        if document.get("location_gids"):
            maps = maps.filtered(lambda m: m.location_gid in document["location_gids"])
        Product = self.env["product.product"]
        if document.get("product_ids") is not None:
            products = Product.browse(document["product_ids"]).exists()
        else:
            products = Product.search([("is_storable", "=", True)], order="id")
            products = products.filtered(lambda p: p.product_tmpl_id._shopify_should_sync())
        products = products.filtered("is_storable")
        safety = int(self._param("shopify_sync.safety_stock", 0) or 0)
        levels = []
        for mapping in maps:
            warehouse = mapping.warehouse_id
            reserved = self._reserved_other(products, warehouse)
            for product in products:
                on_hand = product.with_context(warehouse_id=warehouse.id).qty_available
                reserved_other = reserved.get(product.id, 0.0)
                levels.append({
                    "product_id": product.id,
                    "sku": product.default_code or None,
                    "shopify_inventory_item_gid": product.shopify_inventory_item_gid or None,
                    "location_gid": mapping.location_gid,
                    "warehouse_id": warehouse.id,
                    # Integers by contract; rounding is conservative (floor what we have,
                    # ceil what is promised elsewhere) so Shopify never sells more.
                    "on_hand": math.floor(on_hand + 1e-9),
                    "reserved_other": math.ceil(reserved_other - 1e-9),
                    "safety_stock": safety,
                    "shopify_on_hand": max(0, math.floor(
                        on_hand - reserved_other - safety + 1e-9)),
                })
        return {"levels": levels}

    def _reserved_other(self, products, warehouse):
        """Quantity reserved in the warehouse by moves that are NOT from Shopify orders."""
        if not products:
            return {}
        lines = self.env["stock.move.line"].search([
            ("product_id", "in", products.ids),
            ("state", "not in", ("done", "cancel")),
            ("location_id", "child_of", warehouse.view_location_id.id),
            ("location_id.usage", "=", "internal"),
        ])
        result = {}
        for line in lines:
            if line.move_id.sale_line_id.order_id.shopify_gid:
                continue  # Shopify already counts these as committed.
            result[line.product_id.id] = result.get(line.product_id.id, 0.0) + \
                line.quantity_product_uom
        return result

    # ------------------------------------------------------------------ customers
    @api.model
    def upsert_customer(self, document):
        self = self._begin(document)
        gid = self._gid(document, "customer_gid", "Customer", "customer")
        self._lock(f"customer:{gid}")
        partner, status = self._upsert_customer(document)
        return {"status": status, "partner_id": partner.id}

    def _customer_vals(self, document, with_name=True):
        vals = {}
        if with_name:
            name = normalize.full_name(document.get("first_name"), document.get("last_name"),
                                       fallback=document.get("email"))
            vals["name"] = name or document.get("customer_gid")
        if "email" in document:
            vals["email"] = (document.get("email") or "").strip() or False
        if "phone" in document:
            vals["phone"] = document.get("phone") or False
        address = document.get("default_address")
        if address:
            vals.update(self._address_vals(address))
        return vals

    def _address_vals(self, address):
        Country = self.env["res.country"]
        country = Country.search([("code", "=", (address.get("country_code") or "").upper())],
                                 limit=1) if address.get("country_code") else Country
        state = self.env["res.country.state"]
        if country and address.get("province_code"):
            state = state.search([("country_id", "=", country.id),
                                  ("code", "=", address["province_code"])], limit=1)
        return {
            "street": address.get("address1") or False,
            "street2": address.get("address2") or False,
            "city": address.get("city") or False,
            "zip": address.get("zip") or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
        }

    def _upsert_customer(self, document):
        """Match by GID, then by normalised email (never by name); returns (partner, status)."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        gid = document["customer_gid"]
        partner = Partner.search([("shopify_gid", "=", gid)], limit=1)
        status = None
        if partner.shopify_erased:
            return partner, "unchanged"  # never resurrect erased personal data
        if not partner:
            partner = Partner._shopify_find_by_email(document.get("email"))
            if partner and partner.shopify_gid:
                partner = Partner  # bound to another Shopify customer: do not steal it
            if partner:
                status = "linked"
        incoming_hash = digest.content_hash(document, exclude=("updated_at",))
        if partner and not status and partner.shopify_hash == incoming_hash:
            return partner, "unchanged"
        vals = self._customer_vals(document)
        if partner:
            partner.sudo().write(vals)
            status = status or "updated"
        else:
            vals.update(customer_rank=1)
            partner = Partner.sudo().create(vals)
            status = "created"
        partner._shopify_set_result("synced", gid=gid, content_hash=incoming_hash)
        return partner.with_env(self.env), status

    @api.model
    def export_customers(self, document):
        self = self._begin(document)
        ids = document.get("partner_ids")
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise ValidationError("export_customers: partner_ids must be a list of integers")
        partners = self.env["res.partner"].with_context(active_test=False).browse(ids).exists()
        return {"customers": [self._customer_document(p) for p in partners]}

    def _customer_document(self, partner):
        first, last = normalize.split_name(partner.name)
        address = None
        if partner.street or partner.city or partner.zip or partner.country_id:
            address = {
                "name": partner.name, "company": partner.commercial_company_name or None,
                "address1": partner.street or None, "address2": partner.street2 or None,
                "city": partner.city or None, "province_code": partner.state_id.code or None,
                "zip": partner.zip or None, "country_code": partner.country_id.code or None,
                "phone": partner.phone or None,
            }
        doc = {
            "customer_gid": partner.shopify_gid or None,
            "email": partner.email or None,
            "first_name": first or None,
            "last_name": last or None,
            "phone": partner.phone or None,
            "default_address": address,
            "updated_at": _iso(partner.write_date),
        }
        doc["partner_id"] = partner.id
        doc["active"] = bool(partner.active)
        doc["content_hash"] = digest.content_hash(
            doc, exclude=("customer_gid", "updated_at", "partner_id"))
        doc["synced_hash"] = partner.shopify_hash or None
        return doc

    @api.model
    def erase_customer(self, document):
        self = self._begin(document)
        gid = document.get("customer_gid")
        email = normalize.email(document.get("email"))
        if not gid and not email:
            raise ValidationError("erase_customer: customer_gid or email is required")
        self._lock(f"customer:{gid or email}")
        Partner = self.env["res.partner"].with_context(active_test=False)
        partners = Partner.browse()
        if gid:
            partners = Partner.search([("shopify_gid", "=", gid)])
        if not partners and email:
            partners = Partner.search([("email_normalized", "=", email),
                                       ("shopify_erased", "=", False)])
        if not partners:
            return {"status": "not_found", "partner_ids": []}
        erased = partners._shopify_erase()
        return {"status": "erased", "partner_ids": sorted(erased.ids)}

    # ------------------------------------------------------------------ orders
    @api.model
    def apply_order(self, document):
        self = self._begin(document)
        gid = self._gid(document, "order_gid", "Order", "order")
        self._lock(f"order:{gid}")
        return self._apply_order(gid, document)

    def _result(self, order, status, message=None):
        result = {
            "status": status,
            "sale_order_id": order.id,
            "name": order.name,
            "state": order.state,
            "amount_total": money.to_string(order.amount_total),
        }
        if message:
            result["message"] = message
        return result

    def _resolve_lines(self, label, document):
        """Products by SKU for every line; raise before anything is created."""
        Product = self.env["product.product"]
        resolved = []
        for index, line in enumerate(document.get("lines") or [], start=1):
            sku = line.get("sku")
            products = Product.search([("default_code", "=", sku)], limit=2) if sku else Product
            if not products:
                raise ValidationError(
                    f'{label} line {index}: SKU "{sku}" is unknown in Odoo'
                    if sku else f"{label} line {index}: the line has no SKU")
            if len(products) > 1:
                raise ValidationError(
                    f'{label} line {index}: SKU "{sku}" is used by several Odoo products')
            resolved.append((line, products))
        return resolved

    def _resolve_taxes(self, label, tax_lines, taxes_included, missing):
        Map = self.env["shopify.tax.map"]
        taxes = self.env["account.tax"]
        for tax_line in tax_lines or []:
            title, rate = tax_line.get("title"), tax_line.get("rate")
            tax = Map._find(title, rate or "0", self.env.company)
            if not tax:
                missing.append(f'no tax mapping for Shopify tax "{title}" at rate {rate} ({label})')
                continue
            if bool(tax.price_include) != bool(taxes_included):
                missing.append(
                    f'tax mapping "{title}" {rate} → {tax.name}: Odoo tax is '
                    f'{"" if tax.price_include else "not "}price-included but the order '
                    f'{"includes" if taxes_included else "excludes"} taxes ({label})')
                continue
            taxes |= tax
        return taxes

    def _order_lines_vals(self, label, document, resolved, missing):
        ref = self.env.ref
        discount_product = ref("shopify_sync.product_shopify_discount").product_variant_id
        shipping_product = ref("shopify_sync.product_shopify_shipping").product_variant_id
        taxes_included = bool(document.get("taxes_included"))
        vals_list = []
        for index, (line, product) in enumerate(resolved, start=1):
            line_label = f"line {index}"
            qty = self._qty(line.get("quantity"), f"{label} {line_label}")
            price = self._money(line.get("price_unit"), f"{label} {line_label} price_unit")
            discount = self._money(line.get("discount"), f"{label} {line_label} discount")
            taxes = self._resolve_taxes(line_label, line.get("tax_lines"), taxes_included,
                                        missing)
            gid = line.get("line_gid")
            vals_list.append({
                "product_id": product.id, "name": line.get("title") or product.display_name,
                "product_uom_qty": qty, "price_unit": float(price),
                "tax_id": [(6, 0, taxes.ids)], "shopify_line_gid": gid,
                "shopify_line_role": "product",
            })
            if discount:
                # Line discounts are amounts; a separate negative line keeps them exact to
                # the cent (Odoo's percentage discount is rounded to 2 decimals).
                vals_list.append({
                    "product_id": discount_product.id,
                    "name": f"Discount: {line.get('title') or product.display_name}",
                    "product_uom_qty": 1, "price_unit": -float(discount),
                    "tax_id": [(6, 0, taxes.ids)], "shopify_line_gid": gid,
                    "shopify_line_role": "discount",
                })
        for index, ship in enumerate(document.get("shipping_lines") or [], start=1):
            line_label = f"shipping line {index}"
            price = self._money(ship.get("price"), f"{label} {line_label} price")
            discount = self._money(ship.get("discount"), f"{label} {line_label} discount")
            taxes = self._resolve_taxes(line_label, ship.get("tax_lines"), taxes_included,
                                        missing)
            key = f"shipping:{index}"
            vals_list.append({
                "product_id": shipping_product.id,
                "name": ship.get("title") or shipping_product.display_name,
                "product_uom_qty": 1, "price_unit": float(price),
                "tax_id": [(6, 0, taxes.ids)], "shopify_line_gid": key,
                "shopify_line_role": "shipping",
            })
            if discount:
                vals_list.append({
                    "product_id": discount_product.id,
                    "name": f"Shipping discount: {ship.get('title') or ''}".strip(),
                    "product_uom_qty": 1, "price_unit": -float(discount),
                    "tax_id": [(6, 0, taxes.ids)], "shopify_line_gid": key,
                    "shopify_line_role": "shipping_discount",
                })
        return vals_list

    def _order_partner(self, label, document):
        customer = document.get("customer")
        Partner = self.env["res.partner"]
        if customer and customer.get("customer_gid"):
            self._lock(f"customer:{customer['customer_gid']}")
            partner, _status = self._upsert_customer(customer)
        else:
            address = document.get("billing_address") or document.get("shipping_address") or {}
            email = (customer or {}).get("email")
            partner = Partner.with_context(active_test=False)._shopify_find_by_email(email)
            if not partner:
                vals = self._address_vals(address) if address else {}
                vals.update(name=address.get("name") or email or f"Shopify guest {label}",
                            email=email or False, phone=address.get("phone") or False,
                            customer_rank=1)
                partner = Partner.sudo().create(vals).with_env(self.env)
        invoice = self._address_partner(partner, document.get("billing_address"), "invoice")
        delivery = self._address_partner(partner, document.get("shipping_address"), "delivery")
        return partner, invoice, delivery

    def _address_partner(self, partner, address, kind):
        """Child address of the customer (reused when identical, never matched by name only)."""
        if not address:
            return partner
        vals = self._address_vals(address)
        vals.update(name=address.get("name") or partner.name, phone=address.get("phone") or False)
        domain = [("parent_id", "=", partner.id), ("type", "=", kind)]
        domain += [(key, "=", value) for key, value in vals.items()]
        child = self.env["res.partner"].search(domain, limit=1)
        if child:
            return child
        vals.update(parent_id=partner.id, type=kind)
        return self.env["res.partner"].sudo().create(vals).with_env(self.env)

    def _apply_order(self, gid, document):
        SaleOrder = self.env["sale.order"]
        label = f"order {document.get('name') or gid}"
        order = SaleOrder.search([("shopify_gid", "=", gid)], limit=1)
        incoming_hash = digest.content_hash(document)
        if order:
            stored = _parse_ts(order.shopify_updated_at)
            incoming = _parse_ts(document.get("updated_at"))
            if stored and incoming and incoming < stored:
                return self._result(order, "unchanged",
                                    f"{label}: document older than the applied one, ignored")
            if order.shopify_hash == incoming_hash:
                return self._result(order, "unchanged")
        company = self.env.company
        currency = document.get("currency")
        if currency and currency != company.currency_id.name:
            raise ValidationError(
                f"{label}: shop currency {currency} differs from the company currency "
                f"{company.currency_id.name}; configure the company currency first")
        resolved = self._resolve_lines(label, document)
        missing = []
        lines_vals = self._order_lines_vals(label, document, resolved, missing)
        partner, invoice, delivery = self._order_partner(label, document)
        warehouse = self.env["shopify.location.map"]._warehouse_for(document.get("location_gid"))
        notes = []
        if document.get("location_gid") and not warehouse:
            notes.append(f"{label}: Shopify location {document['location_gid']} is not mapped; "
                         "default warehouse used")
        header = {
            "partner_id": partner.id,
            "partner_invoice_id": invoice.id,
            "partner_shipping_id": delivery.id,
            "client_order_ref": document.get("name"),
            "origin": f"Shopify {document.get('name') or gid}",
            "shopify_name": document.get("name"),
            "shopify_financial_status": document.get("financial_status"),
            "shopify_fulfillment_status": document.get("fulfillment_status"),
            "shopify_updated_at": document.get("updated_at"),
            "shopify_presentment_currency": document.get("presentment_currency"),
        }
        if document.get("note"):
            header["note"] = document["note"]
        if warehouse:
            header["warehouse_id"] = warehouse.id
        status = "updated" if order else "created"
        if not order:
            header.update(shopify_gid=gid, shopify_shop=self._shop(),
                          order_line=[(0, 0, vals) for vals in lines_vals])
            order = SaleOrder.create(header)
        elif order.state in ("draft", "sent"):
            order.order_line.unlink()
            header["order_line"] = [(0, 0, vals) for vals in lines_vals]
            order.write(header)
        elif order.state == "sale":
            header.pop("partner_id")  # the customer of a confirmed order does not change
            if order.picking_ids.filtered(lambda p: p.state == "done"):
                header.pop("partner_shipping_id")
            order.write(header)
            try:
                with self.env.cr.savepoint():
                    self._update_confirmed_lines(order, lines_vals)
            except UserError as exc:
                notes.append(f"{label}: lines could not be updated: {exc}")
                missing.append(f"{label}: lines could not be updated: {exc}")
        else:  # cancelled in Odoo
            order.write({k: v for k, v in header.items() if k.startswith("shopify_")})

        # Totals check (brief: equal to the cent, else flagged).
        total = self._money(document.get("total_price"), f"{label} total_price")
        message = None
        if missing:
            status = "held"
            message = f"{label} held: " + "; ".join(missing)
        elif not money.equal_to_cent(order.amount_total, total) and order.state != "cancel":
            status = "flagged"
            message = (f"{label}: Odoo total {money.to_string(order.amount_total)} differs "
                       f"from Shopify total_price {money.to_string(total)}")
        if notes and not message:
            message = "; ".join(notes)

        if status in ("created", "updated"):
            if order.state in ("draft", "sent") and self._should_confirm(document):
                order.action_confirm()
            order._shopify_set_result("synced", content_hash=incoming_hash)
            if notes:
                order.sudo().write({"shopify_error": message})
        else:
            order.sudo().write({"shopify_hash": False})
            order._shopify_set_result("error", message=message)
        if document.get("cancelled_at") and order.state != "cancel":
            self._cancel(order, label)
        return self._result(order, status, message)

    def _should_confirm(self, document):
        policy = self._param("shopify_sync.import_policy", "all") or "all"
        if document.get("cancelled_at"):
            return False
        if policy == "paid":
            return (document.get("financial_status") or "").lower() in PAID_STATUSES
        return True

    def _update_confirmed_lines(self, order, lines_vals):
        """Mirror an edit on a confirmed order: match lines by (Shopify line GID, role)."""
        existing = {(line.shopify_line_gid, line.shopify_line_role): line
                    for line in order.order_line if line.shopify_line_gid}
        seen = set()
        for vals in lines_vals:
            key = (vals["shopify_line_gid"], vals["shopify_line_role"])
            seen.add(key)
            line = existing.get(key)
            if not line:
                order.write({"order_line": [(0, 0, vals)]})
                continue
            update = {}
            if float_compare(line.product_uom_qty, vals["product_uom_qty"], 2):
                update["product_uom_qty"] = vals["product_uom_qty"]
            if float_compare(line.price_unit, vals["price_unit"], 2):
                update["price_unit"] = vals["price_unit"]
            if set(line.tax_id.ids) != set(vals["tax_id"][0][2]):
                update["tax_id"] = vals["tax_id"]
            if update:
                line.write(update)
        for key, line in existing.items():
            if key not in seen and line.product_uom_qty:
                line.write({"product_uom_qty": 0})

    # ------------------------------------------------------------------ cancel
    @api.model
    def cancel_order(self, document):
        self = self._begin(document)
        gid = self._gid(document, "order_gid", "Order", "cancel_order")
        self._lock(f"order:{gid}")
        order = self.env["sale.order"].search([("shopify_gid", "=", gid)], limit=1)
        if not order:
            return {"status": "not_found", "sale_order_id": None}
        if order.state == "cancel":
            return {"status": "already_cancelled", "sale_order_id": order.id}
        status = self._cancel(order, f"order {order.shopify_name or gid}",
                              reason=document.get("reason"))
        return {"status": status, "sale_order_id": order.id}

    def _cancel(self, order, label, reason=None):
        delivered = order.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing")
        if delivered:
            message = (f"{label}: cancelled in Shopify after delivery "
                       f"({', '.join(delivered.mapped('name'))}); a return is needed")
            order.sudo().write({"shopify_needs_return": True})
            order._shopify_set_result("error", message=message)
            return "needs_return"
        if order.locked:
            order.action_unlock()
        order.with_context(disable_cancel_warning=True).action_cancel()
        order._shopify_set_result("synced")
        if reason:
            order.sudo().message_post(body=f"Cancelled in Shopify ({reason}).")
        return "cancelled"

    # ------------------------------------------------------------------ refunds / returns
    @api.model
    def apply_refund(self, document):
        self = self._begin(document)
        gid = self._gid(document, "refund_gid", "Refund", "refund")
        order_gid = self._gid(document, "order_gid", "Order", f"refund {gid}")
        self._lock(f"order:{order_gid}")
        Move = self.env["account.move"]
        existing = Move.search([("shopify_gid", "=", gid), ("move_type", "=", "out_refund")],
                               limit=1)
        if existing:
            return {"status": "unchanged", "credit_note_id": existing.id,
                    "amount_total": money.to_string(existing.amount_total)}
        order = self.env["sale.order"].search([("shopify_gid", "=", order_gid)], limit=1)
        label = f"refund {gid}"
        if not order:
            raise ValidationError(f"{label}: order {order_gid} is not imported in Odoo")
        if gid in (order.shopify_refund_gids or "").split():
            return {"status": "unchanged", "credit_note_id": None, "amount_total": "0.00"}
        order.sudo().write({"shopify_refund_gids": "\n".join(
            filter(None, [(order.shopify_refund_gids or "").strip(), gid]))})
        ref = self.env.ref
        shipping_product = ref("shopify_sync.product_shopify_shipping").product_variant_id
        adjustment_product = ref("shopify_sync.product_shopify_refund_adjustment").product_variant_id
        invoice_lines = []
        restock = []
        for index, line in enumerate(document.get("lines") or [], start=1):
            line_label = f"{label} line {index}"
            qty = self._qty(line.get("quantity"), line_label)
            subtotal = self._money(line.get("subtotal"), f"{line_label} subtotal")
            so_line = self._order_line_for(order, line, line_label)
            if subtotal:
                unit = money.divide_exact(subtotal, qty) if qty else None
                invoice_lines.append({
                    "product_id": so_line.product_id.id,
                    "name": so_line.name if unit is not None
                    else f"{_qty_str(qty)} × {so_line.name}",
                    "quantity": qty if unit is not None else 1,
                    "price_unit": float(unit if unit is not None else subtotal),
                    "tax_ids": [(6, 0, so_line.tax_id.ids)],
                })
            if qty and line.get("restock_type") in ("cancel", "return"):
                restock.append((so_line, qty, line.get("restock_type"), line.get("location_gid")))
        shipping = document.get("shipping") or {}
        shipping_amount = self._money(shipping.get("amount"), f"{label} shipping amount")
        if shipping_amount:
            ship_line = order.order_line.filtered(lambda l: l.shopify_line_role == "shipping")[:1]
            invoice_lines.append({
                "product_id": shipping_product.id, "name": "Shipping refund", "quantity": 1,
                "price_unit": float(shipping_amount),
                "tax_ids": [(6, 0, ship_line.tax_id.ids)],
            })
        for index, adjustment in enumerate(document.get("adjustments") or [], start=1):
            amount = self._money(adjustment.get("amount"), f"{label} adjustment {index}")
            if amount:
                invoice_lines.append({
                    "product_id": adjustment_product.id, "quantity": 1,
                    "name": adjustment.get("reason") or "Refund adjustment",
                    "price_unit": float(amount), "tax_ids": [(6, 0, [])],
                })
        self._restock(order, restock, label)
        if not invoice_lines:  # restock only: nothing to credit
            return {"status": "created", "credit_note_id": None, "amount_total": "0.00"}
        invoice = order.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted")[:1]
        move = Move.create({
            "move_type": "out_refund",
            "partner_id": order.partner_invoice_id.id,
            "currency_id": order.currency_id.id,
            "fiscal_position_id": order.fiscal_position_id.id,
            "invoice_origin": order.name,
            "ref": f"Shopify refund {gid}" + (f": {document['note']}" if document.get("note") else ""),
            "reversed_entry_id": invoice.id,
            "shopify_gid": gid,
            "shopify_shop": self._shop(),
            "shopify_sale_order_id": order.id,
            "invoice_line_ids": [(0, 0, vals) for vals in invoice_lines],
        })
        total = self._money(document.get("total"), f"{label} total")
        if not money.equal_to_cent(move.amount_total, total):
            message = (f"{label}: Odoo credit note total {money.to_string(move.amount_total)} "
                       f"differs from Shopify total {money.to_string(total)}; left in draft")
            move._shopify_set_result("error", message=message)
            return {"status": "flagged", "credit_note_id": move.id,
                    "amount_total": money.to_string(move.amount_total), "message": message}
        move.action_post()
        move._shopify_set_result("synced")
        return {"status": "created", "credit_note_id": move.id,
                "amount_total": money.to_string(move.amount_total)}

    def _restock(self, order, restock, label):
        """cancel: lower the ordered quantity; return: receive the goods back (validated)."""
        to_return = []
        for so_line, qty, kind, location_gid in restock:
            if kind == "cancel":
                new_qty = max(so_line.qty_delivered, so_line.product_uom_qty - qty)
                if order.state == "sale" or new_qty != so_line.product_uom_qty:
                    so_line.write({"product_uom_qty": new_qty})
            else:
                pending_returns = order.picking_ids.filtered(
                    lambda p: p.shopify_return_gid and p.state != "cancel"
                    and so_line.product_id in p.move_ids.product_id)
                if pending_returns:
                    continue  # a Shopify return (apply_return) already brings these back
                to_return.append((so_line, qty, location_gid))
        if to_return:
            pickings = self._create_returns(order, to_return, label)
            for picking in pickings:
                for move in picking.move_ids:
                    move.quantity = move.product_uom_qty
                    move.picked = True
                picking.with_context(skip_sms=True, skip_backorder=True).button_validate()

    def _create_returns(self, order, wanted, label, return_gid=None):
        """Return pickings (one per delivered picking) for [(sale line, qty, location_gid)]."""
        pickings = self.env["stock.picking"]
        per_picking = {}
        for so_line, qty, location_gid in wanted:
            remaining = qty
            moves = so_line.move_ids.filtered(
                lambda m: m.state == "done" and m.picking_code == "outgoing")
            for move in moves:
                if remaining <= 0:
                    break
                take = min(remaining, move.quantity)
                per_picking.setdefault(move.picking_id, []).append((move, take, location_gid))
                remaining -= take
            if remaining > 0:
                raise ValidationError(
                    f"{label}: cannot return {_qty_str(qty)} × "
                    f"{so_line.product_id.default_code}: only {_qty_str(qty - remaining)} "
                    "delivered")
        for picking, items in per_picking.items():
            wizard = self.env["stock.return.picking"].with_context(
                active_id=picking.id, active_model="stock.picking").create({})
            for move, take, _gid in items:
                return_line = wizard.product_return_moves.filtered(lambda r, m=move: r.move_id == m)
                return_line.write({"quantity": return_line.quantity + take})
            action = wizard.action_create_returns()
            new_picking = self.env["stock.picking"].browse(action["res_id"])
            location_gid = items[0][2]
            warehouse = self.env["shopify.location.map"]._warehouse_for(location_gid)
            if warehouse and new_picking.location_dest_id.warehouse_id != warehouse:
                new_picking.write({"location_dest_id": warehouse.lot_stock_id.id})
                new_picking.move_ids.write({"location_dest_id": warehouse.lot_stock_id.id})
            if return_gid:
                new_picking.sudo().write({"shopify_return_gid": return_gid})
            pickings |= new_picking
        return pickings

    @api.model
    def apply_return(self, document):
        self = self._begin(document)
        gid = self._gid(document, "return_gid", "Return", "return")
        order_gid = self._gid(document, "order_gid", "Order", f"return {gid}")
        self._lock(f"order:{order_gid}")
        label = f"return {gid}"
        Picking = self.env["stock.picking"]
        existing = Picking.search([("shopify_return_gid", "=", gid)], order="id")
        withdrawn = (document.get("status") or "").upper() in RETURN_WITHDRAWN_STATUSES
        if withdrawn:
            # Declined or cancelled in Shopify: goods will not come back.
            open_pickings = existing.filtered(lambda p: p.state not in ("done", "cancel"))
            open_pickings.action_cancel()
            return {"status": "cancelled" if open_pickings else "unchanged",
                    "picking_id": existing[:1].id or None, "picking_ids": existing.ids}
        if existing:
            return {"status": "unchanged", "picking_id": existing[0].id,
                    "picking_ids": existing.ids}
        order = self.env["sale.order"].search([("shopify_gid", "=", order_gid)], limit=1)
        if not order:
            raise ValidationError(f"{label}: order {order_gid} is not imported in Odoo")
        wanted = []
        for index, line in enumerate(document.get("lines") or [], start=1):
            qty = self._qty(line.get("quantity"), f"{label} line {index}")
            so_line = self._order_line_for(order, line, f"{label} line {index}")
            if qty:
                wanted.append((so_line, qty, document.get("location_gid")))
        if not wanted:
            raise ValidationError(f"{label}: no quantity to return")
        pickings = self._create_returns(order, wanted, label, return_gid=gid)
        return {"status": "created", "picking_id": pickings[0].id, "picking_ids": pickings.ids}

    # ------------------------------------------------------------------ deliveries
    @api.model
    def export_delivery(self, document):
        self = self._begin(document)
        picking_id = document.get("picking_id")
        if not isinstance(picking_id, int):
            raise ValidationError("export_delivery: picking_id must be an integer")
        picking = self.env["stock.picking"].browse(picking_id).exists()
        if not picking:
            raise ValidationError(f"export_delivery: picking {picking_id} does not exist")
        order = picking.shopify_order_id
        if not order:
            raise ValidationError(
                f"export_delivery: picking {picking.name} is not for a Shopify order")
        quantities = {}
        for move in picking.move_ids.filtered(lambda m: m.state == "done"):
            so_line = move.sale_line_id or move.origin_returned_move_id.sale_line_id
            if not so_line.shopify_line_gid:
                continue
            key = (so_line.shopify_line_gid, move.product_id.default_code or None)
            quantities[key] = quantities.get(key, 0) + move.quantity
        # stock_delivery: the tracking number, the carrier's name and its tracking link.
        tracking = {
            "number": picking.carrier_tracking_ref or None,
            "company": picking.carrier_id.name or None,
            "url": picking.carrier_tracking_url or None,
        }
        return {
            "picking_id": picking.id,
            "name": picking.name,
            "state": picking.state,
            "order_gid": order.shopify_gid,
            "sale_order_id": order.id,
            "is_return": picking.picking_type_code == "incoming",
            "location_gid": self.env["shopify.location.map"]._gid_for_warehouse(
                picking.picking_type_id.warehouse_id) or None,
            "lines": [{"line_gid": gid, "sku": sku, "quantity": int(round(qty))}
                      for (gid, sku), qty in sorted(quantities.items())],
            "tracking": tracking,
            "fulfillment_gids": [g for g in (picking.shopify_fulfillment_gids or "").split(",") if g],
        }

    # ------------------------------------------------------------------ results
    @api.model
    def record_sync_result(self, document):
        self = self._begin(document)
        model = document.get("model")
        if model not in BINDING_MODELS:
            raise ValidationError(
                f"record_sync_result: model must be one of {sorted(BINDING_MODELS)}, got {model!r}")
        state = document.get("state")
        if state not in BINDING_STATES:
            raise ValidationError(
                f"record_sync_result: state must be one of {sorted(BINDING_STATES)}, got {state!r}")
        res_id = document.get("res_id")
        record = self.env[model].with_context(active_test=False).browse(
            res_id if isinstance(res_id, int) else 0).exists()
        if not record:
            raise ValidationError(f"record_sync_result: {model} {res_id!r} does not exist")
        self._lock(f"result:{model}:{record.id}")
        gid = document.get("shopify_gid")
        if model == "stock.picking" and gid:
            gids = [g for g in (record.shopify_fulfillment_gids or "").split(",") if g]
            if gid not in gids:
                gids.append(gid)
            record.sudo().with_context(shopify_sync_origin=True).write(
                {"shopify_fulfillment_gids": ",".join(gids)})
            gid = None
        record._shopify_set_result(state, message=document.get("message"), gid=gid,
                                   content_hash=document.get("content_hash"))
        for child in document.get("children") or []:
            if child.get("model") != "product.product":
                raise ValidationError("record_sync_result: children must be product.product")
            variant = self.env["product.product"].with_context(active_test=False).browse(
                child.get("res_id") or 0).exists()
            if not variant or variant.product_tmpl_id != record:
                raise ValidationError(
                    f"record_sync_result: variant {child.get('res_id')!r} is not a variant "
                    f"of {model} {record.id}")
            vals = {}
            if child.get("shopify_gid"):
                vals["shopify_variant_gid"] = child["shopify_gid"]
            if child.get("inventory_item_gid"):
                vals["shopify_inventory_item_gid"] = child["inventory_item_gid"]
            if vals:
                variant.sudo().with_context(shopify_sync_origin=True).write(vals)
        return {"ok": True}
