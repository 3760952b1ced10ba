"""Stock quants: every on-hand and reservation change puts a stock.changed event in the outbox."""
from odoo import api, models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model
    def _update_available_quantity(self, product_id, location_id, quantity=False,
                                   reserved_quantity=False, lot_id=None, package_id=None,
                                   owner_id=None, in_date=None):
        # Every on-hand and reservation change of Odoo 18's stock goes through this method,
        # so this one hook covers receipts, deliveries, adjustments and reservations.
        res = super()._update_available_quantity(
            product_id, location_id, quantity=quantity, reserved_quantity=reserved_quantity,
            lot_id=lot_id, package_id=package_id, owner_id=owner_id, in_date=in_date)
        if location_id.usage == "internal" and location_id.warehouse_id:
            product_id._shopify_emit_stock(location_id.warehouse_id)
        return res
