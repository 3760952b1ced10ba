# Runs inside `odoo-bin shell` (env is the superuser environment). Idempotent.
# Creates the integration user and a fresh API key, maps the main warehouse to a Shopify
# location, and seeds the fixtures the conformance suite relies on (docs/development.md).
import os
from datetime import datetime, timedelta

from odoo import Command
from odoo.addons.shopify_sync import compat

login = os.environ["ODOO_USER_LOGIN"]
group = env.ref("shopify_sync.group_shopify_integration")
Users = env["res.users"].with_context(no_reset_password=True, active_test=False)
user = Users.search([("login", "=", login)], limit=1)
if not user:
    user = Users.create(compat.vals(Users, {"name": "Shopify sidecar", "login": login,
                                            "groups_id": [Command.set([group.id])]}))
elif group not in compat.value(user, "groups_id"):
    user.write(compat.vals(user, {"groups_id": [Command.link(group.id)]}))
user.active = True

env.cr.execute("DELETE FROM res_users_apikeys WHERE user_id = %s AND name = %s",
               [user.id, "shopify-sidecar-dev"])
key = compat.generate_api_key(user, "shopify-sidecar-dev", datetime.now() + timedelta(days=365))

params = env["ir.config_parameter"].sudo()
params.set_param("shopify_sync.shop_domain", os.environ.get("SHOPIFY_SHOP") or "demo.myshopify.com")
if os.environ.get("SIDECAR_URL"):
    params.set_param("shopify_sync.sidecar_url", os.environ["SIDECAR_URL"])
if os.environ.get("SIDECAR_SHARED_SECRET"):
    params.set_param("shopify_sync.shared_secret", os.environ["SIDECAR_SHARED_SECRET"])

ctx = dict(shopify_sync_origin=True, tracking_disable=True)
company = env.company
warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], order="id", limit=1)
location_gid = os.environ.get("SHOPIFY_LOCATION_GID") or "gid://shopify/Location/1"
Map = env["shopify.location.map"]
if not Map.search([("location_gid", "=", location_gid)]):
    Map.search([("warehouse_id", "=", warehouse.id)]).unlink()
    Map.create({"location_gid": location_gid, "name": "Dev shop location",
                "warehouse_id": warehouse.id})

# A 20 % tax-excluded sale tax mapped from Shopify's "VAT" 0.2 (conformance fixtures).
Tax = env["account.tax"].with_context(active_test=False)
tax = Tax.search([("name", "=", "Shopify dev VAT 20%"), ("company_id", "=", company.id)], limit=1)
if not tax:
    tax = Tax.create(compat.vals(Tax, {"name": "Shopify dev VAT 20%", "amount": 20.0,
                                       "amount_type": "percent", "type_tax_use": "sale",
                                       "company_id": company.id,
                                       "price_include_override": "tax_excluded"}))
TaxMap = env["shopify.tax.map"]
if not TaxMap.search([("title", "=", "VAT"), ("company_id", "=", company.id)]):
    TaxMap.create({"title": "VAT", "rate": 0.2, "tax_id": tax.id})

Product = env["product.product"].with_context(**ctx)
for sku, name, price, qty in [("SYNC-MUG-RED", "Sync mug (red)", 12.50, 10),
                              ("SYNC-TEE-BLUE", "Sync tee (blue)", 20.00, 5)]:
    product = Product.search([("default_code", "=", sku)], limit=1)
    if not product:
        product = Product.create(compat.vals(Product, {
            "name": name, "default_code": sku, "list_price": price, "type": "consu",
            "is_storable": True, "sale_ok": True, "taxes_id": [Command.set([tax.id])]}))
        env["stock.quant"].with_context(inventory_mode=True, **ctx).create({
            "product_id": product.id, "location_id": warehouse.lot_stock_id.id,
            "inventory_quantity": qty}).action_apply_inventory()

env.cr.commit()
with open(os.environ["KEYFILE"], "w") as handle:
    handle.write(key)
with open(os.environ["KEYFILE"] + ".uid", "w") as handle:
    handle.write(str(user.id))
print("seeded", login, user.id, warehouse.code, location_gid)
