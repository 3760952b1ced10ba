"""Contract area `deliveries`: a done delivery or return of a Shopify order, as the sidecar
turns it into a Shopify fulfillment (docs/contract.md, "FulfillmentDocument")."""
from odoo import api, models
from odoo.exceptions import ValidationError


class ShopifySyncApi(models.AbstractModel):
    _inherit = "shopify.sync.api"

    @api.model
    def export_delivery(self, document):
        self = self._begin(document)
        picking_id = document.get("picking_id")
        if not self._is_int(picking_id):
            raise ValidationError("export_delivery: picking_id must be an integer")
        picking = self.env["stock.picking"].browse(picking_id).exists()
        if not picking:
            raise ValidationError(f"export_delivery: picking {picking_id} does not exist")
        order = picking.shopify_order_id
        if not order:
            raise ValidationError(
                f"export_delivery: picking {picking.name} is not for a Shopify order")
        quantities = self._done_quantities(picking)
        # stock_delivery: the tracking number, the carrier's name and its tracking link.
        tracking = {
            "number": picking.carrier_tracking_ref or None,
            # The carrier's Shopify tracking company when set (Shopify's exact spelling).
            "company": picking.carrier_id.shopify_tracking_company or picking.carrier_id.name
            or None,
            "url": picking.carrier_tracking_url or None,
        }
        return {
            "picking_id": picking.id,
            "name": picking.name,
            "state": picking.state,
            "order_gid": order.shopify_gid,
            "sale_order_id": order.id,
            "is_return": picking.picking_type_code == "incoming",
            "location_gid": self.env["shopify.location.map"]._gid_for_warehouse(
                picking.picking_type_id.warehouse_id) or None,
            "lines": self._quantity_lines(quantities),
            "tracking": tracking,
            "fulfillment_gids": [
                g for g in (picking.shopify_fulfillment_gids or "").split(",") if g],
            "return_gid": picking.shopify_return_gid or None,
            "return_received": self._return_received(picking),
            # Contract 1.9: held until the credit note of its units (shopify_return_refund).
            "await_credit_note": picking._shopify_awaits_credit_note(),
        }

    @staticmethod
    def _done_quantities(pickings):
        """Done quantities per (Shopify line GID, SKU) of `pickings`."""
        quantities = {}
        for move in pickings.move_ids.filtered(lambda m: m.state == "done"):
            so_line = move.sale_line_id or move.origin_returned_move_id.sale_line_id
            if not so_line.shopify_line_gid:
                continue
            key = (so_line.shopify_line_gid, move.product_id.default_code or None)
            quantities[key] = quantities.get(key, 0) + move.quantity
        return quantities

    @staticmethod
    def _quantity_lines(quantities):
        return [{"line_gid": gid, "sku": sku, "quantity": int(round(qty))}
                for (gid, sku), qty in sorted(quantities.items())]

    def _return_received(self, picking):
        """All that the Shopify return of this return picking received so far."""
        if not picking.shopify_return_gid:
            return []
        pickings = self.env["stock.picking"].search(
            [("shopify_return_gid", "=", picking.shopify_return_gid)])
        return self._quantity_lines(self._done_quantities(pickings))
