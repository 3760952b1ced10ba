"""Contract area `orders`: apply a Shopify order as a sales order, cancel it, and report what
Odoo holds for reconciliation (docs/contract.md, "OrderDocument")."""
from odoo import _, api, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from .. import compat
from ..lib import digest, money, timestamps
from .sale_order_line import REFUND_ROLES
from .stock_move import DEFER_RESERVATION, RESERVATION_DEFERRED, RESERVE_CRON

DISCOUNT_ROLES = ("discount", "shipping_discount")
# Charges beyond the goods whose price an edit may change: once invoiced, a lower price is
# credited and a higher one invoiced on a supplement line (role RAISED_ROLE, the charge's GID).
CHARGE_ROLES = ("duty", "fee", "shipping")
RAISED_ROLE = "raised"

PAID_STATUSES = {"paid", "partially_refunded", "refunded"}
MAX_ORDER_GIDS = 5000
# The sales order line's taxes field (its name differs between Odoo versions).
LINE_TAXES = compat.field("sale.order.line", "tax_id")
_lt = compat.lazy_translation(__name__)
# The name of an additional fee's order line; the fee's name is Shopify's.
FEE_LINE_NAME = _lt("Additional fee: %(name)s")


class ShopifySyncApi(models.AbstractModel):
    _inherit = "shopify.sync.api"

    @api.model
    def apply_order(self, document):
        self = self._begin(document)
        gid = self._gid(document, "order_gid", "Order", "order")
        self._lock(f"order:{gid}")
        document, booked_money = self._booked_money(gid, document)
        # Amounts are exact in the document currency's minor units (JPY 0, KWD 3 decimals).
        self = self._with_currency(document.get("currency"))
        if self._reserve_after_import():
            self = self.with_context(**{DEFER_RESERVATION: True})
        result = self._apply_order(gid, document, booked_money)
        if self.env.cr.postcommit.data.pop(RESERVATION_DEFERRED, False):
            self.env["stock.move"]._shopify_trigger_reservation()
        return result

    def _reserve_after_import(self):
        """Whether the deliveries this import confirms are reserved right after it, by the
        scheduled action, rather than inside it (setting "Reserve stock"; docs/flows.md,
        "Reserving stock right after the import"). Never when that action is inactive or
        missing: nothing would reserve them."""
        if self._param("shopify_sync.reservation", "after_import") != "after_import":
            return False
        cron = self.env.ref(RESERVE_CRON, raise_if_not_found=False)
        # The scheduled action is the addon's; the integration user cannot read ir.cron.
        return bool(cron and cron.sudo().active)

    def _result(self, order, status, message=None):
        result = {
            "status": status,
            "sale_order_id": order.id,
            "name": order.name,
            "state": order.state,
            "amount_total": money.to_string(order.amount_total, self._record_places(order)),
        }
        if message:
            result["message"] = message
        return result

    def _resolve_lines(self, label, document):
        """Products by SKU for every line; raise before anything is created."""
        Product = self.env["product.product"]
        resolved = []
        gift_card = self.env.ref("shopify_sync.product_shopify_gift_card").product_variant_id
        for index, line in enumerate(document.get("lines") or [], start=1):
            if line.get("gift_card") is True:
                # A gift card sold: a liability, booked through the gift card product whatever
                # its SKU (usually none) — never a refusal for want of one.
                resolved.append((line, gift_card))
                continue
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
                LINE_TAXES: [(6, 0, taxes.ids)], "shopify_line_gid": gid,
                "shopify_line_role": "product",
            })
            if discount:
                # Line discounts are amounts; a separate negative line keeps them exact to
                # the cent (Odoo's percentage discount is rounded to 2 decimals).
                vals_list.append({
                    "product_id": discount_product.id,
                    "name": f"Discount: {line.get('title') or product.display_name}",
                    "product_uom_qty": 1, "price_unit": -float(discount),
                    LINE_TAXES: [(6, 0, taxes.ids)], "shopify_line_gid": gid,
                    "shopify_line_role": "discount",
                })
        for index, ship in enumerate(document.get("shipping_lines") or [], start=1):
            if ship.get("removed") is True:
                # Removed by an order edit (contract 1.8): nothing to book; it keeps its place,
                # so the lines after it keep their keys, and a confirmed order's line for it
                # goes to quantity 0 (credited once invoiced) as a line the document no longer
                # has does.
                continue
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
                LINE_TAXES: [(6, 0, taxes.ids)], "shopify_line_gid": key,
                "shopify_line_role": "shipping",
            })
            if discount:
                vals_list.append({
                    "product_id": discount_product.id,
                    "name": f"Shipping discount: {ship.get('title') or ''}".strip(),
                    "product_uom_qty": 1, "price_unit": -float(discount),
                    LINE_TAXES: [(6, 0, taxes.ids)], "shopify_line_gid": key,
                    "shopify_line_role": "shipping_discount",
                })
        vals_list += self._duty_lines_vals(label, document, missing)
        vals_list += self._fee_lines_vals(label, document, missing)
        return vals_list

    def _duty_lines_vals(self, label, document, missing):
        """One service line per import duty (the duties product), taxed with the taxes mapped
        from the duty's tax lines, on its Duty GID (docs/flows.md, "Duties")."""
        product = self.env.company._shopify_duties_product()
        taxes_included = bool(document.get("taxes_included"))
        titles = {line.get("line_gid"): line.get("title") or line.get("sku")
                  for line in document.get("lines") or []}
        vals_list = []
        for index, duty in enumerate(document.get("duties") or [], start=1):
            line_label = f"duty {index}"
            price = self._money(duty.get("price"), f"{label} {line_label} price")
            taxes = self._resolve_taxes(line_label, duty.get("tax_lines"), taxes_included,
                                        missing)
            hs_code = duty.get("harmonized_system_code")
            # In the language of the integration user (the line's name is stored).
            title = titles.get(duty.get("line_gid")) or _("Shopify line")
            name = _("Duties: %(title)s (HS %(code)s)", title=title, code=hs_code) if hs_code \
                else _("Duties: %(title)s", title=title)
            vals_list.append({
                "product_id": product.id,
                "name": name,
                "product_uom_qty": 1, "price_unit": float(price),
                LINE_TAXES: [(6, 0, taxes.ids)],
                "shopify_line_gid": self._gid(duty, "duty_gid", "Duty", f"{label} {line_label}"),
                "shopify_line_role": "duty",
            })
        return vals_list

    def _check_current_charges(self, document, order, missing):
        """Holds (through `missing`) an order whose duties or fees Odoo cannot book as Shopify
        has them (docs/flows.md, "Duties"): duties inside the product prices (`duties_included`:
        the duty lines would count them a second time), or current duty or fee totals that differ
        from what Odoo books — an order edit changed them, and Shopify does not say which duty or
        fee by how much (`Duty.price` and `AdditionalFee.price` stay what was charged)."""
        if document.get("duties_included"):
            missing.append("dutiesIncluded is true (duties inside the product prices), which the "
                           "connector does not book: its duty lines would count the duties a "
                           "second time; book the order by hand")
        places = self._places()
        # Under "Convert with Odoo's rates" each amount was rounded on its own.
        converted = "_conversion_roundings" in document
        duties = document.get("duties") or []
        if "current_total_duties" in document and duties:
            gids = {duty.get("duty_gid") for duty in duties}
            refunds = order.order_line.filtered(
                lambda line: line.shopify_line_role == "refund"
                and line.shopify_line_gid in gids) if order else order
            charged = sum(self._cents(duty.get("price"), "duty price") for duty in duties)
            refunded = -sum(money.odoo_cents(line.price_unit * line.product_uom_qty, places)
                            for line in refunds)
            current = self._cents(document["current_total_duties"], "current_total_duties")
            tolerance = len(duties) + len(refunds) if converted else 0
            if abs(charged - refunded - current) > tolerance:
                missing.append(
                    f"currentTotalDutiesSet is {money.format_cents(current, places)} but the "
                    f"duties Odoo books come to {money.format_cents(charged - refunded, places)} "
                    f"(charged {money.format_cents(charged, places)}, refunded "
                    f"{money.format_cents(refunded, places)}): an order edit in Shopify changed "
                    "the duties and Shopify does not say which duty by how much (Duty.price "
                    "stays what was charged), so the connector does not book it; book the "
                    "difference by hand")
        fees = document.get("additional_fees") or []
        if "current_total_additional_fees" in document and fees:
            charged = sum(self._cents(fee.get("price"), "additional fee price") for fee in fees)
            current = self._cents(document["current_total_additional_fees"],
                                  "current_total_additional_fees")
            if abs(charged - current) > (len(fees) if converted else 0):
                missing.append(
                    f"currentTotalAdditionalFeesSet is {money.format_cents(current, places)} but "
                    f"the additional fees come to {money.format_cents(charged, places)}: an "
                    "order edit in Shopify changed them and Shopify does not say which fee by "
                    "how much (AdditionalFee.price stays what was charged), so the connector "
                    "does not book it; book the difference by hand")

    def _fee_lines_vals(self, label, document, missing):
        """One service line per additional fee (the company's additional fees product), taxed
        with the taxes mapped from the fee's tax lines, on its AdditionalFee GID (docs/flows.md,
        "Additional fees")."""
        product = self.env.company._shopify_fees_product()
        taxes_included = bool(document.get("taxes_included"))
        translate = compat.translator(self.env)
        vals_list = []
        for index, fee in enumerate(document.get("additional_fees") or [], start=1):
            line_label = f"additional fee {index}"
            price = self._money(fee.get("price"), f"{label} {line_label} price")
            taxes = self._resolve_taxes(line_label, fee.get("tax_lines"), taxes_included,
                                        missing)
            vals_list.append({
                "product_id": product.id,
                "name": translate(FEE_LINE_NAME) % {
                    "name": fee.get("name") or product.display_name},
                "product_uom_qty": 1, "price_unit": float(price),
                LINE_TAXES: [(6, 0, taxes.ids)],
                "shopify_line_gid": self._gid(fee, "fee_gid", "AdditionalFee",
                                              f"{label} {line_label}"),
                "shopify_line_role": "fee",
            })
        return vals_list

    def _order_partner(self, label, document):
        customer = document.get("customer")
        Partner = self.env["res.partner"]
        if customer and customer.get("customer_gid"):
            self._lock(f"customer:{customer['customer_gid']}")
            partner, _status = self._upsert_customer(customer)
            if partner.shopify_erased:
                # An erased customer's addresses are never written again (privacy requests).
                return partner, partner, partner
        else:
            address = document.get("billing_address") or document.get("shipping_address") or {}
            email = (customer or {}).get("email")
            partner = Partner.with_context(active_test=False)._shopify_find_by_email(email)
            if not partner:
                vals = self._address_vals(address) if address else {}
                vals.update(name=address.get("name") or email or f"Shopify guest {label}",
                            email=email or False, phone=address.get("phone") or False,
                            customer_rank=1)
                # A guest's contact is created in the shop's company whatever companies the
                # integration user may create contacts in.
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
        # The customer may be a contact the integration user cannot write (a user's own
        # contact, another company's): adding its address must not fail the order.
        return self.env["res.partner"].sudo().create(vals).with_env(self.env)

    # ------------------------------------------------------------------ apply_order's steps
    def _apply_order(self, gid, document, booked_money="shop"):
        """Check → skip when unchanged → resolve → write → compare totals → settle."""
        label = f"order {document.get('name') or gid}"
        total_cents = self._check_order_document(label, document)
        order = self.env["sale.order"].search([("shopify_gid", "=", gid)], limit=1)
        incoming_hash = digest.content_hash(document)
        unchanged = self._order_unchanged(order, document, incoming_hash, label)
        if unchanged:
            return unchanged
        refunds_first = self._refunds_first(label, order, document)
        if refunds_first:
            return refunds_first
        missing, notes, flags = [], [], []
        shop_currency = document.get("currency")
        document, total_cents, pricelist = self._order_currency(label, document, total_cents,
                                                                missing, booked_money)
        # Converted into the company currency: read and written with its decimals from here.
        self = self._with_currency(document.get("currency"))
        self._check_currency_precision(label, pricelist, document.get("currency"), missing)
        resolved = self._resolve_lines(label, document)
        self._check_current_charges(document, order, missing)
        lines_vals = self._order_lines_vals(label, document, resolved, missing)
        header = self._order_header(label, gid, document, notes, order)
        header["shopify_currency"] = shop_currency
        header["shopify_money"] = booked_money
        if pricelist:
            header["pricelist_id"] = pricelist.id
        status = "updated" if order else "created"
        pending_refunds = self._missing_refund_gids(order, document)
        order = self._write_order(order, gid, header, lines_vals, label, notes, missing, flags,
                                  total_cents)
        if pending_refunds:
            return self._record_pending_refunds(order, pending_refunds)
        self._order_tax_adjustment(order, document, total_cents, missing)
        status, message = self._order_outcome(order, status, total_cents, label, notes, missing,
                                              flags)
        self._settle_order(order, document, status, message, notes, incoming_hash, label)
        return self._result(order, status, message)

    def _check_order_document(self, label, document):
        """Every amount and the customer's GID, before anything is written: a malformed
        document is refused whole (ValidationError naming the field). Returns total_price in
        exact cents."""
        for index, line in enumerate(document.get("lines") or [], start=1):
            self._check_amounts(f"{label} line {index}", line, ("price_unit", "discount"))
        for index, ship in enumerate(document.get("shipping_lines") or [], start=1):
            self._check_amounts(f"{label} shipping line {index}", ship, ("price", "discount"))
        for index, duty in enumerate(document.get("duties") or [], start=1):
            self._gid(duty, "duty_gid", "Duty", f"{label} duty {index}")
            self._check_amounts(f"{label} duty {index}", duty, ("price",))
        for index, fee in enumerate(document.get("additional_fees") or [], start=1):
            self._gid(fee, "fee_gid", "AdditionalFee", f"{label} additional fee {index}")
            self._check_amounts(f"{label} additional fee {index}", fee, ("price",))
        for where, taxed in self._taxed_parts(label, document):
            for index, tax_line in enumerate(taxed.get("tax_lines") or [], start=1):
                self._check_amounts(f"{where} tax line {index}", tax_line, ("amount",))
        self._check_amounts(label, document, ("subtotal_price", "total_tax", "total_discounts"))
        for field in ("current_total_duties", "current_total_additional_fees"):
            if field in document:
                self._cents(document[field], f"{label} {field}")
        customer = document.get("customer")
        if isinstance(customer, dict) and customer.get("customer_gid") is not None:
            self._gid(customer, "customer_gid", "Customer", f"{label} customer")
        return self._cents(document.get("total_price"), f"{label} total_price")

    @staticmethod
    def _taxed_parts(label, document):
        lines = [(f"{label} line {index}", line)
                 for index, line in enumerate(document.get("lines") or [], start=1)]
        ships = [(f"{label} shipping line {index}", ship)
                 for index, ship in enumerate(document.get("shipping_lines") or [], start=1)]
        duties = [(f"{label} duty {index}", duty)
                  for index, duty in enumerate(document.get("duties") or [], start=1)]
        fees = [(f"{label} additional fee {index}", fee)
                for index, fee in enumerate(document.get("additional_fees") or [], start=1)]
        return lines + ships + duties + fees

    def _check_amounts(self, label, part, fields):
        for field in fields:
            self._cents(part.get(field), f"{label} {field}")

    def _order_unchanged(self, order, document, incoming_hash, label):
        """The `unchanged` result when the document is older than the applied one or the same."""
        if not order:
            return None
        stored = timestamps.parse_iso(order.shopify_updated_at)
        incoming = timestamps.parse_iso(document.get("updated_at"))
        if stored and incoming and incoming < stored:
            return self._result(order, "unchanged",
                                f"{label}: document older than the applied one, ignored")
        if order.shopify_hash == incoming_hash:
            return self._result(order, "unchanged")
        return None

    def _check_currency_precision(self, label, pricelist, code, missing):
        """Hold an order whose Odoo currency rounds at another precision than ISO 4217 says
        (KWD at 0.01, JPY at 0.01), or whose unit prices Odoo would store with fewer decimals
        than the currency has (Decimal Accuracy "Product Price", 2 by default): Odoo would
        round Shopify's exact amounts to them."""
        currency = pricelist.currency_id if pricelist else self.env.company.currency_id
        if not currency or (code and currency.name != code):
            return
        iso = money.minor_units(currency.name)
        if currency.decimal_places != iso:
            missing.append(
                f"currency {currency.name} is rounded to {currency.decimal_places} decimals in "
                f"Odoo (rounding {currency.rounding}) but has {iso} in ISO 4217 and Shopify: set "
                f"its rounding to {money.format_cents(1, iso)} (Accounting > Configuration > "
                "Currencies)")
        digits = self.env["decimal.precision"].precision_get("Product Price")
        if digits < iso:
            missing.append(
                f"unit prices are stored with {digits} decimals in Odoo (Decimal Accuracy "
                f"\"Product Price\") but {currency.name} has {iso}: set it to {iso} (Settings > "
                "Technical > Decimal Accuracy)")

    def _check_order_currency(self, label, document, booked_money="shop"):
        company = self.env.company
        currency = document.get("currency")
        if currency and currency != company.currency_id.name:
            if booked_money == "presentment":
                raise ValidationError(
                    f"{label}: the customer's currency {currency} differs from the company "
                    f"currency {company.currency_id.name}; choose a pricelist in it or Odoo's "
                    "rates (Shopify settings, Shop currency), or book orders in the shop "
                    "currency")
            raise ValidationError(
                f"{label}: shop currency {currency} differs from the company currency "
                f"{company.currency_id.name}; configure the company currency first")

    def _order_header(self, label, gid, document, notes, order=None):
        """The sales order's header values: customer and addresses, warehouse, statuses. An
        order whose customer was erased keeps its anonymised contacts and gets no note."""
        erased = bool(order) and order.partner_id.commercial_partner_id.shopify_erased
        if erased:
            partner, invoice, delivery = (order.partner_id, order.partner_invoice_id,
                                          order.partner_shipping_id)
        else:
            partner, invoice, delivery = self._order_partner(label, document)
        warehouse = self.env["shopify.location.map"]._warehouse_for(document.get("location_gid"))
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
            "shopify_taxes_included": bool(document.get("taxes_included")),
            "shopify_created_at": document.get("created_at"),
        }
        if document.get("note") and not erased and not partner.shopify_erased:
            header["note"] = document["note"]
        if warehouse:
            header["warehouse_id"] = warehouse.id
        # The carrier of the Shopify shipping method (delivery.carrier's Shopify settings).
        carrier = self.env["delivery.carrier"]._shopify_for_shipping(
            [ship for ship in document.get("shipping_lines") or []
             if not (isinstance(ship, dict) and ship.get("removed") is True)])
        if carrier:
            header["carrier_id"] = carrier.id
        return header

    def _write_order(self, order, gid, header, lines_vals, label, notes, missing, flags,
                     total_cents=None):
        """Create the order, or update it as far as its state allows; returns it."""
        if not order:
            header.update(shopify_gid=gid, shopify_shop=self._shop(),
                          order_line=[(0, 0, vals) for vals in lines_vals],
                          **self._order_owner())
            return self.env["sale.order"].create(header)
        if order.state in ("draft", "sent"):
            # The refunds' own lines stay; product lines keep the units their refunds left.
            kept = {line.shopify_line_gid: line.shopify_kept_qty for line in order.order_line
                    if line.shopify_line_role == "product" and line.shopify_kept_qty}
            order.order_line.filtered(lambda line: line.shopify_line_role not in REFUND_ROLES
                                      ).unlink()
            header["order_line"] = [(0, 0, self._with_kept(vals, kept)) for vals in lines_vals]
            order.write(header)
        elif order.state == "sale":
            header.pop("partner_id")  # the customer of a confirmed order does not change
            if order.picking_ids.filtered(lambda p: p.state == "done"):
                header.pop("partner_shipping_id")
            # Only what changed: sale_stock logs a "delivery address changed" activity on the
            # open deliveries whenever partner_shipping_id is written, even to the same value.
            order.write(self._changed_values(order, header))
            try:
                with self.env.cr.savepoint():
                    self._update_confirmed_lines(order, lines_vals, label, notes, flags,
                                                 total_cents)
            except UserError as exc:
                notes.append(f"{label}: lines could not be updated: {exc}")
                missing.append(f"{label}: lines could not be updated: {exc}")
        else:  # cancelled in Odoo
            order.write({k: v for k, v in header.items() if k.startswith("shopify_")})
        return order

    def _order_owner(self):
        """Salesperson and sales team of an imported order: the configured ones (Shopify
        settings), else none — never the integration user the sidecar logs in as."""
        user = self._param("shopify_sync.salesperson_id")
        team = self._param("shopify_sync.team_id")
        return {"user_id": int(user) if user else False, "team_id": int(team) if team else False}

    @staticmethod
    def _changed_values(record, vals):
        """The subset of `vals` (plain field values and ids) that differs from `record`."""
        changed = {}
        for field, value in vals.items():
            current = record[field]
            if isinstance(current, models.BaseModel):
                current = current.id
            if (current or False) != (value or False):
                changed[field] = value
        return changed

    def _order_outcome(self, order, status, total_cents, label, notes, missing, flags):
        """(status, message): held when something is missing, flagged when an edit removed
        delivered units under the "flag" policy (shopify_sync_api_edits.py) or the totals differ
        (Odoo's computed total, rounded at the cent, against Shopify's exact one) by more than
        the tax source accepts (models/shopify_sync_api_taxes.py)."""
        message = None
        if missing:
            status = "held"
            message = f"{label} held: " + "; ".join(missing)
        elif flags:
            status = "flagged"
            message = "; ".join(flags)
        elif order.state != "cancel" and self._total_outside_tolerance(
                money.odoo_cents(self._comparable_total(order), self._places()), total_cents):
            status = "flagged"
            places = self._places()
            message = (f"{label}: Odoo total {money.to_string(order.amount_total, places)} "
                       f"differs from Shopify total_price "
                       f"{money.format_cents(total_cents, places)}")
        if notes and not message:
            message = "; ".join(notes)
        return status, message

    @staticmethod
    def _comparable_total(order):
        """The order's total as Shopify's current total counts it: without the refund
        adjustments (money refunded beyond or short of the goods), which it leaves out."""
        adjustments = order.order_line.filtered(
            lambda line: line.shopify_line_role == "refund_adjustment")
        return order.amount_total - sum(adjustments.mapped("price_total"))

    def _settle_order(self, order, document, status, message, notes, incoming_hash, label):
        """Confirm and mark synced, or mark in error; then cancel when Shopify cancelled."""
        if status in ("created", "updated"):
            if order.state in ("draft", "sent") and self._should_confirm(document):
                order.action_confirm()
            order._shopify_set_result("synced", content_hash=incoming_hash)
            if notes:
                # The binding's fields are written by the sidecar only, whatever the order's
                # salesperson or company.
                order.sudo().write({"shopify_error": message})
        else:
            # Same as above: binding fields, not the merchant's data.
            order.sudo().write({"shopify_hash": False})
            order._shopify_set_result("error", message=message)
        if document.get("cancelled_at") and order.state != "cancel":
            self._cancel(order, label)

    def _should_confirm(self, document):
        policy = self._param("shopify_sync.import_policy", "all") or "all"
        if document.get("cancelled_at"):
            return False
        if policy == "paid":
            return (document.get("financial_status") or "").lower() in PAID_STATUSES
        return True

    @staticmethod
    def _with_kept(vals, kept):
        """A product line's values with the units refunds left on it (delivered, kept by the
        customer: Shopify's current quantity no longer counts them)."""
        extra = kept.get(vals["shopify_line_gid"]) if vals["shopify_line_role"] == "product" \
            else None
        if extra:
            vals = dict(vals, product_uom_qty=vals["product_uom_qty"] + extra,
                        shopify_kept_qty=extra)
        return vals

    def _update_confirmed_lines(self, order, lines_vals, label, notes, flags, total_cents=None):
        """Mirror an edit on a confirmed order: match lines by (Shopify line GID, role). The
        refunds' own lines are not in the document and stay. A new line or a higher quantity
        gets a delivery from Odoo's stock rules; units removed after Odoo delivered them follow
        the company's policy, and what leaves an invoiced order is credited
        (shopify_sync_api_edits.py); a charge invoiced at another price is repriced on its own
        (`_reprice_invoiced_charge`)."""
        existing = {(line.shopify_line_gid, line.shopify_line_role): line
                    for line in order.order_line
                    if line.shopify_line_gid and line.shopify_line_role not in REFUND_ROLES
                    and line.shopify_line_role not in ("tax_adjustment", RAISED_ROLE)}
        kept = {gid: line.shopify_kept_qty for (gid, role), line in existing.items()
                if role == "product" and line.shopify_kept_qty}
        seen, removals, discounts, repriced, raised = set(), [], [], [], False
        touched = self.env["sale.order.line"]
        for vals in lines_vals:
            vals = self._with_kept(vals, kept)
            vals.pop("shopify_kept_qty", None)
            key = (vals["shopify_line_gid"], vals["shopify_line_role"])
            seen.add(key)
            line = existing.get(key)
            if not line:
                order.write({"order_line": [(0, 0, vals)]})
                raised = True
                continue
            target = vals["product_uom_qty"]
            removed = self._removed_after_delivery(line, target)
            if removed:
                removals.append((line, removed))
                target += removed
            update = {}
            if float_compare(line.product_uom_qty, target, 2):
                update["product_uom_qty"] = target
                if target < line.product_uom_qty:
                    touched |= line
                else:
                    raised = True
            if self._charge_invoiced(order, line):
                price, up, credited = self._reprice_invoiced_charge(order, line, vals, target,
                                                                    repriced)
                raised |= up
                touched |= credited
                if float_compare(line.price_unit, price, 2):
                    update["price_unit"] = price
            elif float_compare(line.price_unit, vals["price_unit"], 2):
                raised |= self._edit_price(line, vals["price_unit"], discounts)
                update["price_unit"] = vals["price_unit"]
            if set(line[LINE_TAXES].ids) != set(vals[LINE_TAXES][0][2]):
                update[LINE_TAXES] = vals[LINE_TAXES]
            if update:
                line.write(update)
        for key, line in existing.items():
            if key not in seen and line.product_uom_qty:
                removed = self._removed_after_delivery(line, 0)
                if removed:
                    removals.append((line, removed))
                if line.product_uom_qty > removed:
                    line.write({"product_uom_qty": removed})
                    touched |= line
                    touched |= self._zero_raises(order, line)
        touched |= self._apply_removals(order, removals, label, notes, flags)
        # Shopify's total is what the credit note must leave invoiced, when the edit only
        # lowered the order (rounding cents then go on a difference line, as for refunds).
        self._credit_edit(order, touched, label, notes, discounts,
                          None if raised else total_cents, repriced)

    def _edit_price(self, line, price, discounts):
        """A line's new price in an edit; True when it raises what the order charges. A
        discount line lowered by removed units gives its share back (`discounts`)."""
        places = self._places()
        share = money.odoo_cents(price, places) - money.odoo_cents(line.price_unit, places)
        if line.shopify_line_role in DISCOUNT_ROLES and share > 0:
            # Units removed take their share of the line discount with them.
            discounts.append((line, money.to_decimal(share, places)))
            return False
        return True

    def _charge_invoiced(self, order, line):
        """A shipping line, duty or fee Odoo invoiced (its price is then what was invoiced less
        what edits credited, and its raises are lines of their own)."""
        return (line.shopify_line_role in CHARGE_ROLES and line.qty_invoiced
                and self._invoiced(order))

    @staticmethod
    def _raises(order, line):
        """The supplement lines of a charge line: what Shopify raised it by after invoicing."""
        return order.order_line.filtered(
            lambda sol: sol.shopify_line_role == RAISED_ROLE
            and sol.shopify_line_gid == line.shopify_line_gid)

    def _zero_raises(self, order, line):
        """A charge line gone (removed in Shopify): its supplements go with it; the invoiced
        ones are returned, to credit (linked, as the line is)."""
        gone = self._raises(order, line).filtered("product_uom_qty")
        gone.write({"product_uom_qty": 0})
        return gone.filtered("qty_invoiced")

    def _reprice_invoiced_charge(self, order, line, vals, target, repriced):
        """A shipping line, duty or fee Odoo invoiced, against the document's price (docs/
        flows.md, "Shipping lines and order edits"): what Odoo books for it is the line's price
        plus its invoiced supplements (each at what was invoiced less what edits credited).
        Shopify's price above that: one supplement not invoiced yet carries the difference
        ("Raised in Shopify: <line>", the line's product, taxes and analytics, quantity 1),
        created or updated, for Odoo's invoicing of the order to bill — an invoiced supplement
        stays as it is, a later raise gets a new one, so nothing is billed twice. Below it: the
        supplement not invoiced goes to 0 and the rest is credited on the edit's credit note
        (`repriced`), taken off the invoiced supplements, newest first, then off the line.
        Returns (the line's price, whether the order has more to invoice, supplements removed
        with the line to credit)."""
        places = self._places()
        raises = self._raises(order, line)
        if not float_compare(target, 0, 2):
            # Removed: the line and its supplements are credited at what they booked.
            return line.price_unit, False, self._zero_raises(order, line)
        billed = raises.filtered(lambda sol: sol.qty_invoiced and sol.product_uom_qty)
        pending = raises.filtered(lambda sol: not sol.qty_invoiced)[:1]

        def cents(amount):
            return money.odoo_cents(amount, places)

        booked = cents(line.price_unit) + sum(cents(sol.price_unit) for sol in billed)
        difference = cents(vals["price_unit"]) - booked
        if difference <= 0:
            if pending.product_uom_qty:
                pending.write({"product_uom_qty": 0})
            if difference:
                repriced.append((line, money.to_decimal(-difference, places)))
            left = -difference
            for sol in billed.sorted("id", reverse=True):
                take = min(left, cents(sol.price_unit))
                if take:
                    sol.write({"price_unit": float(money.to_decimal(
                        cents(sol.price_unit) - take, places))})
                    left -= take
            return float(money.to_decimal(cents(line.price_unit) - left, places)), False, \
                pending.browse()
        supplement = {"product_uom_qty": 1, "name": f"Raised in Shopify: {line.name}",
                      "price_unit": float(money.to_decimal(difference, places)),
                      LINE_TAXES: vals[LINE_TAXES]}
        if pending:
            pending.write(supplement)
        else:
            supplement.update(product_id=line.product_id.id,
                              analytic_distribution=line.analytic_distribution,
                              shopify_line_gid=line.shopify_line_gid,
                              shopify_line_role=RAISED_ROLE)
            order.write({"order_line": [(0, 0, supplement)]})
        return line.price_unit, True, pending.browse()

    # ------------------------------------------------------------------ refunds first
    def _missing_refund_gids(self, order, document):
        """The document's refunds Odoo has not applied (a pending one is counted in the order's
        quantities but its money is not applied yet)."""
        gids = document.get("refund_gids") or []
        if not isinstance(gids, list) or not all(isinstance(g, str) for g in gids):
            raise ValidationError("order: refund_gids must be a list of strings")
        applied = set()
        if order:
            applied = set(order.shopify_refund_ids.filtered(
                lambda r: r.state != "pending").mapped("shopify_gid"))
        return [gid for gid in gids if gid not in applied]

    def _refunds_first(self, label, order, document):
        """For an order Odoo has: `refunds_pending` (nothing written) while one of the
        document's refunds is not applied, since its quantities no longer count the refunded
        units (contract rule: apply the refunds, then the document again); `unchanged` for a
        document older than a refund Odoo applied."""
        if not order or document.get("refund_gids") is None:
            return None
        listed = set(document.get("refund_gids") or [])
        newer = order.shopify_refund_ids.filtered(
            lambda r: r.state != "pending" and r.shopify_gid not in listed)
        if newer:
            return self._result(order, "unchanged",
                                f"{label}: document older than refund {newer[0].shopify_gid}, "
                                "which Odoo applied; ignored")
        pending = self._missing_refund_gids(order, document)
        if not pending:
            return None
        result = self._result(order, "refunds_pending",
                              f"{label}: apply refunds {', '.join(pending)} first")
        result["refund_gids"] = pending
        return result

    def _record_pending_refunds(self, order, gids):
        """A new order whose document already excludes refunded units: the refunds are recorded
        as counted in its quantities (pending), the order stays in draft until they are applied
        and the document comes again."""
        Refund = self.env["shopify.refund"]
        for gid in gids:
            if not Refund.search([("shopify_gid", "=", gid)], limit=1):
                Refund.create({
                    "name": f"{order.shopify_name or order.name} refund {gid.rsplit('/', 1)[-1]}",
                    "shopify_gid": gid, "shopify_shop": self._shop(), "sale_order_id": order.id,
                    "state": "pending"})
        order._shopify_set_result("pending")
        result = self._result(order, "refunds_pending",
                              f"order {order.shopify_name}: apply refunds {', '.join(gids)} first")
        result["refund_gids"] = gids
        return result

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
            # A flag of the binding, written whatever the order's salesperson or company.
            order.sudo().write({"shopify_needs_return": True})
            order._shopify_set_result("error", message=message)
            return "needs_return"
        if order.locked:
            order.action_unlock()
        order.with_context(disable_cancel_warning=True).action_cancel()
        order._shopify_set_result("synced")
        if reason:
            # Posting on the chatter of an order the integration user does not follow.
            order.sudo().message_post(body=f"Cancelled in Shopify ({reason}).")
        return "cancelled"

    # ------------------------------------------------------------------ reconciliation
    @api.model
    def order_status(self, document):
        """What Odoo holds for some Shopify orders (the sidecar's daily reconciliation)."""
        self = self._begin(document)
        gids = document.get("order_gids")
        if not isinstance(gids, list) or not all(isinstance(g, str) for g in gids):
            raise ValidationError("order_status: order_gids must be a list of strings")
        if len(gids) > MAX_ORDER_GIDS:
            raise ValidationError(f"order_status: at most {MAX_ORDER_GIDS} order_gids per call")
        # Reconciliation compares every imported order, also those of companies the
        # integration user is not a member of: a missing one would be reported as lost.
        orders = self.env["sale.order"].sudo().with_context(active_test=False).search(
            [("shopify_gid", "in", gids)])
        by_gid = {}
        for order in orders:
            # Several orders for one GID would be a bug elsewhere; report the newest.
            if order.shopify_gid not in by_gid or order.id > by_gid[order.shopify_gid].id:
                by_gid[order.shopify_gid] = order
        return {"orders": [self._order_status_document(gid, by_gid.get(gid)) for gid in gids]}

    @staticmethod
    def _order_status_document(gid, order):
        if not order:
            return {"order_gid": gid, "found": False, "sale_order_id": None, "name": None,
                    "state": None, "amount_total": None, "line_count": None}
        lines = order.order_line.filtered(lambda line: line.shopify_line_role == "product")
        return {
            "order_gid": gid, "found": True, "sale_order_id": order.id,
            "name": order.name, "state": order.state,
            "amount_total": money.to_string(order.amount_total,
                                            money.minor_units(order.currency_id.name)),
            "currency": order.currency_id.name,
            "line_count": len(lines),
        }
