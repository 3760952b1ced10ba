"""Pure helpers of shopify_sync: no Odoo import here, so they are testable without a database
(`lib/tests/`, run with plain Python by `make test-addon-lib`)."""
from . import contract, digest, explain, money, normalize, privacy, timestamps
