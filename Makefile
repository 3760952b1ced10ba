# Shopify <-> Odoo integration. `make test` is the test command (README, .ci/run).
SHELL := /bin/bash
NPM_STAMP := node_modules/.install-stamp
PYTHON ?= /usr/bin/python3

.PHONY: install typecheck test test-unit test-addon-static test-odoo build

install: $(NPM_STAMP)

# Reinstall only when the lockfile changes; `npm ci` reproduces package-lock.json exactly.
$(NPM_STAMP): package.json package-lock.json scripts/fetch-shopify-schemas.sh
	npm ci --no-audit --no-fund
	scripts/fetch-shopify-schemas.sh
	@touch $(NPM_STAMP)

typecheck: install
	npx tsc -p tsconfig.json --noEmit

build: install
	npx tsc -p tsconfig.json

test-unit: install
	npx mocha

test: typecheck test-unit
