"""shopify_sync 1.3.0 → 1.3.1: the addon's scheduled actions run forever on Odoo 17.0 too.

Odoo 17.0's scheduled actions run `numbercall` times (default 1) and then deactivate themselves;
18.0 removed the call count (compat.py, `_cron_forever_17`). 1.3.0 installed on 17.0 created
the outbox housekeeping cron with the default, so it ran once and stopped; the cron is a data
record with `noupdate`, which a module update does not rewrite: this step sets it to run without
limit and reactivates it if it stopped for having run out of calls (one a merchant deactivated
stays so). On 18.0 and 19.0 (no call count) there is nothing to do. Idempotent
(docs/operations.md, "Upgrading").
"""
import logging

from odoo.tools import SQL
from odoo.tools.sql import column_exists

_logger = logging.getLogger(__name__)

CRONS = ("ir_cron_shopify_outbox_housekeeping",)


def migrate(cr, version):
    if not version or not column_exists(cr, "ir_cron", "numbercall"):
        return
    cr.execute(SQL(
        """UPDATE ir_cron SET numbercall = -1, active = active OR numbercall = 0
            WHERE id IN (SELECT res_id FROM ir_model_data
                          WHERE module = 'shopify_sync' AND model = 'ir.cron' AND name IN %s)
              AND numbercall != -1""", CRONS))
    if cr.rowcount:
        _logger.info("shopify_sync: %s scheduled action(s) set to run without limit", cr.rowcount)
