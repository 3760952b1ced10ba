"""Where `apply_order` spends its time and its SQL queries, against Odoo's own floor.

Run inside `odoo-bin shell` on a database with shopify_sync and the integration user that
scripts/with-real-odoo.sh creates (login shopify-sidecar), e.g.:

    KEEP_DB=1 ODOO_SRC=/path/to/odoo-18 scripts/with-real-odoo.sh true
    odoo-bin shell -d <that database> ... < scripts/profile_apply_order.py

For N new orders each (PROFILE_ORDERS, default 10), one commit per order as one request would:
the floor (the admin creates the customer with its invoice and delivery addresses, the sales
order with a product line and a shipping line, then confirms it: Odoo's plain ORM) and the
addon's `apply_order` of the matching order document as the integration user. Prints the mean
time and SQL queries per order of each, the queries per addon function (the innermost
shopify_sync frame of each query's stack), and cProfile's top functions of the addon's runs.
Not part of any test (docs/operations.md, "Benchmark", "Where apply_order spends its time").
"""
import collections
import cProfile
import io
import os
import pstats
import sys
import time

from odoo import Command
from odoo.sql_db import Cursor

N = int(os.environ.get("PROFILE_ORDERS", "10"))
RUN = str(int(time.time()) % 1000000)
ADDON = os.sep + "shopify_sync" + os.sep

env = globals()["env"]  # noqa: F821 (odoo-bin shell's environment)
admin = env.ref("base.user_admin")
sidecar = env["res.users"].search([("login", "=", "shopify-sidecar")], limit=1)
Product = env["product.product"].with_user(admin)
product = Product.search([("default_code", "=", "BENCH-PROF")], limit=1) or Product.create(
    {"name": "Profile item", "default_code": "BENCH-PROF", "list_price": 10, "type": "consu"})
shipping = env.ref("shopify_sync.product_shopify_shipping").product_variant_id
france = env.ref("base.fr")
warehouse = env["stock.warehouse"].search([], order="id", limit=1)
currency = env.company.currency_id.name
env.cr.commit()

ADDRESS = {"street": "1 rue de la Paix", "city": "Paris", "zip": "75002", "country_id": france.id}
DOC_ADDRESS = {"name": "Ada Lovelace", "company": None, "address1": "1 rue de la Paix",
               "address2": None, "city": "Paris", "province_code": None, "zip": "75002",
               "country_code": "FR", "phone": None}


def floor_order(tag):
    e = env(user=admin)
    name = f"Ada Floor{tag}"
    partner = e["res.partner"].create({
        "name": name, "email": f"floor{tag}@example.com", "phone": "+33 1 23 45 67 89",
        "customer_rank": 1,
        "child_ids": [Command.create(dict(ADDRESS, name=name, type="invoice")),
                      Command.create(dict(ADDRESS, name=name, type="delivery"))]})
    order = e["sale.order"].create({
        "partner_id": partner.id, "warehouse_id": warehouse.id,
        "client_order_ref": f"#F{tag}", "origin": f"Shopify #F{tag}",
        "order_line": [
            Command.create({"product_id": product.id, "name": "Item", "product_uom_qty": 1,
                            "price_unit": 10, "tax_id": [Command.set([])]}),
            Command.create({"product_id": shipping.id, "name": "Standard", "product_uom_qty": 1,
                            "price_unit": 5, "tax_id": [Command.set([])]})]})
    order.action_confirm()


def order_document(tag):
    return {
        "order_gid": f"gid://shopify/Order/5{tag}", "name": f"#P{tag}",
        "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T10:00:00Z",
        "currency": currency, "presentment_currency": currency, "taxes_included": False,
        "financial_status": "paid", "fulfillment_status": None, "cancelled_at": None,
        "customer": {"customer_gid": f"gid://shopify/Customer/5{tag}",
                     "email": f"addon{tag}@example.com", "first_name": "Ada",
                     "last_name": f"Lovelace{tag}", "phone": "+33 1 23 45 67 89",
                     "default_address": None, "updated_at": "2026-11-01T10:00:00Z"},
        "billing_address": DOC_ADDRESS, "shipping_address": DOC_ADDRESS,
        "location_gid": "gid://shopify/Location/101",
        "lines": [{"line_gid": f"gid://shopify/LineItem/5{tag}", "sku": "BENCH-PROF",
                   "title": "Item", "quantity": 1, "price_unit": "10.00", "discount": "0.00",
                   "tax_lines": []}],
        "shipping_lines": [{"title": "Standard", "code": "STD", "price": "5.00",
                            "discount": "0.00", "tax_lines": []}],
        "subtotal_price": "10.00", "total_tax": "0.00", "total_discounts": "0.00",
        "total_price": "15.00", "note": None,
    }


def addon_order(tag):
    result = env(user=sidecar)["shopify.sync.api"].apply_order(order_document(tag))
    assert result["status"] == "created" and result["state"] == "sale", result


def measure(label, code, one, profile=None):
    times, queries = [], []
    for i in range(N):
        tag = f"{RUN}{code}{i:04d}"
        env.invalidate_all()  # a new request's empty record cache; ormcaches stay warm
        before = env.cr.sql_log_count
        start = time.perf_counter()
        if profile:
            profile.enable()
        one(tag)
        if profile:
            profile.disable()
        env.cr.commit()
        times.append(time.perf_counter() - start)
        queries.append(env.cr.sql_log_count - before)
    print(f"{label}: {sum(times) / N * 1000:.0f} ms and {sum(queries) / N:.1f} queries per order "
          f"(min {min(times) * 1000:.0f} ms)")
    return sum(times) / N, sum(queries) / N


callers = collections.Counter()
sql_seconds = collections.Counter()
original_execute = Cursor.execute


def counting_execute(self, query, params=None, log_exceptions=True):
    frame = sys._getframe(1)
    where = "outside shopify_sync"
    while frame:
        if ADDON in frame.f_code.co_filename:
            where = f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_code.co_name}"
            break
        frame = frame.f_back
    callers[where] += 1
    start = time.perf_counter()
    try:
        return original_execute(self, query, params, log_exceptions)
    finally:
        sql_seconds[where] += time.perf_counter() - start


env.cr.sql_log_count = 0
floor_order(f"{RUN}90000")
addon_order(f"{RUN}90000")  # warm-up of both, not counted
env.cr.commit()
# Alternated, without instrumentation: the machine's load moves both alike.
floor_t = floor_q = addon_t = addon_q = 0.0
for rnd in range(2):
    t, q = measure("floor", 1 + 2 * rnd, floor_order)
    floor_t, floor_q = floor_t + t / 2, floor_q + q / 2
    t, q = measure("apply_order", 2 + 2 * rnd, addon_order)
    addon_t, addon_q = addon_t + t / 2, addon_q + q / 2
print(f"ratio: time {addon_t / floor_t:.2f}x, queries {addon_q / floor_q:.2f}x")
Cursor.execute = counting_execute
profile = cProfile.Profile()
measure("apply_order (profiled)", 6, addon_order, profile)
Cursor.execute = original_execute
print("queries and SQL ms per order by the innermost shopify_sync function on the stack:")
for where, count in callers.most_common(25):
    print(f"  {count / N:6.1f} {sql_seconds[where] * 1000 / N:7.1f} ms  {where}")
out = io.StringIO()
pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
print(out.getvalue())
