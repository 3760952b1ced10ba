"""The shop currency against the company currency (docs/flows.md, "Currencies"), by the setting
`shopify_sync.currency_policy`:

- "company" (the default): orders must be in the company currency; another one is refused.
- "pricelist": an order in another currency gets the company's first pricelist in that currency
  (Odoo books the amounts as they are and converts them with its own rates when posting); no
  such pricelist holds the order with a message saying what to create.
- "convert": every amount of the order (and of its refunds) is converted into the company
  currency with Odoo's rate at the order's date, each rounded to the company currency; the
  rounding of the conversion is carried like a tax rounding difference.

The customer's currency against the shop's, by the setting `shopify_sync.presentment_policy`
("shop", the default, or "presentment"): a document whose customer paid in another currency
carries its amounts in that currency too (`presentment`, contract 1.4); an order booked in them
is then in that currency for everything above, and its refunds and payments follow it.
"""
import copy
from decimal import Decimal

from odoo import fields, models
from odoo.exceptions import ValidationError

from ..lib import money, presentment

CURRENCY_POLICIES = ("company", "pricelist", "convert")
PRESENTMENT_POLICIES = ("shop", "presentment")
_LINE_AMOUNTS = ("price_unit", "discount")
_SHIP_AMOUNTS = ("price", "discount")
_ORDER_AMOUNTS = ("subtotal_price", "total_tax", "total_discounts", "total_price",
                  "current_total_duties", "current_total_additional_fees")


class ShopifySyncApi(models.AbstractModel):
    _inherit = "shopify.sync.api"

    def _currency_policy(self):
        policy = self._param("shopify_sync.currency_policy", "company") or "company"
        return policy if policy in CURRENCY_POLICIES else "company"

    def _presentment_policy(self):
        policy = self._param("shopify_sync.presentment_policy", "shop") or "shop"
        return policy if policy in PRESENTMENT_POLICIES else "shop"

    def _booked_money(self, gid, document):
        """(the order document in the money Odoo books it in, "shop" or "presentment"). An order
        Odoo holds keeps the money it was first booked in; a new one takes the setting's."""
        document, amounts = presentment.split(document)
        if not amounts:
            return document, "shop"
        order = self.env["sale.order"].search([("shopify_gid", "=", gid)], limit=1)
        money_kind = (order.shopify_money or "shop") if order else self._presentment_policy()
        if money_kind != "presentment":
            return document, "shop"
        return self._overlaid(f"order {document.get('name') or gid}", document, amounts), \
            "presentment"

    def _in_order_money(self, order_gid, document, label):
        """A refund or payments document in the money its order was booked in: the customer's
        amounts laid over the shop ones for an order booked in the customer's currency (refused
        when the document has none in that currency: its shop amounts would be booked as the
        customer's)."""
        document, amounts = presentment.split(document)
        # Read only, for the money: the order may be in a company the integration user is not
        # in, which the method itself then reports.
        order = self.env["sale.order"].sudo().search([("shopify_gid", "=", order_gid)], limit=1)
        if order.shopify_money != "presentment":
            return document
        code = order.shopify_currency
        if not amounts or amounts.get("currency") != code:
            raise ValidationError(
                f"{label}: order {order.name} is booked in the customer's currency {code} but the "
                f"document has no amounts in {code}; upgrade the sidecar (contract 1.4)")
        return self._overlaid(label, document, amounts)

    @staticmethod
    def _overlaid(label, document, amounts):
        try:
            return presentment.overlay(document, amounts)
        except ValueError as error:
            raise ValidationError(f"{label}: {error}") from None

    def _foreign_currency(self, label, code, missing):
        """The active Odoo currency of ISO `code`; an inactive or unknown one is reported."""
        currency = self.env["res.currency"].with_context(active_test=False).search(
            [("name", "=", code)], limit=1)
        if not currency.active:
            missing.append(f"currency {code} is not active in Odoo (Accounting > Configuration "
                           f"> Currencies) ({label})")
            return None
        return currency

    def _order_currency(self, label, document, total_cents, missing, booked_money="shop"):
        """(document, total in cents, pricelist) under the currency policy: the document as it
        is, or converted into the company currency; the pricelist the order takes, if any."""
        company = self.env.company
        code = document.get("currency")
        if not code or code == company.currency_id.name:
            return document, total_cents, None
        policy = self._currency_policy()
        if policy == "company":
            self._check_order_currency(label, document, booked_money)
        currency = self._foreign_currency(label, code, missing)
        if not currency:
            return document, total_cents, None
        if policy == "pricelist":
            pricelist = self.env["product.pricelist"].search(
                [("currency_id", "=", currency.id), ("company_id", "in", [company.id, False])],
                order="sequence, id", limit=1)
            if not pricelist:
                missing.append(f"no pricelist in {code}: create one (Sales > Configuration > "
                               "Pricelists) or convert with Odoo's rates (Shopify settings)")
            return document, total_cents, pricelist
        converted = self._converted_order(document, currency, document.get("created_at"))
        return converted, money.cents(converted["total_price"], places=self._company_places()), \
            None

    def _company_places(self):
        return money.minor_units(self.env.company.currency_id.name)

    def _converter(self, currency, when):
        """Exact contract amount in `currency` (at `_places`) → contract amount in the company
        currency at the rate of the date `when` (ISO), rounded half-up at the company
        currency's minor unit."""
        company = self.env.company
        places, company_places = self._places(), self._company_places()
        date = fields.Date.to_date((when or "")[:10]) or fields.Date.context_today(self)

        def convert(value):
            amount = money.parse(value, places=places)
            rate = Decimal(str(currency._get_conversion_rate(
                currency, company.currency_id, company, date)))
            return money.format_cents(money.odoo_cents(amount * rate, company_places),
                                      company_places)
        return convert

    def _converted_order(self, document, currency, when):
        convert = self._converter(currency, when)
        doc = copy.deepcopy(document)
        roundings = 1
        for line in doc.get("lines") or []:
            for key in _LINE_AMOUNTS:
                line[key] = convert(line.get(key))
            for tax_line in line.get("tax_lines") or []:
                tax_line["amount"] = convert(tax_line.get("amount"))
            # A converted unit price is rounded once and multiplied by the quantity.
            roundings += (line.get("quantity") or 0) + 1
        for ship in doc.get("shipping_lines") or []:
            for key in _SHIP_AMOUNTS:
                ship[key] = convert(ship.get(key))
            for tax_line in ship.get("tax_lines") or []:
                tax_line["amount"] = convert(tax_line.get("amount"))
            roundings += 2
        for duty in doc.get("duties") or []:
            duty["price"] = convert(duty.get("price"))
            for tax_line in duty.get("tax_lines") or []:
                tax_line["amount"] = convert(tax_line.get("amount"))
            roundings += 1
        for fee in doc.get("additional_fees") or []:
            fee["price"] = convert(fee.get("price"))
            for tax_line in fee.get("tax_lines") or []:
                tax_line["amount"] = convert(tax_line.get("amount"))
            roundings += 1
        for key in _ORDER_AMOUNTS:
            if key in doc:
                doc[key] = convert(doc.get(key))
        doc["currency"] = self.env.company.currency_id.name
        doc["_conversion_roundings"] = roundings
        return doc

    def _refund_currency(self, order, document, total_cents):
        """A refund of an order converted into the company currency: its amounts converted at
        the order's date, like the order's (the refund document is in the shop currency)."""
        code = order.shopify_currency
        if not code or code == order.currency_id.name or self._currency_policy() != "convert":
            return document, total_cents
        currency = self.env["res.currency"].search([("name", "=", code)], limit=1)
        if not currency:
            return document, total_cents
        convert = self._converter(currency, order.shopify_created_at)
        doc = copy.deepcopy(document)
        for line in doc.get("lines") or []:
            for key in ("subtotal", "total_tax"):
                line[key] = convert(line.get(key))
        shipping = doc.get("shipping") or {}
        for key in ("amount", "tax"):
            if key in shipping:
                shipping[key] = convert(shipping.get(key))
        for adjustment in doc.get("adjustments") or []:
            adjustment["amount"] = convert(adjustment.get("amount"))
        for duty in doc.get("duties") or []:
            for key in ("amount", "tax"):
                if key in duty:
                    duty[key] = convert(duty.get(key))
        if doc.get("edit_balance") is not None:
            doc["edit_balance"] = convert(doc["edit_balance"])
        doc["total"] = convert(doc.get("total"))
        return doc, money.cents(doc["total"], places=money.minor_units(order.currency_id.name))
