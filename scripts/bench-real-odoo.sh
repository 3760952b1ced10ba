#!/usr/bin/env bash
# `make bench` against a real Odoo 18 with shopify_sync on a throwaway database (the setup of
# scripts/with-real-odoo.sh: integration user + API key, warehouses mapped to Shopify locations
# 101 and 102, Odoo served on a free port, stopped and its database dropped afterwards).
# Not part of `make test-odoo` (several minutes). Arguments go to dev/bench/run.ts:
#
#   ODOO_SRC=/path/to/odoo-18 scripts/bench-real-odoo.sh [--order-rate 5 --order-seconds 20 ...]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$repo/scripts/with-real-odoo.sh" node --import tsx dev/bench/run.ts "$@"
