#!/usr/bin/env bash
# Runs the contract conformance suite (dev/conformance/real-odoo.test.ts) against a
# real Odoo (17, 18 or 19) with shopify_sync, on a throwaway database, over the transport the
# sidecar takes for that version (ODOO_PROTOCOL, default auto: JSON-2 on 19, JSON-RPC before):
#   1. creates the database with shopify_sync (which depends on stock_delivery for tracking
#      numbers), no demo data;
#   2. creates the integration user (group "Shopify: integration") with an API key, and maps
#      the main warehouse to gid://shopify/Location/1;
#   3. serves Odoo on 127.0.0.1:$ODOO_HTTP_PORT, runs the suite, stops Odoo, drops the database.
#
#   ODOO_SRC=/path/to/odoo scripts/conformance-real-odoo.sh
#
# Environment: ODOO_SRC (required), ADDONS_DIR (default <repo>/odoo_addon),
# DB_HOST/DB_PORT/DB_USER/DB_PASSWORD (default 127.0.0.1:5432 odoo/odoo), ODOO_HTTP_PORT
# (default: a free port), ODOO_PROTOCOL (default auto), KEEP_DB=1 to keep the database and its
# log in var/conformance-odoo/<database>/, CONFORMANCE_GREP to run only the scenarios whose title matches
# (mocha --grep).
set -euo pipefail

# shellcheck source=scripts/lib-odoo-throwaway.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib-odoo-throwaway.sh"
throwaway_odoo_init conformance-real-odoo conformance conformance-odoo
throwaway_odoo_install
throwaway_odoo_seed conformance.myshopify.com <<'PYTHON'
warehouse = env["stock.warehouse"].search([], order="id", limit=1)
env["shopify.location.map"].create({"location_gid": "gid://shopify/Location/1", "name": "Main", "warehouse_id": warehouse.id})
PYTHON
throwaway_odoo_serve 0

cd "$repo"
ODOO_URL="http://127.0.0.1:$PORT" ODOO_DB="$DB" ODOO_USER=shopify-sidecar ODOO_API_KEY="$ODOO_API_KEY" \
ODOO_ADMIN_USER=admin ODOO_ADMIN_PASSWORD=admin \
  npx mocha --no-config --node-option import=tsx --timeout 120000 ${CONFORMANCE_GREP:+--grep "$CONFORMANCE_GREP"} dev/conformance/real-odoo.test.ts
