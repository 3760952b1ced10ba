"""Contract area `customers`: Shopify customers to partners and back, onboarding's candidate
list and privacy erasure (docs/contract.md, "CustomerDocument")."""
from odoo import api, models
from odoo.exceptions import ValidationError

from ..lib import digest, normalize
from .shopify_sync_api import iso_utc

MAX_LIST_LIMIT = 1000


class ShopifySyncApi(models.AbstractModel):
    _inherit = "shopify.sync.api"

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
            # The matched contact may be one the integration user cannot write (a user's own
            # contact, another company's); the customer's data in Shopify still wins.
            partner.sudo().write(vals)
            status = status or "updated"
        else:
            vals.update(customer_rank=1)
            # Created whatever companies the integration user may create contacts in.
            partner = Partner.sudo().create(vals)
            status = "created"
        partner._shopify_set_result("synced", gid=gid, content_hash=incoming_hash)
        return partner.with_env(self.env), status

    @api.model
    def export_customers(self, document):
        self = self._begin(document)
        ids = self._id_list(document, "partner_ids", "export_customers")
        partners = self.env["res.partner"].with_context(active_test=False).browse(ids).exists()
        return {"customers": [self._customer_document(p) for p in partners]}

    @api.model
    def list_customers(self, document=None):
        """Top-level partners with an email that were not erased, by id, archived ones included
        (the same candidates `upsert_customer` matches by email). Onboarding links existing
        Shopify customers to existing partners by normalised email before anything is pushed."""
        self = self._begin(document or {})
        document = document or {}
        limit = document.get("limit", 100)
        offset = document.get("offset", 0)
        if isinstance(limit, bool) or not isinstance(limit, int) \
                or not 1 <= limit <= MAX_LIST_LIMIT:
            raise ValidationError(
                f"list_customers: limit must be an integer from 1 to {MAX_LIST_LIMIT}")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValidationError("list_customers: offset must be a non-negative integer")
        partners = self.env["res.partner"].with_context(active_test=False).search(
            [("parent_id", "=", False), ("email", "!=", False), ("shopify_erased", "=", False)],
            order="id", limit=limit, offset=offset)
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
            "updated_at": iso_utc(partner.write_date),
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
        if gid:
            self._gid(document, "customer_gid", "Customer", "erase_customer")
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
