#!/usr/bin/env bash
# Runs the contract conformance suite (dev/conformance/real-odoo.test.ts) against a
# real Odoo 18 with shopify_sync, on a throwaway database:
#   1. creates the database with shopify_sync (which depends on stock_delivery for tracking
#      numbers), no demo data;
#   2. creates the integration user (group "Shopify: integration") with an API key, and maps
#      the main warehouse to gid://shopify/Location/1;
#   3. serves Odoo on 127.0.0.1:$ODOO_HTTP_PORT, runs the suite, stops Odoo, drops the database.
#
#   ODOO_SRC=/path/to/odoo-18 scripts/conformance-real-odoo.sh
#
# Environment: ODOO_SRC (required), ADDONS_DIR (default <repo>/odoo_addon),
# DB_HOST/DB_PORT/DB_USER/DB_PASSWORD (default 127.0.0.1:5432 odoo/odoo), ODOO_HTTP_PORT
# (default 8075), KEEP_DB=1 to keep the database and its log in var/conformance-odoo/,
# CONFORMANCE_GREP to run only the scenarios whose title matches (mocha --grep).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY=/usr/bin/python3
if [[ -z "${ODOO_SRC:-}" || ! -f "${ODOO_SRC}/odoo-bin" ]]; then
  echo "conformance-real-odoo: set ODOO_SRC to an Odoo 18 source tree" >&2
  exit 2
fi
ADDONS_DIR="${ADDONS_DIR:-$repo/odoo_addon}"
if [[ ! -d "$ADDONS_DIR/shopify_sync" ]]; then
  echo "conformance-real-odoo: no shopify_sync in $ADDONS_DIR (set ADDONS_DIR)" >&2
  exit 2
fi
DB_HOST="${DB_HOST:-127.0.0.1}" DB_PORT="${DB_PORT:-5432}" DB_USER="${DB_USER:-odoo}" DB_PASSWORD="${DB_PASSWORD:-odoo}"
PORT="${ODOO_HTTP_PORT:-8075}"
DB="conformance_$$"
export PGPASSWORD="$DB_PASSWORD" PYTHONDONTWRITEBYTECODE=1
work="$repo/var/conformance-odoo"
mkdir -p "$work"
args=(--addons-path="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$ADDONS_DIR"
      --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER" --db_password="$DB_PASSWORD" -d "$DB")

server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  if [[ "${KEEP_DB:-0}" != "1" ]]; then
    dropdb --if-exists -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" "$DB" 2>/dev/null || true
  fi
}
trap cleanup EXIT

echo "conformance-real-odoo: installing shopify_sync in $DB (about a minute; log: $work/install.log)" >&2
"$PY" "$ODOO_SRC/odoo-bin" "${args[@]}" -i shopify_sync --without-demo=all \
  --stop-after-init --max-cron-threads=0 --http-port="$PORT" >"$work/install.log" 2>&1 \
  || { tail -20 "$work/install.log" >&2; exit 1; }

# The integration user has no email, like many customers' technical users: the addon must
# still post the chatter messages that order edits and return pickings write (Odoo alone
# refuses them: "Unable to send message, please configure the sender's email address").
KEYFILE="$work/apikey" "$PY" "$ODOO_SRC/odoo-bin" shell "${args[@]}" --no-http >"$work/seed.log" 2>&1 <<'PYTHON' || { tail -20 "$work/seed.log" >&2; exit 1; }
import os
from datetime import datetime, timedelta
from odoo import Command
group = env.ref("shopify_sync.group_shopify_integration")
user = env["res.users"].with_context(no_reset_password=True).create({
    "name": "Shopify sidecar", "login": "shopify-sidecar",
    "groups_id": [Command.set([group.id])]})
key = env["res.users.apikeys"].with_user(user)._generate(None, "conformance", datetime.now() + timedelta(days=1))
env["ir.config_parameter"].sudo().set_param("shopify_sync.shop_domain", "conformance.myshopify.com")
warehouse = env["stock.warehouse"].search([], order="id", limit=1)
env["shopify.location.map"].create({"location_gid": "gid://shopify/Location/1", "name": "Main", "warehouse_id": warehouse.id})
env.cr.commit()
open(os.environ["KEYFILE"], "w").write(key)
PYTHON

"$PY" "$ODOO_SRC/odoo-bin" "${args[@]}" --db-filter="^$DB\$" --http-interface=127.0.0.1 --http-port="$PORT" \
  --max-cron-threads=0 --logfile="$work/server.log" &
server_pid=$!
for _ in $(seq 1 60); do
  curl -sf -o /dev/null -X POST -H 'content-type: application/json' \
    -d '{"jsonrpc":"2.0","method":"call","params":{"service":"common","method":"version","args":[]}}' \
    "http://127.0.0.1:$PORT/jsonrpc" && break
  sleep 1
done

cd "$repo"
ODOO_URL="http://127.0.0.1:$PORT" ODOO_DB="$DB" ODOO_USER=shopify-sidecar ODOO_API_KEY="$(cat "$work/apikey")" \
ODOO_ADMIN_USER=admin ODOO_ADMIN_PASSWORD=admin \
  npx mocha --no-config --node-option import=tsx --timeout 120000 ${CONFORMANCE_GREP:+--grep "$CONFORMANCE_GREP"} dev/conformance/real-odoo.test.ts
