from . import shopify_full_resync
