"""Plain-Python tests of the pure helpers (no Odoo): `make test-addon-lib`.

Not part of the addon's Odoo tests (Odoo only loads `shopify_sync/tests/`). The shared-rule
tests read `contract/rules/*.cases.json` from the repository, so they run from a checkout of the
project, not from a deployed addon.
"""
