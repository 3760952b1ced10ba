# A throwaway Odoo database with shopify_sync and the integration user, served on a free port:
# what scripts/with-real-odoo.sh and scripts/conformance-real-odoo.sh share. Sourced, in order:
#
#   throwaway_odoo_init NAME DB_PREFIX VAR_DIR   # checks, database name, work folder, cleanup trap
#   throwaway_odoo_install                       # -i shopify_sync, no demo data
#   throwaway_odoo_seed SHOP_DOMAIN <<'PYTHON'   # the user and its API key, the shop domain, then
#   ...the script's own set-up (Python, `env`)...#   this; commits and writes the key
#   PYTHON
#   throwaway_odoo_serve CRON_THREADS [ARGS...]  # serves Odoo and waits until it answers
#
# It sets repo, PY, ODOO_SRC's ODOO_MAJOR, ADDONS_DIR, DB_HOST/DB_PORT/DB_USER/DB_PASSWORD
# (default 127.0.0.1:5432 odoo/odoo), PORT (ODOO_HTTP_PORT or a free port), DB, work (the run's
# folder, logs included: two runs side by side share nothing), args (Odoo's database and addons
# options), ODOO_API_KEY (after the seed) and server_pid. KEEP_DB=1 keeps the database.

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY=/usr/bin/python3
# shellcheck source=scripts/lib-odoo-version.sh
source "$repo/scripts/lib-odoo-version.sh"

throwaway_odoo_init() {
  local name="$1" prefix="$2" var_dir="$3"
  throwaway_name="$name"
  if [[ -z "${ODOO_SRC:-}" || ! -f "${ODOO_SRC}/odoo-bin" ]]; then
    echo "$name: set ODOO_SRC to an Odoo 17, 18 or 19 source tree" >&2
    exit 2
  fi
  require_supported_odoo "$name" "$ODOO_SRC"
  read -r -a no_demo <<<"$(odoo_demo_args "$ODOO_MAJOR" nodemo)"
  ADDONS_DIR="${ADDONS_DIR:-$repo/odoo_addon}"
  if [[ ! -d "$ADDONS_DIR/shopify_sync" ]]; then
    echo "$name: no shopify_sync in $ADDONS_DIR (set ADDONS_DIR)" >&2
    exit 2
  fi
  DB_HOST="${DB_HOST:-127.0.0.1}" DB_PORT="${DB_PORT:-5432}" DB_USER="${DB_USER:-odoo}" DB_PASSWORD="${DB_PASSWORD:-odoo}"
  PORT="${ODOO_HTTP_PORT:-$(free_port)}"
  DB="${prefix}_$$"
  export PGPASSWORD="$DB_PASSWORD" PYTHONDONTWRITEBYTECODE=1
  # shellcheck source=scripts/lib-odoo-pg.sh
  source "$repo/scripts/lib-odoo-pg.sh"
  ensure_postgres  # a fresh machine: start Debian's cluster and create the role, as test-odoo.sh does
  work="$repo/var/$var_dir/$DB"  # one folder per run: two runs side by side must not share a key file
  mkdir -p "$work"
  args=(--addons-path="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$ADDONS_DIR"
        --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER" --db_password="$DB_PASSWORD" -d "$DB")
  server_pid=""
  trap throwaway_odoo_cleanup EXIT
}

throwaway_odoo_cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -f "$work/apikey"
  if [[ "${KEEP_DB:-0}" != "1" ]]; then
    dropdb --if-exists -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" "$DB" 2>/dev/null || true
  fi
}

throwaway_odoo_install() {
  echo "$throwaway_name: installing shopify_sync in $DB (about a minute; log: $work/install.log)" >&2
  "$PY" "$ODOO_SRC/odoo-bin" "${args[@]}" -i shopify_sync "${no_demo[@]}" \
    --stop-after-init --max-cron-threads=0 --http-port="$PORT" >"$work/install.log" 2>&1 \
    || { tail -20 "$work/install.log" >&2; exit 1; }
}

# The integration user has no email, like many customers' technical users: the addon must still
# post the chatter messages that order edits and return pickings write (Odoo alone refuses them:
# "Unable to send message, please configure the sender's email address").
throwaway_odoo_seed() {
  local shop_domain="$1" own
  own="$(cat)"
  KEYFILE="$work/apikey" SHOP_DOMAIN="$shop_domain" "$PY" "$ODOO_SRC/odoo-bin" shell "${args[@]}" --no-http \
    >"$work/seed.log" 2>&1 <<PYTHON || { tail -20 "$work/seed.log" >&2; exit 1; }
import os
from datetime import datetime, timedelta
from odoo import Command
from odoo.addons.shopify_sync import compat
group = env.ref("shopify_sync.group_shopify_integration")
Users = env["res.users"].with_context(no_reset_password=True)
user = Users.create(compat.vals(Users, {
    "name": "Shopify sidecar", "login": "shopify-sidecar",
    "groups_id": [Command.set([group.id])]}))
key = compat.generate_api_key(user, "$throwaway_name", datetime.now() + timedelta(days=1))
env["ir.config_parameter"].sudo().set_param("shopify_sync.shop_domain", os.environ["SHOP_DOMAIN"])
$own
env.cr.commit()
open(os.environ["KEYFILE"], "w").write(key)
PYTHON
  ODOO_API_KEY="$(cat "$work/apikey")"
}

throwaway_odoo_serve() {
  local cron_threads="$1"
  shift
  "$PY" "$ODOO_SRC/odoo-bin" "${args[@]}" --db-filter="^$DB\$" --http-interface=127.0.0.1 --http-port="$PORT" \
    --max-cron-threads="$cron_threads" --logfile="$work/server.log" "$@" &
  server_pid=$!
  for _ in $(seq 1 60); do
    odoo_answers "http://127.0.0.1:$PORT" && return 0
    sleep 1
  done
  echo "$throwaway_name: Odoo did not answer on port $PORT" >&2
  tail -20 "$work/server.log" >&2
  exit 1
}
