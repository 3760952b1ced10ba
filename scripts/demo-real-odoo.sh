#!/usr/bin/env bash
# The demo's day of commerce (`dev/demo/main.ts --check`, the scenario of `make demo-check`)
# against a real Odoo 18 on a throwaway database (scripts/with-real-odoo.sh does the setup; the
# demo's own logs go to var/demo/sidecar.log). Part of `make test-odoo`.
#
#   ODOO_SRC=/path/to/odoo-18 scripts/demo-real-odoo.sh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$repo/scripts/with-real-odoo.sh" node --import tsx dev/demo/main.ts --check
