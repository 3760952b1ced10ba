"""Stock moves: a done move re-announces its product's stock at both ends' warehouses."""
from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        for move in moves.filtered(lambda m: m.state == "done"):
            warehouses = (move.location_id.warehouse_id | move.location_dest_id.warehouse_id)
            move.product_id._shopify_emit_stock(warehouses)
        return moves
