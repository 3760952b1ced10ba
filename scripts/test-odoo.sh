#!/usr/bin/env bash
# Install shopify_sync on throwaway databases of a real Odoo (17, 18 or 19: the tree's version is
# read from it) and run its tests: once with demo data and once without (both installs must
# work). `make test-odoo` runs it for each version (scripts/test-odoo-matrix.sh).
#
#   ODOO_SRC=/path/to/odoo scripts/test-odoo.sh [--skip-if-missing]
#
# Environment: ODOO_SRC (required), DB_HOST/DB_PORT/DB_USER/DB_PASSWORD (default the
# local Debian cluster, role odoo/odoo: started and created when absent and run as root),
# TEST_ODOO_MODES (default "demo nodemo"), ODOO_TEST_HTTP_PORT (default: a free port),
# KEEP_DB=1 to keep the databases, UPDATE_POT=1 to write the translation template Odoo 18
# exports (it is compared with the committed one). Logs: var/test-odoo/<db>.log.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
PY=/usr/bin/python3

skip_if_missing=0
[[ "${1:-}" == "--skip-if-missing" ]] && skip_if_missing=1
if [[ -z "${ODOO_SRC:-}" || ! -f "${ODOO_SRC}/odoo-bin" ]]; then
  echo "skipped: set ODOO_SRC to an Odoo 17, 18 or 19 source tree (see docs/development.md)"
  [[ "$skip_if_missing" == "1" ]] && exit 0
  exit 2
fi
# shellcheck source=scripts/lib-odoo-version.sh
source "$here/lib-odoo-version.sh"
require_supported_odoo test-odoo "$ODOO_SRC"

DB_HOST="${DB_HOST:-127.0.0.1}"
DB_PORT="${DB_PORT:-5432}"
DB_USER="${DB_USER:-odoo}"
DB_PASSWORD="${DB_PASSWORD:-odoo}"
export PGPASSWORD="$DB_PASSWORD"
# shellcheck source=scripts/lib-odoo-pg.sh
source "$here/lib-odoo-pg.sh"
ensure_postgres

"$PY" "$here/check_addon.py"

logdir="$repo/var/test-odoo"
mkdir -p "$logdir"
port="${ODOO_TEST_HTTP_PORT:-$(free_port)}"
status=0
dbs=()
cleanup() {
  if [[ "${KEEP_DB:-0}" != "1" ]]; then
    for db in "${dbs[@]}"; do
      dropdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" --if-exists "$db" 2>/dev/null || true
    done
  fi
}
trap cleanup EXIT

pot="$repo/odoo_addon/shopify_sync/i18n/shopify_sync.pot"
# The export without its two timestamps, so an unchanged template compares equal.
pot_body() { grep -v -E '^"(POT-Creation-Date|PO-Revision-Date): ' "$1"; }
check_pot() {
  local exported="$logdir/$1.pot"
  "$PY" "$ODOO_SRC/odoo-bin" \
    --addons-path="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$repo/odoo_addon" \
    --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER" --db_password="$DB_PASSWORD" \
    -d "$1" --i18n-export="$exported" --modules=shopify_sync --stop-after-init \
    >>"$logdir/$1.log" 2>&1 || { echo "test-odoo: exporting the translation template failed (log: $logdir/$1.log)"; return 1; }
  if diff -q <(pot_body "$pot") <(pot_body "$exported") >/dev/null; then
    echo "test-odoo: [Odoo 18] i18n/shopify_sync.pot is current"
  elif [[ "${UPDATE_POT:-0}" == "1" ]]; then
    cp "$exported" "$pot"
    echo "test-odoo: [Odoo 18] i18n/shopify_sync.pot written from the export"
  else
    echo "test-odoo: [Odoo 18] i18n/shopify_sync.pot is stale: labels changed since it was exported"
    diff <(pot_body "$pot") <(pot_body "$exported") | grep -E '^[<>] msgid' | head -10 || true
    echo "  fix: UPDATE_POT=1 TEST_ODOO_MODES=nodemo ODOO_SRC=<odoo 18> scripts/test-odoo.sh, and commit the file"
    return 1
  fi
}

for mode in ${TEST_ODOO_MODES:-demo nodemo}; do
  db="t_shopify_sync_${ODOO_MAJOR}_${mode}_$$_$(date +%s)"
  dbs+=("$db")
  read -r -a extra <<<"$(odoo_demo_args "$ODOO_MAJOR" "$mode")"
  log="$logdir/$db.log"
  echo "test-odoo: [Odoo $ODOO_MAJOR, $mode] installing shopify_sync on $db and running its tests (log: $log)"
  start=$(date +%s)
  set +e
  "$PY" "$ODOO_SRC/odoo-bin" \
    --addons-path="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$repo/odoo_addon" \
    --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER" --db_password="$DB_PASSWORD" \
    -d "$db" -i shopify_sync "${extra[@]}" --test-enable --test-tags /shopify_sync \
    --stop-after-init --max-cron-threads=0 --http-port="$port" --gevent-port=$((port + 1)) \
    --http-interface=127.0.0.1 >"$log" 2>&1
  rc=$?
  set -e
  elapsed=$(( $(date +%s) - start ))
  result="$(grep -E 'odoo\.tests\.result: ' "$log" | tail -1 | sed -E 's/.*odoo\.tests\.result: //')"
  stats="$(grep -E 'odoo\.tests\.stats: shopify_sync' "$log" | tail -1 | sed -E 's/.*odoo\.tests\.stats: //')"
  problems="$(grep -E ' (ERROR|CRITICAL) ' "$log" | head -20 || true)"
  if [[ "$rc" != "0" || -n "$problems" || -z "$result" || "$result" != 0\ failed,\ 0\ error* ]]; then
    echo "test-odoo: [Odoo $ODOO_MAJOR, $mode] FAILED (exit $rc, ${elapsed}s): ${result:-no test result line}"
    [[ -n "$problems" ]] && echo "$problems"
    status=1
  else
    echo "test-odoo: [Odoo $ODOO_MAJOR, $mode] OK in ${elapsed}s: $result ($stats)"
  fi
  # The translation template is Odoo 18's export of the addon: a label added or changed without
  # exporting it again would never reach translators. UPDATE_POT=1 writes the fresh export.
  if [[ "$mode" == "nodemo" && "$ODOO_MAJOR" == "18" ]] && ! check_pot "$db"; then status=1; fi
done
exit $status
