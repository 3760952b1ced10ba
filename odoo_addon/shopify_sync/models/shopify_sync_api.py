"""The RPC surface the sidecar calls (docs/contract.md, contract version 1): the model, the
plumbing every method goes through, locking and the input rules shared by the areas.

Every public method is `@api.model`, takes one JSON object and returns one JSON object.
Each method (1) checks the caller is in the integration group (`_begin`), (2) runs with the
origin context so its writes emit no outbox events, and (3) takes a per-key advisory lock for
the rest of the transaction so concurrent calls for one key serialise (`_lock`).

The methods live in one file per contract area, each extending this model:
`shopify_sync_api_outbox.py` (pull_events, ack_events), `_catalog.py` (export_products,
stock_levels), `_orders.py` (apply_order, cancel_order, order_status), `_refunds.py`
(apply_refund, apply_return), `_customers.py` (upsert_customer, export_customers,
list_customers, erase_customer), `_deliveries.py` (export_delivery), `_fulfillments.py`
(apply_fulfillment) and `_operations.py`
(contract_version, record_sync_result, bound_records, request_resync, store_report,
report_health). The development double of Odoo is split the same way
(`dev/odoo-double/api/<area>.ts`).
"""
from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from ..lib import digest, money, normalize

CONTACT_WRITE_INTERVAL = timedelta(seconds=30)


def iso_utc(value):
    """An Odoo datetime (naive UTC) as ISO 8601 with `Z`, or None."""
    if not value:
        return None
    return fields.Datetime.to_string(value).replace(" ", "T") + "Z"


def quantity_text(value):
    """A quantity for a message: quantities are integers in the contract, while Odoo stores
    them as floats (1.0 → "1"; a fractional unit-of-measure quantity keeps its decimals)."""
    value = round(float(value or 0.0), 6)
    return str(int(value)) if value.is_integer() else f"{value:g}"


class ShopifySyncApi(models.AbstractModel):
    _name = "shopify.sync.api"
    _description = "Shopify sidecar RPC surface"

    # ------------------------------------------------------------------ plumbing
    def _begin(self, document=None):
        if not self.env.user.has_group("shopify_sync.group_shopify_integration"):
            raise AccessError(
                "shopify.sync.api: the calling user must be in the group "
                "'Shopify integration / Integration (sidecar)'")
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
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", digest.lock_key(key)))
        self.env.cr.execute(SQL(
            """INSERT INTO shopify_sync_key (key, touched_at) VALUES (%s, now() at time zone 'UTC')
               ON CONFLICT (key) DO UPDATE SET touched_at = EXCLUDED.touched_at""", key))

    def _param(self, key, default=None):
        # The integration user reads the addon's settings but is not a system user.
        return self.env["ir.config_parameter"].sudo().get_param(key, default)

    def _shop(self):
        return self._param("shopify_sync.shop_domain") or False

    def _record_contact(self, sidecar_version=None):
        # The last contact is a system parameter; the integration user is not a system user.
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

    # ------------------------------------------------------------------ input rules
    @staticmethod
    def _gid(document, field, kind, label):
        """`document[field]` as a GID of `kind` (lib/normalize.py), else ValidationError."""
        try:
            return normalize.gid(document.get(field), kind)
        except normalize.GidError as exc:
            raise ValidationError(f"{label}: {field} {exc}") from None

    def _places(self):
        """The decimals of the money a call reads and writes: the ISO 4217 minor units of its
        document's currency (JPY 0, EUR 2, KWD 3), set by `_with_currency`; 2 otherwise."""
        return self.env.context.get("shopify_money_places", 2)

    def _with_currency(self, code):
        """This model reading and writing money in currency `code` (`_places`)."""
        return self.with_context(shopify_money_places=money.minor_units(code))

    def _with_order_currency(self, order_gid):
        """`_with_currency` of the Shopify order `order_gid` (its shop currency, else its
        Odoo currency), for refunds and payments, whose documents carry no currency."""
        # Read only, for the currency: the order may be in a company the integration user is
        # not in, which the method itself then reports.
        order = self.env["sale.order"].sudo().search([("shopify_gid", "=", order_gid)], limit=1)
        return self._with_currency(order.shopify_currency or order.currency_id.name or None)

    @staticmethod
    def _record_places(record):
        """The decimals of an Odoo record's own currency (ISO 4217 minor units)."""
        return money.minor_units(record.currency_id.name)

    def _money(self, value, label):
        """A contract amount, exactly (lib/money.py `parse`, at `_places`), else
        ValidationError naming it."""
        try:
            return money.parse(value, label, self._places())
        except money.MoneyError as exc:
            raise ValidationError(str(exc)) from None

    def _cents(self, value, label):
        """A contract amount as exact integer minor units (lib/money.py `cents`, at
        `_places`), else ValidationError naming it."""
        try:
            return money.cents(value, label, self._places())
        except money.MoneyError as exc:
            raise ValidationError(str(exc)) from None

    @staticmethod
    def _is_int(value):
        """A JSON integer: Python's bool is an int, but `true` is not a number in JSON."""
        return isinstance(value, int) and not isinstance(value, bool)

    @staticmethod
    def _qty(value, label):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError(
                f"{label}: quantity must be a non-negative integer, got {value!r}")
        return value

    @staticmethod
    def _id_list(document, field, label, required=True, max_ids=None):
        """`document[field]` as a list of integers (None when absent and not required)."""
        ids = document.get(field)
        if ids is None and not required:
            return None
        if not isinstance(ids, list) or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise ValidationError(f"{label}: {field} must be a list of integers")
        if max_ids is not None and len(ids) > max_ids:
            raise ValidationError(f"{label}: at most {max_ids} {field} per call")
        return ids
