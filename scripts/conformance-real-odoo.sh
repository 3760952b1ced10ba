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

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY=/usr/bin/python3
if [[ -z "${ODOO_SRC:-}" || ! -f "${ODOO_SRC}/odoo-bin" ]]; then
  echo "conformance-real-odoo: set ODOO_SRC to an Odoo 17, 18 or 19 source tree" >&2
  exit 2
fi
# shellcheck source=scripts/lib-odoo-version.sh
source "$repo/scripts/lib-odoo-version.sh"
require_supported_odoo conformance-real-odoo "$ODOO_SRC"
read -r -a no_demo <<<"$(odoo_demo_args "$ODOO_MAJOR" nodemo)"
ADDONS_DIR="${ADDONS_DIR:-$repo/odoo_addon}"
if [[ ! -d "$ADDONS_DIR/shopify_sync" ]]; then
  echo "conformance-real-odoo: no shopify_sync in $ADDONS_DIR (set ADDONS_DIR)" >&2
  exit 2
fi
DB_HOST="${DB_HOST:-127.0.0.1}" DB_PORT="${DB_PORT:-5432}" DB_USER="${DB_USER:-odoo}" DB_PASSWORD="${DB_PASSWORD:-odoo}"
PORT="${ODOO_HTTP_PORT:-$(free_port)}"
DB="conformance_$$"
export PGPASSWORD="$DB_PASSWORD" PYTHONDONTWRITEBYTECODE=1
# shellcheck source=scripts/lib-odoo-pg.sh
source "$repo/scripts/lib-odoo-pg.sh"
ensure_postgres  # a fresh machine: start Debian's cluster and create the role, as test-odoo.sh does
work="$repo/var/conformance-odoo/$DB"  # one folder per run: two runs side by side must not share a key file
mkdir -p "$work"
args=(--addons-path="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$ADDONS_DIR"
      --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER" --db_password="$DB_PASSWORD" -d "$DB")

server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -f "$work/apikey"
  if [[ "${KEEP_DB:-0}" != "1" ]]; then
    dropdb --if-exists -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" "$DB" 2>/dev/null || true
  fi
}
trap cleanup EXIT

echo "conformance-real-odoo: installing shopify_sync in $DB (about a minute; log: $work/install.log)" >&2
"$PY" "$ODOO_SRC/odoo-bin" "${args[@]}" -i shopify_sync "${no_demo[@]}" \
  --stop-after-init --max-cron-threads=0 --http-port="$PORT" >"$work/install.log" 2>&1 \
  || { tail -20 "$work/install.log" >&2; exit 1; }

# The integration user has no email, like many customers' technical users: the addon must
# still post the chatter messages that order edits and return pickings write (Odoo alone
# refuses them: "Unable to send message, please configure the sender's email address").
KEYFILE="$work/apikey" "$PY" "$ODOO_SRC/odoo-bin" shell "${args[@]}" --no-http >"$work/seed.log" 2>&1 <<'PYTHON' || { tail -20 "$work/seed.log" >&2; exit 1; }
import os
from datetime import datetime, timedelta
from odoo import Command
from odoo.addons.shopify_sync import compat
group = env.ref("shopify_sync.group_shopify_integration")
Users = env["res.users"].with_context(no_reset_password=True)
user = Users.create(compat.vals(Users, {
    "name": "Shopify sidecar", "login": "shopify-sidecar",
    "groups_id": [Command.set([group.id])]}))
key = compat.generate_api_key(user, "conformance", datetime.now() + timedelta(days=1))
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
  odoo_answers "http://127.0.0.1:$PORT" && break
  sleep 1
done

cd "$repo"
ODOO_URL="http://127.0.0.1:$PORT" ODOO_DB="$DB" ODOO_USER=shopify-sidecar ODOO_API_KEY="$(cat "$work/apikey")" \
ODOO_ADMIN_USER=admin ODOO_ADMIN_PASSWORD=admin \
  npx mocha --no-config --node-option import=tsx --timeout 120000 ${CONFORMANCE_GREP:+--grep "$CONFORMANCE_GREP"} dev/conformance/real-odoo.test.ts
