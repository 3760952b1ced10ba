"""Delivery carriers ↔ Shopify: which Shopify shipping lines an order's carrier is taken from, and
the tracking company Shopify knows the carrier by (docs/flows.md, "Carriers")."""
import re

from odoo import api, fields, models


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    shopify_tracking_company = fields.Char(
        string="Shopify tracking company",
        help="The carrier's name in Shopify's list of tracking companies (exact spelling, e.g. "
        "UPS, FedEx, DHL Express, USPS, Royal Mail): Shopify builds the tracking link from it. "
        "Empty: the carrier's name, which the sidecar maps to Shopify's spelling for the "
        "common carriers.")
    shopify_shipping_titles = fields.Char(
        string="Shopify shipping methods",
        help="Comma-separated titles or codes of Shopify shipping lines (as the checkout shows "
        "them, e.g. Standard, UPS Ground) whose orders ship with this carrier. Empty: orders "
        "whose shipping line's title names the carrier (e.g. DHL in \"DHL Express 24h\").")

    @api.model
    def _shopify_for_shipping(self, shipping_lines):
        """The carrier of an order's Shopify shipping lines: an explicit title or code first,
        else a carrier whose name is a word of the first line's title; empty when none."""
        lines = [line for line in shipping_lines or [] if isinstance(line, dict)]
        names = [str(line.get(key) or "").strip().lower()
                 for line in lines for key in ("title", "code")]
        names = [n for n in names if n]
        if not names:
            return self.browse()
        # The integration user that imports orders has no access to carriers' settings.
        carriers = self.sudo().search([("active", "=", True)], order="sequence, id")
        for carrier in carriers:
            configured = {t.strip().lower() for t in (carrier.shopify_shipping_titles or "")
                          .split(",") if t.strip()}
            if configured & set(names):
                return carrier
        title = names[0]
        for carrier in carriers:
            if carrier.name and re.search(
                    rf"(^|\W){re.escape(carrier.name.strip().lower())}($|\W)", title):
                return carrier
        return self.browse()
