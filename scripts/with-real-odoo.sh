#!/usr/bin/env bash
# Runs a command against a real Odoo (17, 18 or 19) with shopify_sync on a throwaway database:
#   1. creates the database with shopify_sync, no demo data;
#   2. creates the integration user (group "Shopify: integration") with an API key, sets the
#      shop domain to the stack's simulated shop, maps the first warehouse to the simulator's
#      location gid://shopify/Location/101 and a second warehouse (created) to .../102;
#   3. serves Odoo on 127.0.0.1 (a free port), runs the command with ODOO_URL/ODOO_DB/ODOO_USER/
#      ODOO_API_KEY (and the merchant as ODOO_ADMIN_USER/ODOO_ADMIN_PASSWORD = admin/admin),
#      ODOO_DATABASE_URL (Odoo's database, which the bench reads) and DEMO_PORT (a free port),
#      stops Odoo, drops the database.
# The simulated shop sells in the Odoo company's currency (the demo, the e2e suite and the bench
# read it), so Odoo's currency is left as installed.
#
#   ODOO_SRC=/path/to/odoo scripts/with-real-odoo.sh CMD ARGS...
# Used by scripts/e2e-real-odoo.sh, scripts/demo-real-odoo.sh and scripts/bench-real-odoo.sh.
#
# Environment: ODOO_SRC (required), ADDONS_DIR (default <repo>/odoo_addon),
# DB_HOST/DB_PORT/DB_USER/DB_PASSWORD (default 127.0.0.1:5432 odoo/odoo), ODOO_HTTP_PORT and
# DEMO_PORT (default: free ports), KEEP_DB=1 to keep the database; Odoo's logs in var/real-odoo/<database>/
# (the server's log is passed to the command as ODOO_LOGFILE). ODOO_WORKERS=N serves Odoo as in
# production, multi-process with N HTTP workers (default: threaded, as the tests run it). Odoo
# runs one cron thread (worker) for the addon's "Shopify: reserve imported orders' deliveries";
# every other scheduled action is deactivated in the throwaway database. SHOPIFY_RESERVATION
# (at_import or after_import) sets the addon's "Reserve stock" (default: the addon's default).
set -euo pipefail
if [[ $# -eq 0 ]]; then
  echo "with-real-odoo: give the command to run, e.g. scripts/with-real-odoo.sh node --import tsx dev/demo/main.ts --check" >&2
  exit 2
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY=/usr/bin/python3
if [[ -z "${ODOO_SRC:-}" || ! -f "${ODOO_SRC}/odoo-bin" ]]; then
  echo "with-real-odoo: set ODOO_SRC to an Odoo 17, 18 or 19 source tree" >&2
  exit 2
fi
# shellcheck source=scripts/lib-odoo-version.sh
source "$repo/scripts/lib-odoo-version.sh"
require_supported_odoo with-real-odoo "$ODOO_SRC"
read -r -a no_demo <<<"$(odoo_demo_args "$ODOO_MAJOR" nodemo)"
ADDONS_DIR="${ADDONS_DIR:-$repo/odoo_addon}"
if [[ ! -d "$ADDONS_DIR/shopify_sync" ]]; then
  echo "with-real-odoo: no shopify_sync in $ADDONS_DIR (set ADDONS_DIR)" >&2
  exit 2
fi
DB_HOST="${DB_HOST:-127.0.0.1}" DB_PORT="${DB_PORT:-5432}" DB_USER="${DB_USER:-odoo}" DB_PASSWORD="${DB_PASSWORD:-odoo}"
PORT="${ODOO_HTTP_PORT:-$(free_port)}"
DB="real_odoo_$$"
DEMO_PORT="${DEMO_PORT:-$(free_port)}"
export PGPASSWORD="$DB_PASSWORD" PYTHONDONTWRITEBYTECODE=1
# shellcheck source=scripts/lib-odoo-pg.sh
source "$repo/scripts/lib-odoo-pg.sh"
ensure_postgres  # a fresh machine: start Debian's cluster and create the role, as test-odoo.sh does
work="$repo/var/real-odoo/$DB"  # one folder per run: two runs side by side must not share a key file
mkdir -p "$work"
args=(--addons-path="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$ADDONS_DIR"
      --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER" --db_password="$DB_PASSWORD" -d "$DB")

server_pid=""
mode=()
if [[ -n "${ODOO_WORKERS:-}" ]]; then
  # Multi-process: the gevent port must be free too; the limits are generous so that a long
  # bench request is not killed (docs/operations.md, "Sizing Odoo").
  mode=(--workers="$ODOO_WORKERS" --gevent-port="$(free_port)" --limit-time-cpu=600 --limit-time-real=1200
        --limit-memory-soft=2147483648 --limit-memory-hard=2684354560)
fi
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -f "$work/apikey"
  if [[ "${KEEP_DB:-0}" != "1" ]]; then
    dropdb --if-exists -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" "$DB" 2>/dev/null || true
  fi
}
trap cleanup EXIT

echo "with-real-odoo: installing shopify_sync in $DB (about a minute; log: $work/install.log)" >&2
"$PY" "$ODOO_SRC/odoo-bin" "${args[@]}" -i shopify_sync "${no_demo[@]}" \
  --stop-after-init --max-cron-threads=0 --http-port="$PORT" >"$work/install.log" 2>&1 \
  || { tail -20 "$work/install.log" >&2; exit 1; }

# The shop domain is the stack's simulated shop (dev/testing/stack.ts STACK_SHOP).
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
key = compat.generate_api_key(user, "real-odoo", datetime.now() + timedelta(days=1))
env["ir.config_parameter"].sudo().set_param("shopify_sync.shop_domain", "e2e-shop.myshopify.com")
main = env["stock.warehouse"].search([], order="id", limit=1)
second = env["stock.warehouse"].create({"name": "Second Warehouse", "code": "WH2"})
env["shopify.location.map"].create({"location_gid": "gid://shopify/Location/101", "name": "Main", "warehouse_id": main.id})
env["shopify.location.map"].create({"location_gid": "gid://shopify/Location/102", "name": "Second", "warehouse_id": second.id})
# One cron thread runs the addon's reservation right after each import, as in production; every
# other scheduled action is switched off so that runs stay the same from one to the next.
reserve = env.ref("shopify_sync.ir_cron_shopify_reserve")
if os.environ.get("SHOPIFY_RESERVATION"):  # e.g. at_import, to measure Odoo's default
    env["ir.config_parameter"].sudo().set_param("shopify_sync.reservation", os.environ["SHOPIFY_RESERVATION"])
env["ir.cron"].with_context(active_test=False).search([("id", "!=", reserve.id)]).write({"active": False})
env.cr.commit()
open(os.environ["KEYFILE"], "w").write(key)
PYTHON

"$PY" "$ODOO_SRC/odoo-bin" "${args[@]}" --db-filter="^$DB\$" --http-interface=127.0.0.1 --http-port="$PORT" \
  --max-cron-threads=1 --logfile="$work/server.log" "${mode[@]}" &
server_pid=$!
up=0
for _ in $(seq 1 60); do
  if odoo_answers "http://127.0.0.1:$PORT"; then up=1; break; fi
  sleep 1
done
[[ "$up" == 1 ]] || { echo "with-real-odoo: Odoo did not answer on port $PORT" >&2; tail -20 "$work/server.log" >&2; exit 1; }

cd "$repo"
ODOO_URL="http://127.0.0.1:$PORT" ODOO_DB="$DB" ODOO_USER=shopify-sidecar ODOO_API_KEY="$(cat "$work/apikey")" \
ODOO_ADMIN_USER=admin ODOO_ADMIN_PASSWORD=admin DEMO_PORT="$DEMO_PORT" ODOO_LOGFILE="$work/server.log" \
ODOO_DATABASE_URL="postgres://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT/$DB" \
  "$@"
