"""apply_fulfillment: a fulfillment made in Shopify (POS, an app, the Shopify admin) applied to
the Odoo delivery by the fulfillment policy, its cancellation, and the stock held back from
Shopify meanwhile."""
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .. import compat
from .common import LOCATION_GID, ShopifySyncCase


@tagged("shopify_sync", "at_install")
class TestShopifyFulfillments(ShopifySyncCase):
    def fulfillment_doc(self, order, number, quantity, status="SUCCESS", **overrides):
        line = order.order_line.filtered(lambda sol: sol.shopify_line_role == "product")[:1]
        doc = {"fulfillment_gid": f"gid://shopify/Fulfillment/{number}",
               "order_gid": order.shopify_gid, "name": f"{order.shopify_name}.1",
               "status": status, "location_gid": LOCATION_GID,
               "tracking": {"number": "POS-7", "company": "UPS", "url": None},
               "lines": [{"line_gid": line.shopify_line_gid, "sku": "MUG-RED",
                          "quantity": quantity}]}
        doc.update(overrides)
        return doc

    def shopify_on_hand(self, product):
        levels = self.api.stock_levels({"product_ids": product.ids,
                                        "location_gids": [LOCATION_GID]})["levels"]
        return levels[0]["shopify_on_hand"]

    def delivery(self, order):
        return order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")

    def test_validate_policy_validates_the_units_and_backorders_the_rest(self):
        order, _result = self.import_order(5101)
        before = compat.in_warehouse(self.mug, self.warehouse).qty_available
        picking = self.delivery(order)
        result = self.api.apply_fulfillment(self.fulfillment_doc(order, 5101, 1))
        self.assertEqual((result["status"], result["picking_ids"]), ("validated", picking.ids))
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.move_ids.filtered(lambda m: m.state == "done").quantity, 1)
        self.assertEqual(picking.shopify_fulfillment_gids, "gid://shopify/Fulfillment/5101")
        self.assertEqual(picking.carrier_tracking_ref, "POS-7")
        self.assertEqual(picking.shopify_state, "synced")
        backorder = self.env["stock.picking"].browse(result["backorder_ids"])
        self.assertEqual((backorder.state, backorder.move_ids.product_uom_qty), ("assigned", 1))
        self.assertFalse(backorder.shopify_fulfillment_gids)
        self.assertEqual(compat.in_warehouse(self.mug, self.warehouse).qty_available,
                         before - 1)
        # The sidecar's own changes write no delivery.done: nothing goes back to Shopify.
        self.assertFalse(self.events("delivery.done"))
        again = self.api.apply_fulfillment(self.fulfillment_doc(order, 5101, 1))
        self.assertEqual(again["status"], "unchanged")

    def test_flag_policy_leaves_the_delivery_open_and_holds_the_units_back(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "shopify_sync.shopify_fulfillment_policy", "flag")
        order, _result = self.import_order(5102)
        on_hand = self.shopify_on_hand(self.mug)
        picking = self.delivery(order)
        result = self.api.apply_fulfillment(self.fulfillment_doc(order, 5102, 2))
        self.assertEqual(result["status"], "flagged")
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(picking.shopify_state, "error")
        self.assertIn("#5102.1 shipped 2 × MUG-RED in Shopify; this delivery was not validated",
                      picking.shopify_error)
        self.assertEqual(picking.move_ids.shopify_fulfilled_qty, 2)
        self.assertEqual(self.shopify_on_hand(self.mug), on_hand - 2)
        # A person validates it: the units leave Odoo, and are not held back twice.
        self.deliver(order)
        self.assertEqual(self.shopify_on_hand(self.mug), on_hand - 2)
        exported = self.api.export_delivery({"picking_id": picking.id})
        self.assertEqual(exported["fulfillment_gids"], ["gid://shopify/Fulfillment/5102"])

    def test_cancelled_fulfillment_lifts_a_flag_and_flags_a_validated_delivery(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("shopify_sync.shopify_fulfillment_policy", "flag")
        order, _result = self.import_order(5103)
        on_hand = self.shopify_on_hand(self.mug)
        picking = self.delivery(order)
        self.api.apply_fulfillment(self.fulfillment_doc(order, 5103, 2))
        cancelled = self.api.apply_fulfillment(
            self.fulfillment_doc(order, 5103, 2, status="CANCELLED"))
        self.assertEqual(cancelled["status"], "cancelled")
        self.assertEqual((picking.state, picking.shopify_state), ("assigned", "synced"))
        self.assertFalse(picking.shopify_fulfillment_gids)
        self.assertEqual(self.shopify_on_hand(self.mug), on_hand)
        params.set_param("shopify_sync.shopify_fulfillment_policy", "validate")
        other, _result = self.import_order(5104)
        done = self.api.apply_fulfillment(self.fulfillment_doc(other, 5104, 2))
        self.assertEqual(done["status"], "validated")
        flagged = self.api.apply_fulfillment(
            self.fulfillment_doc(other, 5104, 2, status="CANCELLED"))
        self.assertEqual(flagged["status"], "flagged")
        validated = self.env["stock.picking"].browse(done["picking_ids"])
        self.assertEqual(validated.shopify_state, "error")
        self.assertIn("was cancelled in Shopify after this delivery was validated",
                      validated.shopify_error)

    def test_another_warehouse_is_flagged_and_delivered_units_are_recorded(self):
        second = self.env["stock.warehouse"].create({"name": "Second", "code": "SEC2"})
        self.env["shopify.location.map"].create(
            {"location_gid": "gid://shopify/Location/9202", "warehouse_id": second.id})
        order, _result = self.import_order(5105)
        result = self.api.apply_fulfillment(self.fulfillment_doc(
            order, 5105, 2, location_gid="gid://shopify/Location/9202"))
        self.assertEqual(result["status"], "flagged")
        self.assertIn("Shopify fulfilled from Second", self.delivery(order).shopify_error)
        delivered, _result = self.import_order(5106)
        picking = self.deliver(delivered)
        recorded = self.api.apply_fulfillment(self.fulfillment_doc(delivered, 5106, 2))
        self.assertEqual((recorded["status"], recorded["picking_ids"]), ("recorded", picking.ids))
        self.assertEqual(picking.shopify_fulfillment_gids, "gid://shopify/Fulfillment/5106")

    def test_refusals_name_the_record_and_write_nothing(self):
        order, _result = self.import_order(5107)
        picking = self.delivery(order)
        bad = self.fulfillment_doc(order, 5107, 1)
        bad["lines"][0].update(line_gid="gid://shopify/LineItem/999", sku="NOPE")
        with self.assertRaisesRegex(ValidationError, r"Shopify fulfillment #5107\.1 line 1: "
                                    r"line gid://shopify/LineItem/999 \(SKU \"NOPE\"\) is not on"):
            self.api.apply_fulfillment(bad)
        with self.assertRaisesRegex(ValidationError, "status 'SHIPPED' is not a Shopify "
                                    "fulfillment status"):
            self.api.apply_fulfillment(self.fulfillment_doc(order, 5107, 1, status="SHIPPED"))
        with self.assertRaisesRegex(ValidationError, "fulfillment_gid"):
            self.api.apply_fulfillment(self.fulfillment_doc(
                order, 5107, 1, fulfillment_gid="gid://shopify/Order/1"))
        self.assertEqual((picking.state, picking.shopify_fulfillment_gids), ("assigned", False))


@tagged("shopify_sync", "at_install")
class TestShopifyCarriers(ShopifySyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        service = cls.env["product.product"].create({"name": "Shipping", "type": "service"})
        Carrier = cls.env["delivery.carrier"]
        cls.ups = Carrier.create({"name": "UPS", "product_id": service.id, "sequence": 1})
        cls.local = Carrier.create({
            "name": "Bike courier", "product_id": service.id, "sequence": 2,
            "shopify_shipping_titles": "Same day, SD-1",
            "shopify_tracking_company": "Bike Courier Co"})

    def shipping(self, title, code="STD"):
        return [{"title": title, "code": code, "price": "5.00", "discount": "0.00",
                 "tax_lines": [{"title": "VAT", "rate": "0.2", "amount": "1.00"}]}]

    def test_shipping_lines_choose_the_carrier_and_its_tracking_company_goes_back(self):
        Carrier = self.env["delivery.carrier"]
        self.assertEqual(Carrier._shopify_for_shipping(self.shipping("same day")), self.local)
        self.assertEqual(Carrier._shopify_for_shipping(self.shipping("Express", "SD-1")),
                         self.local)
        self.assertEqual(Carrier._shopify_for_shipping(self.shipping("UPS Ground")), self.ups)
        self.assertFalse(Carrier._shopify_for_shipping(self.shipping("Groundhog delivery")))
        self.assertFalse(Carrier._shopify_for_shipping([]))
        order, _result = self.import_order(5201, shipping_lines=self.shipping("UPS Ground"))
        self.assertEqual(order.carrier_id, self.ups)
        picking = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual(picking.carrier_id, self.ups)
        self.deliver(order)
        picking.carrier_tracking_ref = "1Z999"
        exported = self.api.export_delivery({"picking_id": picking.id})
        self.assertEqual(exported["tracking"]["company"], "UPS")
        other, _result = self.import_order(5202, shipping_lines=self.shipping("Same day"))
        delivery = other.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual(
            self.api.export_delivery({"picking_id": delivery.id})["tracking"]["company"],
            "Bike Courier Co")
