#!/usr/bin/env bash
# Upgrade path of shopify_sync on a real Odoo (17, 18 or 19), on a throwaway database:
#   1. odoo-bin -i shopify_sync (no demo data);
#   2. Settings: safety stock 0, saved; then 5, saved (odoo-bin shell): res.config.settings
#      deletes a parameter saved as 0, XML id included, and creates a new row for the next value
#      (an XML data record for it would insert again on `-u` and fail on
#      ir_config_parameter_key_uniq);
#   3. the database is set back to addon version 1.3.0 as it was left on 17.0 (the housekeeping
#      cron out of calls and deactivated), so Odoo's loader runs migrations/1.3.1;
#   4. odoo-bin -u shopify_sync must succeed, keep the safety stock at 5, record the manifest's
#      version and (17.0) leave the cron running without limit.
#
#   ODOO_SRC=/path/to/odoo scripts/check-upgrade-odoo.sh
#
# Environment: ODOO_SRC (required), DB_HOST/DB_PORT/DB_USER/DB_PASSWORD (default
# 127.0.0.1:5432 odoo/odoo), KEEP_DB=1 keeps the database. Logs: var/check-upgrade-odoo/.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY=/usr/bin/python3
if [[ -z "${ODOO_SRC:-}" || ! -f "${ODOO_SRC}/odoo-bin" ]]; then
  echo "check-upgrade-odoo: set ODOO_SRC to an Odoo 17, 18 or 19 source tree" >&2
  exit 2
fi
# shellcheck source=scripts/lib-odoo-version.sh
source "$repo/scripts/lib-odoo-version.sh"
require_supported_odoo check-upgrade-odoo "$ODOO_SRC"
read -r -a no_demo <<<"$(odoo_demo_args "$ODOO_MAJOR" nodemo)"
DB_HOST="${DB_HOST:-127.0.0.1}" DB_PORT="${DB_PORT:-5432}" DB_USER="${DB_USER:-odoo}" DB_PASSWORD="${DB_PASSWORD:-odoo}"
DB="upgrade_check_$$"
export PGPASSWORD="$DB_PASSWORD" PYTHONDONTWRITEBYTECODE=1
# shellcheck source=scripts/lib-odoo-pg.sh
source "$repo/scripts/lib-odoo-pg.sh"
ensure_postgres  # a fresh machine: start Debian's cluster and create the role, as test-odoo.sh does
work="$repo/var/check-upgrade-odoo"
mkdir -p "$work"
args=(--addons-path="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$repo/odoo_addon"
      --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER" --db_password="$DB_PASSWORD"
      -d "$DB" --max-cron-threads=0)
cleanup() {
  if [[ "${KEEP_DB:-0}" != "1" ]]; then
    dropdb --if-exists -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" "$DB" 2>/dev/null || true
  fi
}
trap cleanup EXIT

echo "check-upgrade-odoo: -i shopify_sync in $DB" >&2
"$PY" "$ODOO_SRC/odoo-bin" "${args[@]}" -i shopify_sync "${no_demo[@]}" --stop-after-init \
  >"$work/install.log" 2>&1 || { tail -20 "$work/install.log" >&2; exit 1; }

echo "check-upgrade-odoo: settings: safety stock 0, then 5" >&2
"$PY" "$ODOO_SRC/odoo-bin" shell "${args[@]}" --no-http >"$work/settings.log" 2>&1 <<'PYTHON' || { tail -20 "$work/settings.log" >&2; exit 1; }
Settings = env["res.config.settings"]
Settings.create({"shopify_safety_stock": 0}).execute()
assert not env["ir.config_parameter"].sudo().search([("key", "=", "shopify_sync.safety_stock")])
Settings.create({"shopify_safety_stock": 5}).execute()
env.cr.commit()
print("SAFETY_STOCK_SET", env["ir.config_parameter"].sudo().get_param("shopify_sync.safety_stock"))
PYTHON
grep -q "SAFETY_STOCK_SET 5" "$work/settings.log" || { tail -20 "$work/settings.log" >&2; exit 1; }

sql() { psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB" -v ON_ERROR_STOP=1 -tAc "$1"; }
cron_id="$(sql "SELECT res_id FROM ir_model_data WHERE module = 'shopify_sync' AND name = 'ir_cron_shopify_outbox_housekeeping'")"
has_numbercall="$(sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'ir_cron' AND column_name = 'numbercall'")"
echo "check-upgrade-odoo: back to addon 1.3.0 (Odoo 17: with the cron out of calls)" >&2
sql "UPDATE ir_module_module SET latest_version = '$ODOO_MAJOR.0.1.3.0' WHERE name = 'shopify_sync'" >/dev/null
[[ "$has_numbercall" == 1 ]] && sql "UPDATE ir_cron SET numbercall = 0, active = FALSE WHERE id = $cron_id" >/dev/null

echo "check-upgrade-odoo: -u shopify_sync" >&2
"$PY" "$ODOO_SRC/odoo-bin" "${args[@]}" -u shopify_sync --stop-after-init >"$work/upgrade.log" 2>&1 \
  || { tail -20 "$work/upgrade.log" >&2; exit 1; }
if grep -E " (ERROR|CRITICAL) " "$work/upgrade.log" >&2; then
  echo "check-upgrade-odoo: errors in $work/upgrade.log" >&2
  exit 1
fi
value="$(psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB" -tAc \
  "SELECT value FROM ir_config_parameter WHERE key = 'shopify_sync.safety_stock'")"
if [[ "$value" != "5" ]]; then
  echo "check-upgrade-odoo: safety stock is '$value' after the upgrade, expected 5" >&2
  exit 1
fi
version="$(sql "SELECT latest_version FROM ir_module_module WHERE name = 'shopify_sync'")"
manifest="$("$PY" -c 'import ast,sys; print(ast.literal_eval(open(sys.argv[1]).read())["version"])' "$repo/odoo_addon/shopify_sync/__manifest__.py")"
if [[ "$version" != "$ODOO_MAJOR.0.$manifest" ]]; then
  echo "check-upgrade-odoo: the addon's version is '$version' after the upgrade, expected $ODOO_MAJOR.0.$manifest" >&2
  exit 1
fi
cron_note=""
if [[ "$has_numbercall" == 1 ]]; then
  cron="$(sql "SELECT numbercall || ' ' || active FROM ir_cron WHERE id = $cron_id")"
  if [[ "$cron" != "-1 true" ]]; then
    echo "check-upgrade-odoo: the housekeeping cron is '$cron' (numbercall, active) after the upgrade, expected '-1 true' (migrations/1.3.1)" >&2
    exit 1
  fi
  grep -q "shopify_sync: 1 scheduled action(s) set to run without limit" "$work/upgrade.log" || {
    echo "check-upgrade-odoo: migrations/1.3.1 did not say it ran" >&2; exit 1; }
  cron_note="; the cron out of calls runs again"
fi
echo "check-upgrade-odoo: OK on Odoo $ODOO_MAJOR (-u from 1.3.0 to $version after settings 0 then 5; safety stock still 5$cron_note)"
