from . import test_lib
from . import test_hooks
from . import test_api_orders
from . import test_api_refunds
from . import test_api_misc
from . import test_security
from . import test_rpc_http
from . import test_api_health
