#!/usr/bin/env bash
# Upgrade path of shopify_sync after the settings screen saved the safety stock as 0 and then
# as a number (res.config.settings deletes a parameter saved as 0, XML id included, and creates
# a new row for the next value; an XML data record for it would insert again on `-u` and fail
# on ir_config_parameter_key_uniq). On a throwaway database:
#   1. odoo-bin -i shopify_sync (no demo data);
#   2. Settings: safety stock 0, saved; then 5, saved (odoo-bin shell);
#   3. odoo-bin -u shopify_sync must succeed and keep the safety stock at 5.
#
#   ODOO_SRC=/path/to/odoo-18 scripts/check-upgrade-odoo.sh
#
# Environment: ODOO_SRC (required), DB_HOST/DB_PORT/DB_USER/DB_PASSWORD (default
# 127.0.0.1:5432 odoo/odoo), KEEP_DB=1 keeps the database. Logs: var/check-upgrade-odoo/.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY=/usr/bin/python3
if [[ -z "${ODOO_SRC:-}" || ! -f "${ODOO_SRC}/odoo-bin" ]]; then
  echo "check-upgrade-odoo: set ODOO_SRC to an Odoo 18 source tree" >&2
  exit 2
fi
DB_HOST="${DB_HOST:-127.0.0.1}" DB_PORT="${DB_PORT:-5432}" DB_USER="${DB_USER:-odoo}" DB_PASSWORD="${DB_PASSWORD:-odoo}"
DB="upgrade_check_$$"
export PGPASSWORD="$DB_PASSWORD" PYTHONDONTWRITEBYTECODE=1
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
"$PY" "$ODOO_SRC/odoo-bin" "${args[@]}" -i shopify_sync --without-demo=all --stop-after-init \
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
echo "check-upgrade-odoo: OK (-u after settings 0 then 5; safety stock still 5)"
