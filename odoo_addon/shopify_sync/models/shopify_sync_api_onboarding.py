"""Contract extension for onboarding an existing shop (docs/contract.md, `list_customers`).

Onboarding links existing Shopify customers to existing Odoo partners by normalised email
before anything is pushed; it needs every candidate partner with an email, paged, in the
same CustomerExport shape as `export_customers`.
"""
from odoo import api, models
from odoo.exceptions import ValidationError

MAX_LIMIT = 1000


class ShopifySyncApiOnboarding(models.AbstractModel):
    _inherit = "shopify.sync.api"

    @api.model
    def list_customers(self, document=None):
        """Top-level partners with an email that were not erased, by id, archived ones included
        (the same candidates `upsert_customer` matches by email)."""
        self = self._begin(document or {})
        document = document or {}
        limit = document.get("limit", 100)
        offset = document.get("offset", 0)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise ValidationError(f"list_customers: limit must be an integer from 1 to {MAX_LIMIT}")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValidationError("list_customers: offset must be a non-negative integer")
        partners = self.env["res.partner"].with_context(active_test=False).search(
            [("parent_id", "=", False), ("email", "!=", False), ("shopify_erased", "=", False)],
            order="id", limit=limit, offset=offset)
        return {"customers": [self._customer_document(p) for p in partners]}
