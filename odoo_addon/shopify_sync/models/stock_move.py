"""Stock moves: a done move re-announces its product's stock at both ends' warehouses; an open
delivery move knows the units Shopify fulfilled before Odoo validated it."""
from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    shopify_fulfilled_qty = fields.Float(
        string="Fulfilled in Shopify", copy=False, digits="Product Unit of Measure",
        help="Units of this open delivery move that a fulfillment made in Shopify (POS, an "
        "app, the Shopify admin) shipped already. Shopify counts them as gone: they are held "
        "back from the stock pushed to Shopify until the delivery is validated.")

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        for move in moves.filtered(lambda m: m.state == "done"):
            warehouses = (move.location_id.warehouse_id | move.location_dest_id.warehouse_id)
            move.product_id._shopify_emit_stock(warehouses)
        return moves
