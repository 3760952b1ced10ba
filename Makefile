# Shopify <-> Odoo integration. `make test` is the test command (README, .ci/run).
SHELL := /bin/bash
NPM_STAMP := node_modules/.install-stamp
PYTHON ?= /usr/bin/python3

.PHONY: install generate typecheck test test-unit test-addon-static test-odoo-skip-if-missing test-odoo build sim demo demo-check bench

install: $(NPM_STAMP)

# Reinstall only when the lockfile changes; `npm ci` reproduces package-lock.json exactly.
$(NPM_STAMP): package.json package-lock.json scripts/fetch-shopify-schemas.sh
	npm ci --no-audit --no-fund
	scripts/fetch-shopify-schemas.sh
	@touch $(NPM_STAMP)

# Types generated from their sources (docs/architecture.md, "Generated types"): Shopify operation
# types from sidecar/shopify/graphql/*.graphql and the pinned Admin schema, contract types from
# contract/schemas/. The output is committed; dev/codegen/codegen.test.ts fails when it is stale.
generate: install
	node --import tsx dev/codegen/main.ts

typecheck: install
	npx tsc -p tsconfig.json --noEmit

# What ships (tsconfig.build.json): the sidecar without tests, simulator, double, demo or fakes.
build: install
	npx tsc -p tsconfig.build.json

test-unit: install
	npx mocha

# Addon checks that need no Odoo: Python compiles, XML parses, manifest files exist, access rules
# name defined models.
test-addon-static:
	$(PYTHON) scripts/check_addon.py

# The addon's Odoo tests need an Odoo 18 source tree (ODOO_SRC); without one they are skipped
# with a message saying so.
test-odoo-skip-if-missing:
	scripts/test-odoo.sh --skip-if-missing

# The addon's Odoo tests, then the contract conformance suite against a throwaway real Odoo
# (dev/conformance/, docs/odoo-double.md), then the demo's day of commerce
# (`make demo-check`'s scenario) against another throwaway real Odoo, then the flows' e2e
# scenarios (sidecar/flows/real-odoo.e2e.test.ts) against a third.
test-odoo: install
	scripts/test-odoo.sh
	scripts/conformance-real-odoo.sh
	scripts/demo-real-odoo.sh
	scripts/e2e-real-odoo.sh

test: typecheck test-addon-static test-unit test-odoo-skip-if-missing

# The Shopify simulator on its own (docs/simulator.md); SIM_ARGS passes options, e.g. --port 8081.
sim: install
	node --import tsx dev/sim/main.ts $(SIM_ARGS)

# The main job on embedded defaults (README, "Two commands"): embedded PostgreSQL, the simulator, the Odoo
# double (or a real Odoo with ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY), a short day of commerce,
# a summary; then it keeps serving the dashboard until Ctrl+C. demo-check exits 0 only when every
# flow synced and every DLQ is empty.
demo: install
	node --import tsx dev/demo/main.ts

demo-check: install
	node --import tsx dev/demo/main.ts --check

# Performance numbers for a stated load (dev/bench/run.ts, docs/operations.md): webhook acknowledgement
# latency at 200/s for 20 s, jobs/s through the queue, order webhook → sales order and Odoo stock
# → Shopify quantity latencies (when those flows are registered). BENCH_ARGS passes options.
bench: install
	node --import tsx dev/bench/run.ts $(BENCH_ARGS)
