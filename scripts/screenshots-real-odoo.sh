#!/usr/bin/env bash
# The documentation's screenshots (docs/images/*.png) from a real Odoo 18: installs shopify_sync
# with demo data on a throwaway database and runs the screenshot test
# (odoo_addon/shopify_sync/tests/test_screenshots.py, tag shopify_sync_screenshots): a scripted
# day of commerce through the contract (orders imported, confirmed, delivered, invoiced) with
# planted failures (an order with an unknown SKU, a held and a flagged order, a product Shopify
# refused), then Chrome (/usr/bin/chromium) as an admin and as a Sales user.
#
#   ODOO_SRC=/path/to/odoo-18 scripts/screenshots-real-odoo.sh [OUT_DIR]
#
# OUT_DIR defaults to docs/images. Environment as scripts/test-odoo.sh (DB_*, ODOO_TEST_HTTP_PORT,
# KEEP_DB=1). Log: var/test-odoo/<db>.log.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
PY=/usr/bin/python3
if [[ -z "${ODOO_SRC:-}" || ! -f "${ODOO_SRC}/odoo-bin" ]]; then
  echo "screenshots: set ODOO_SRC to an Odoo 18 source tree" >&2
  exit 2
fi
out="$(mkdir -p "${1:-$repo/docs/images}" && cd "${1:-$repo/docs/images}" && pwd)"

DB_HOST="${DB_HOST:-127.0.0.1}"
DB_PORT="${DB_PORT:-5432}"
DB_USER="${DB_USER:-odoo}"
DB_PASSWORD="${DB_PASSWORD:-odoo}"
export PGPASSWORD="$DB_PASSWORD"
# shellcheck source=scripts/lib-odoo-pg.sh
source "$here/lib-odoo-pg.sh"
ensure_postgres

db="t_shopify_shots_$$_$(date +%s)"
cleanup() {
  [[ "${KEEP_DB:-0}" == "1" ]] || dropdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" --if-exists "$db" 2>/dev/null || true
}
trap cleanup EXIT
mkdir -p "$repo/var/test-odoo"
log="$repo/var/test-odoo/$db.log"
port="${ODOO_TEST_HTTP_PORT:-8279}"
echo "screenshots: installing shopify_sync on $db, then Chrome takes the screens (log: $log)"
set +e
SHOPIFY_SCREENSHOTS_DIR="$out" "$PY" "$ODOO_SRC/odoo-bin" \
  --addons-path="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$repo/odoo_addon" \
  --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER" --db_password="$DB_PASSWORD" \
  -d "$db" -i shopify_sync --test-enable --test-tags shopify_sync_screenshots \
  --stop-after-init --max-cron-threads=0 --http-port="$port" --gevent-port=$((port + 1)) \
  --http-interface=127.0.0.1 >"$log" 2>&1
rc=$?
set -e
result="$(grep -E 'odoo\.tests\.result: ' "$log" | tail -1 | sed -E 's/.*odoo\.tests\.result: //')"
if [[ "$rc" != "0" || "$result" != 0\ failed,\ 0\ error* ]] || grep -qE ' (ERROR|CRITICAL) ' "$log"; then
  echo "screenshots: FAILED (exit $rc): ${result:-no test result line}"
  grep -E ' (ERROR|CRITICAL) ' "$log" | head -20 || true
  exit 1
fi
echo "screenshots: $result; in $out:"
ls -1 "$out"/*.png
