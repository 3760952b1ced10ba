from . import shopify_full_resync
from . import shopify_confirm_held
from . import shopify_tax_map_wizard
from . import shopify_go_live
from . import shopify_order_reimport
from . import shopify_location_import
