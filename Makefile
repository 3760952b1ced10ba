# Shopify <-> Odoo integration. `make test` is the test command (README, .ci/run).
SHELL := /bin/bash
NPM_STAMP := node_modules/.install-stamp
PYTHON ?= /usr/bin/python3

.PHONY: install generate typecheck lint lint-ts lint-format lint-imports lint-words test test-unit test-addon-static test-addon-lib lint-addon test-odoo-skip-if-missing test-odoo build sim demo demo-check bench chaos money-audit

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

# Addon checks that need no Odoo (docs/development.md, "The addon without Odoo"):
# scripts/check_addon.py (files compile and parse, manifest, XML ids, access rules, a reason beside
# every sudo(), SQL through odoo.tools.SQL, no citation of documents outside the repository, no
# function over 80 lines), the checks' self-tests on broken copies (scripts/tests/), and README.rst
# up to date with readme/.
test-addon-static:
	$(PYTHON) scripts/check_addon.py
	$(PYTHON) -m unittest discover -s scripts/tests
	$(PYTHON) scripts/gen_addon_readme.py --check

# The addon's pure helpers (odoo_addon/shopify_sync/lib/) with plain Python, no Odoo: among them
# the money, email, GID and contract-version rules against contract/rules/*.cases.json.
test-addon-lib:
	$(PYTHON) -m unittest discover -s odoo_addon/shopify_sync/lib/tests -t odoo_addon/shopify_sync

# flake8 (config: .flake8) on the addon and the Python scripts. Without flake8 it says so and
# passes; CI installs it (.ci/run).
lint-addon:
	@if $(PYTHON) -c 'import flake8' 2>/dev/null; then \
	  $(PYTHON) -m flake8 --config .flake8 odoo_addon scripts && echo "lint-addon: flake8 OK"; \
	else \
	  echo "lint-addon: skipped: flake8 is not installed (apt-get install python3-flake8)"; \
	fi

# The addon's Odoo tests need an Odoo source tree (ODOO_SRC: 17, 18 or 19); without one they are
# skipped with a message saying so.
test-odoo-skip-if-missing:
	scripts/test-odoo.sh --skip-if-missing

# The real-Odoo matrix (scripts/test-odoo-matrix.sh): for the tree in ODOO_SRC (its version read
# from it) and/or each of ODOO17_SRC, ODOO18_SRC, ODOO19_SRC, the addon's Odoo tests (demo and
# no-demo databases), the contract conformance suite over that version's transport (JSON-2 on 19,
# JSON-RPC on 17 and 18; dev/conformance/, docs/odoo-double.md), the flows' e2e scenarios
# (sidecar/flows/real-odoo.e2e.test.ts) and the demo's day of commerce, each on a throwaway
# database; versions without a tree are named as skipped in the closing summary.
test-odoo: install
	scripts/test-odoo-matrix.sh

# Lint (docs/development.md, "Lint"): ESLint with typescript-eslint's type-checked rules, Prettier,
# the import rules (dependency-cruiser), the words check and flake8 on the addon. A relaxed rule
# says why in its config file, never inline.
lint: lint-ts lint-format lint-imports lint-words lint-addon

lint-ts: install
	npx eslint --max-warnings 0 sidecar dev bin eslint.config.js

lint-format: install
	npx prettier --check "sidecar/**/*.{ts,js,css}" "dev/**/*.ts" "bin/*.mjs" eslint.config.js .dependency-cruiser.cjs

lint-imports: install
	npx depcruise sidecar dev --config .dependency-cruiser.cjs --output-type err

lint-words:
	$(PYTHON) scripts/check_words.py --self-test
	$(PYTHON) scripts/check_words.py

test: typecheck lint test-addon-static test-addon-lib test-unit test-odoo-skip-if-missing

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

# Performance numbers for a stated load (dev/bench/run.ts, docs/operations.md "Benchmark"): one table,
# each measure beside a baseline measured in the same run, the ratio and the goal, ending with the
# machine. With ODOO_SRC, the same table against a throwaway real Odoo 18 (scripts/bench-real-odoo.sh;
# ODOO_WORKERS=N serves it multi-process). BENCH_ARGS passes options, e.g. --webhook-seconds 10.
bench: install
	@if [ -n "$(ODOO_SRC)" ]; then scripts/bench-real-odoo.sh $(BENCH_ARGS); \
	else node --import tsx dev/bench/run.ts $(BENCH_ARGS); fi

# The chaos run (dev/chaos/run.ts, docs/operations.md "Chaos run"): the simulator, two sidecar
# replicas, the Odoo double and PostgreSQL as separate processes, 2,000 orders with refunds and
# stock changes under duplicated and reordered deliveries, Shopify 503s and throttling, two Odoo
# outages, five SIGKILLs and a PostgreSQL restart, then Shopify compared with Odoo record by record.
# With ODOO_SRC, the same again against a real Odoo 18 with 200 orders. Not part of `make test`
# (its smoke version is: dev/chaos/chaos.test.ts). CHAOS_ARGS passes options, e.g. --orders 10000.
chaos: install
	node --import tsx dev/chaos/run.ts $(CHAOS_ARGS)
	@if [ -n "$(ODOO_SRC)" ]; then scripts/with-real-odoo.sh node --import tsx dev/chaos/run.ts --orders 200 --rate 3 $(CHAOS_ARGS); fi

# The money audit (dev/money-audit/run.ts, docs/operations.md "Money audit"): N simulated orders
# (default 200) with mixed taxes, discounts, gift cards, payments, edits, returns, invoices and
# refunds through the simulator and the sidecar into the Odoo double, then Odoo's amounts
# (orders, invoices, credit notes, payments) against Shopify's, to the cent; with ODOO_SRC
# the same against a throwaway real Odoo 18. Its smoke version is dev/money-audit/audit.test.ts.
# MONEY_AUDIT_ARGS passes options, e.g. --orders 500 --rounding round_globally, or --currencies mixed
# (customers paying in PLN, JPY and KWD, booked in their money or the shop's by batch).
money-audit: install
	node --import tsx dev/money-audit/run.ts $(MONEY_AUDIT_ARGS)
	@if [ -n "$(ODOO_SRC)" ]; then scripts/with-real-odoo.sh node --import tsx dev/money-audit/run.ts $(MONEY_AUDIT_ARGS); fi
