#!/usr/bin/env bash
# The flows' end-to-end scenarios (sidecar/flows/real-odoo.e2e.test.ts, the money flows'
# sidecar/flows/money.real-odoo.e2e.test.ts, then the privacy
# requests' sidecar/flows/privacy/real-odoo.e2e.test.ts, last because its shop erasure unbinds
# everything) against a real Odoo 18 on a throwaway database (scripts/with-real-odoo.sh does the
# setup). Part of `make test-odoo`.
#
#   ODOO_SRC=/path/to/odoo-18 scripts/e2e-real-odoo.sh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$repo/scripts/with-real-odoo.sh" npx mocha --no-config --node-option import=tsx --require dev/testing/root-hooks.ts \
  --timeout 180000 --exit sidecar/flows/real-odoo.e2e.test.ts sidecar/flows/money.real-odoo.e2e.test.ts \
    sidecar/flows/privacy/real-odoo.e2e.test.ts
