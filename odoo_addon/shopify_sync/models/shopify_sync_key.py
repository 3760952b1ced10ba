"""Lock keys of the RPC surface (shopify.sync.api._lock)."""
from odoo import fields, models


class ShopifySyncKey(models.Model):
    """One row per lock key used by the RPC surface (see shopify.sync.api._lock).

    Written only with SQL; updating a key's row from a transaction whose snapshot predates
    another transaction's commit on that key raises a retryable serialization failure.
    """
    _name = "shopify.sync.key"
    _description = "Shopify sync lock key"
    _log_access = False

    key = fields.Char(required=True, index=True)
    touched_at = fields.Datetime()

    _sql_constraints = [("key_uniq", "unique(key)", "Lock keys are unique.")]
