#!/usr/bin/env bash
# The flows' end-to-end scenarios against a real Odoo 18, each group on a throwaway database of
# its own (scripts/with-real-odoo.sh does the setup). Part of `make test-odoo`.
# - the flows' and the money flows' scenarios (sidecar/flows/real-odoo.e2e.test.ts,
#   sidecar/flows/money.real-odoo.e2e.test.ts);
# - the privacy requests (sidecar/flows/privacy/real-odoo.e2e.test.ts) apart: every test file
#   starts its own simulator, whose IDs start at the same number, so a customer GID of an earlier
#   file is already bound in a shared database, and an erasure would find that file's contacts and
#   open orders too (in production GIDs are unique); its shop erasure also unbinds everything.
# - fulfillments made in Shopify and returns received in Odoo
#   (sidecar/flows/shipping.real-odoo.e2e.test.ts) apart, for the same reason (its stock
#   assertions read the simulator's levels of its own products).
# - the payments flow (sidecar/flows/payments/real-odoo.e2e.test.ts) apart, for the same reason:
#   its orders' GIDs would meet sale orders of the other files.
# - go-live in bulk (sidecar/flows/catalog/golive-bulk.real-odoo.e2e.test.ts) apart: its
#   onboarding pushes every product of the database, and its product handles are named after
#   template ids the other files' simulators also hand out.
#
#   ODOO_SRC=/path/to/odoo-18 scripts/e2e-real-odoo.sh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mocha=(npx mocha --no-config --node-option import=tsx --require dev/testing/root-hooks.ts --timeout 180000 --exit)
"$repo/scripts/with-real-odoo.sh" "${mocha[@]}" sidecar/flows/real-odoo.e2e.test.ts sidecar/flows/money.real-odoo.e2e.test.ts
"$repo/scripts/with-real-odoo.sh" "${mocha[@]}" sidecar/flows/privacy/real-odoo.e2e.test.ts
"$repo/scripts/with-real-odoo.sh" "${mocha[@]}" sidecar/flows/shipping.real-odoo.e2e.test.ts
"$repo/scripts/with-real-odoo.sh" "${mocha[@]}" sidecar/flows/payments/real-odoo.e2e.test.ts
"$repo/scripts/with-real-odoo.sh" "${mocha[@]}" sidecar/flows/catalog/golive-bulk.real-odoo.e2e.test.ts
