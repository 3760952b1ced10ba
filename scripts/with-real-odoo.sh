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

# shellcheck source=scripts/lib-odoo-throwaway.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib-odoo-throwaway.sh"
throwaway_odoo_init with-real-odoo real_odoo real-odoo
DEMO_PORT="${DEMO_PORT:-$(free_port)}"
mode=()
if [[ -n "${ODOO_WORKERS:-}" ]]; then
  # Multi-process: the gevent port must be free too; the limits are generous so that a long
  # bench request is not killed (docs/operations.md, "Sizing Odoo").
  mode=(--workers="$ODOO_WORKERS" --gevent-port="$(free_port)" --limit-time-cpu=600 --limit-time-real=1200
        --limit-memory-soft=2147483648 --limit-memory-hard=2684354560)
fi
throwaway_odoo_install
# The shop domain is the stack's simulated shop (dev/testing/stack.ts STACK_SHOP).
throwaway_odoo_seed e2e-shop.myshopify.com <<'PYTHON'
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
PYTHON
throwaway_odoo_serve 1 "${mode[@]}"

cd "$repo"
ODOO_URL="http://127.0.0.1:$PORT" ODOO_DB="$DB" ODOO_USER=shopify-sidecar ODOO_API_KEY="$ODOO_API_KEY" \
ODOO_ADMIN_USER=admin ODOO_ADMIN_PASSWORD=admin DEMO_PORT="$DEMO_PORT" ODOO_LOGFILE="$work/server.log" \
ODOO_DATABASE_URL="postgres://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT/$DB" \
  "$@"
