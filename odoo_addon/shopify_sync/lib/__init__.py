"""Pure helpers of shopify_sync: no Odoo import here, so they are testable without a database."""
from . import digest, money, normalize  # noqa: F401
