#!/usr/bin/env bash
# Serve a real Odoo (17, 18 or 19) with shopify_sync installed, for the sidecar and the conformance
# suite. Creates the database (once), the integration user with an API key, a Shopify
# location mapping and a small seed (SKUs, tax mapping), then serves on 127.0.0.1.
#
#   ODOO_SRC=/path/to/odoo scripts/odoo-dev-server.sh
#
# Environment (all optional except ODOO_SRC):
#   DB_HOST/DB_PORT/DB_USER/DB_PASSWORD  PostgreSQL (default 127.0.0.1:5432 odoo/odoo)
#   ODOO_DB           database name (default shopify_dev)
#   ODOO_DB_RESET=1   drop and recreate the database
#   ODOO_DEMO=0       install without demo data
#   ODOO_HTTP_PORT    default 8069
#   SHOPIFY_SHOP      default demo.myshopify.com
#   SHOPIFY_LOCATION_GID  default gid://shopify/Location/1 (mapped to the main warehouse)
#   SIDECAR_URL, SIDECAR_SHARED_SECRET  written to the addon settings when given
#   ODOO_PREPARE_ONLY=1   prepare and print, but do not serve
# Prints ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY lines (before serving).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
PY=/usr/bin/python3

if [[ -z "${ODOO_SRC:-}" || ! -f "${ODOO_SRC}/odoo-bin" ]]; then
  echo "odoo-dev-server: set ODOO_SRC to an Odoo 17, 18 or 19 source tree (see docs/development.md)" >&2
  exit 2
fi
# shellcheck source=scripts/lib-odoo-version.sh
source "$here/lib-odoo-version.sh"
require_supported_odoo odoo-dev-server "$ODOO_SRC"

DB_HOST="${DB_HOST:-127.0.0.1}"
DB_PORT="${DB_PORT:-5432}"
DB_USER="${DB_USER:-odoo}"
DB_PASSWORD="${DB_PASSWORD:-odoo}"
ODOO_DB="${ODOO_DB:-shopify_dev}"
ODOO_HTTP_PORT="${ODOO_HTTP_PORT:-8069}"
SHOPIFY_SHOP="${SHOPIFY_SHOP:-demo.myshopify.com}"
SHOPIFY_LOCATION_GID="${SHOPIFY_LOCATION_GID:-gid://shopify/Location/1}"
ODOO_USER_LOGIN="${ODOO_USER_LOGIN:-shopify-sidecar}"
export PGPASSWORD="$DB_PASSWORD"

# shellcheck source=scripts/lib-odoo-pg.sh
source "$here/lib-odoo-pg.sh"
ensure_postgres

odoo_args=(
  --addons-path="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$repo/odoo_addon"
  --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER" --db_password="$DB_PASSWORD"
  -d "$ODOO_DB"
)
logdir="$repo/var/odoo-dev"
mkdir -p "$logdir"

if [[ "${ODOO_DB_RESET:-0}" == "1" ]] && db_exists "$ODOO_DB"; then
  echo "odoo-dev-server: dropping $ODOO_DB" >&2
  dropdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" "$ODOO_DB"
fi

demo_mode=demo
[[ "${ODOO_DEMO:-1}" == "0" ]] && demo_mode=nodemo
read -r -a demo_args <<<"$(odoo_demo_args "$ODOO_MAJOR" "$demo_mode")"

if ! db_exists "$ODOO_DB"; then
  echo "odoo-dev-server: creating $ODOO_DB with shopify_sync (about a minute; log: $logdir/install.log)" >&2
  init=(-i shopify_sync)
else
  echo "odoo-dev-server: updating shopify_sync in $ODOO_DB (log: $logdir/install.log)" >&2
  init=(-u shopify_sync)
fi
if ! "$PY" "$ODOO_SRC/odoo-bin" "${odoo_args[@]}" "${init[@]}" "${demo_args[@]}" \
     --stop-after-init --max-cron-threads=0 --http-port="$ODOO_HTTP_PORT" \
     >"$logdir/install.log" 2>&1; then
  echo "odoo-dev-server: install failed, see $logdir/install.log" >&2
  tail -20 "$logdir/install.log" >&2
  exit 1
fi

keyfile="$logdir/$ODOO_DB.apikey"
SHOPIFY_SHOP="$SHOPIFY_SHOP" SHOPIFY_LOCATION_GID="$SHOPIFY_LOCATION_GID" \
SIDECAR_URL="${SIDECAR_URL:-}" SIDECAR_SHARED_SECRET="${SIDECAR_SHARED_SECRET:-}" \
ODOO_USER_LOGIN="$ODOO_USER_LOGIN" KEYFILE="$keyfile" \
"$PY" "$ODOO_SRC/odoo-bin" shell "${odoo_args[@]}" --no-http \
  <"$here/odoo_dev_seed.py" >"$logdir/seed.log" 2>&1 || {
  echo "odoo-dev-server: seeding failed, see $logdir/seed.log" >&2
  tail -20 "$logdir/seed.log" >&2
  exit 1
}
if [[ ! -s "$keyfile" ]]; then
  echo "odoo-dev-server: no API key was generated, see $logdir/seed.log" >&2
  exit 1
fi

echo "ODOO_URL=http://127.0.0.1:$ODOO_HTTP_PORT"
echo "ODOO_DB=$ODOO_DB"
echo "ODOO_USER=$ODOO_USER_LOGIN"
echo "ODOO_API_KEY=$(cat "$keyfile")"
echo "ODOO_UID=$(cat "$keyfile.uid")"

if [[ "${ODOO_PREPARE_ONLY:-0}" == "1" ]]; then
  exit 0
fi
exec "$PY" "$ODOO_SRC/odoo-bin" "${odoo_args[@]}" --db-filter="^${ODOO_DB}\$" \
  --http-interface=127.0.0.1 --http-port="$ODOO_HTTP_PORT" --max-cron-threads=1 \
  --logfile="$logdir/server.log"
