"""The source of truth for tax (docs/flows.md, "Taxes to the cent").

- "shopify" (the default): what the customer paid in Shopify is what Odoo books. Odoo computes
  the taxes of the mapped lines with its own rounding (per line or globally); where that misses
  Shopify's total by the cents that rounding can explain, the difference is carried as one
  untaxed "Shopify tax rounding difference" line on the order (so an invoice made from the
  order carries it too) or on the credit note, named with both tax amounts. A difference
  rounding cannot explain is still flagged.
- "odoo": Odoo's tax engine decides; a total that differs from Shopify's by more than the
  configured tolerance is flagged with both amounts, a smaller one is shown on the order.
"""
from decimal import Decimal

from odoo import Command, models

from .. import compat
from ..lib import money

TAX_SOURCES = ("shopify", "odoo")
ADJUSTMENT_GID = "tax_adjustment"


class ShopifySyncApi(models.AbstractModel):
    _inherit = "shopify.sync.api"

    def _tax_source(self):
        source = self._param("shopify_sync.tax_source", "shopify") or "shopify"
        return source if source in TAX_SOURCES else "shopify"

    def _tax_tolerance_cents(self):
        """The odoo source's tolerance in cents (a setting in currency units, default 0)."""
        value = self._param("shopify_sync.tax_tolerance", "0") or "0"
        try:
            return abs(money.odoo_cents(Decimal(str(value)), self._places()))
        except ArithmeticError:
            return 0

    @staticmethod
    def _rounding_bound(lines, shopify_tax_lines):
        """The most cents rounding can move a total: one per tax Odoo rounds on a line, one per
        tax amount Shopify rounded."""
        # Sale order lines (their taxes field is named per version) or invoice lines (tax_ids).
        return sum(len(line.tax_ids if line._name == "account.move.line"
                       else compat.value(line, "tax_id"))
                   for line in lines) + shopify_tax_lines

    @staticmethod
    def _document_tax_lines(document):
        # A shipping line an order edit removed is not booked: its tax lines round nothing.
        ships = [ship for ship in document.get("shipping_lines") or []
                 if not (isinstance(ship, dict) and ship.get("removed") is True)]
        parts = ((document.get("lines") or []) + ships
                 + (document.get("duties") or []) + (document.get("additional_fees") or []))
        # A document converted into the company currency (currency policy "convert") also
        # carries the roundings of its conversion.
        return sum(len(part.get("tax_lines") or []) for part in parts) + document.get(
            "_conversion_roundings", 0)

    # ------------------------------------------------------------------ orders
    def _order_tax_adjustment(self, order, document, total_cents, missing):
        """Carry (or clear) the tax rounding difference line of an order; record Shopify's
        total and the difference Odoo's own computation leaves on the order."""
        line = order.order_line.filtered(
            lambda sol: sol.shopify_line_role == "tax_adjustment")
        if missing or order.state == "cancel":
            return
        own = money.odoo_cents(self._comparable_total(order), self._places()) - sum(
            money.odoo_cents(price, self._places()) for price in line.mapped("price_total"))
        difference = total_cents - own
        taxed = order.order_line - line
        bound = self._rounding_bound(taxed, self._document_tax_lines(document))
        carried = difference if self._tax_source() == "shopify" and abs(difference) <= bound \
            else 0
        # A binding field, written whatever the order's salesperson or company.
        order.sudo().write({
            "shopify_total_price": float(money.to_decimal(total_cents, self._places())),
            "shopify_total_difference": float(money.to_decimal(difference, self._places())),
        })
        if not carried:
            if line and order.state in ("draft", "sent"):
                line.unlink()
            elif line:
                line.write({"price_unit": 0.0})
            return
        odoo_tax = money.odoo_cents(sum(taxed.mapped("price_tax")), self._places())
        places = self._places()
        name = (f"Shopify tax rounding difference: Shopify total "
                f"{money.format_cents(total_cents, places)}, Odoo computed "
                f"{money.format_cents(own, places)} (tax {money.format_cents(odoo_tax, places)})")
        vals = {"price_unit": float(money.to_decimal(carried, self._places())), "name": name}
        if line:
            line.write(vals)
            return
        product = self.env.ref("shopify_sync.product_shopify_tax_adjustment").product_variant_id
        vals.update(product_id=product.id, product_uom_qty=1,
                    shopify_line_gid=ADJUSTMENT_GID, shopify_line_role="tax_adjustment")
        vals = compat.vals(self.env["sale.order.line"], dict(vals, tax_id=[Command.set([])]))
        order.write({"order_line": [Command.create(vals)]})

    def _total_outside_tolerance(self, odoo_cents, total_cents):
        """True when Odoo's total is further from Shopify's than the tax source accepts: any
        cent under "shopify" (the rounding difference is already carried as a line), the
        tolerance under "odoo"."""
        tolerance = self._tax_tolerance_cents() if self._tax_source() == "odoo" else 0
        return abs(odoo_cents - total_cents) > tolerance

    # ------------------------------------------------------------------ credit notes
    def _credit_note_tax_adjustment(self, credit_note, document, total_cents):
        """Under "shopify", a draft credit note that misses Shopify's refund by rounding cents
        gets an untaxed rounding difference line, so it equals the refund and is posted."""
        if not credit_note or credit_note.state != "draft" or self._tax_source() != "shopify":
            return
        difference = total_cents - money.odoo_cents(credit_note.amount_total, self._places())
        refunded = (document.get("lines") or [])
        bound = self._rounding_bound(credit_note.invoice_line_ids, len(refunded) + 1)
        if not difference or abs(difference) > bound:
            return
        product = self.env.ref("shopify_sync.product_shopify_tax_adjustment").product_variant_id
        credit_note.write({"invoice_line_ids": [Command.create({
            "product_id": product.id, "quantity": 1, "tax_ids": [Command.set([])],
            "price_unit": float(money.to_decimal(difference, self._places())),
            "name": (f"Shopify tax rounding difference: Shopify refund "
                     f"{money.format_cents(total_cents, self._places())}, Odoo computed "
                     f"{money.to_string(credit_note.amount_total, self._places())}"),
        })]})
