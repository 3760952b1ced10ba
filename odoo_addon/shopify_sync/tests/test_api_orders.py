"""apply_order, cancel_order and stock_levels through the integration user."""
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .. import compat
from .common import LOCATION_GID, ShopifySyncCase


@tagged("shopify_sync", "at_install")
class TestApplyOrder(ShopifySyncCase):
    def test_apply_order_creates_a_confirmed_order_with_the_exact_total(self):
        order, result = self.import_order(3001)
        self.assertEqual(result["status"], "created")
        self.assertEqual(result["amount_total"], "36.00")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.shopify_state, "synced")
        self.assertEqual(order.shopify_shop, "test-shop.myshopify.com")
        self.assertEqual(order.client_order_ref, "#3001")
        product_line = order.order_line.filtered(lambda line: line.shopify_line_role == "product")
        self.assertEqual((product_line.product_id, product_line.product_uom_qty),
                         (self.mug, 2))
        self.assertEqual(compat.value(product_line, "tax_id"), self.tax20)
        shipping = order.order_line.filtered(lambda line: line.shopify_line_role == "shipping")
        self.assertEqual(shipping.price_unit, 5.0)
        self.assertEqual(order.partner_id.shopify_gid, "gid://shopify/Customer/3001")
        self.assertEqual(order.partner_shipping_id.type, "delivery")
        self.assertEqual(order.partner_shipping_id.parent_id, order.partner_id)
        self.assertEqual(order.warehouse_id, self.warehouse)

    def test_the_same_order_applied_twice_gives_one_sales_order(self):
        _order, first = self.import_order(3002)
        second = self.api.apply_order(self.order_doc(3002))
        self.assertEqual(second["status"], "unchanged")
        self.assertEqual(second["sale_order_id"], first["sale_order_id"])
        self.assertEqual(self.env["sale.order"].search_count(
            [("shopify_gid", "=", "gid://shopify/Order/3002")]), 1)
        self.assertEqual(self.env["res.partner"].search_count(
            [("shopify_gid", "=", "gid://shopify/Customer/3002")]), 1)

    def test_an_edit_of_a_confirmed_order_updates_the_line_quantity(self):
        order, _result = self.import_order(3003)
        doc = self.order_doc(3003, updated_at="2026-11-27T11:00:00Z",
                             subtotal_price="37.50", total_tax="8.50", total_price="51.00")
        doc["lines"][0]["quantity"] = 3
        doc["lines"][0]["tax_lines"][0]["amount"] = "7.50"
        result = self.api.apply_order(doc)
        self.assertEqual(result["status"], "updated")
        line = order.order_line.filtered(lambda line: line.shopify_line_role == "product")
        self.assertEqual(line.product_uom_qty, 3)
        self.assertEqual(result["amount_total"], "51.00")

    def test_an_older_document_than_the_applied_one_is_ignored(self):
        self.import_order(3004, updated_at="2026-11-27T12:00:00Z")
        doc = self.order_doc(3004, updated_at="2026-11-27T11:00:00+00:00", note="stale")
        result = self.api.apply_order(doc)
        self.assertEqual(result["status"], "unchanged")
        self.assertIn("older", result["message"])

    def test_an_unknown_sku_raises_naming_sku_and_line_and_creates_nothing(self):
        doc = self.order_doc(3005)
        doc["lines"].append({"line_gid": "gid://shopify/LineItem/2", "sku": "NOPE-1",
                             "title": "?", "quantity": 1, "price_unit": "1.00",
                             "discount": "0", "tax_lines": []})
        partners_before = self.env["res.partner"].search_count([])
        with self.assertRaisesRegex(ValidationError,
                                    r'order #3005 line 2: SKU "NOPE-1" is unknown in Odoo'):
            self.api.apply_order(doc)
        self.assertFalse(self.env["sale.order"].search(
            [("shopify_gid", "=", "gid://shopify/Order/3005")]))
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)

    def test_a_missing_tax_mapping_holds_the_order_in_draft_with_a_message(self):
        doc = self.order_doc(3006)
        doc["lines"][0]["tax_lines"] = [{"title": "GST", "rate": "0.05", "amount": "1.25"}]
        result = self.api.apply_order(doc)
        self.assertEqual(result["status"], "held")
        self.assertIn('no tax mapping for Shopify tax "GST" at rate 0.05', result["message"])
        order = self.env["sale.order"].browse(result["sale_order_id"])
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.shopify_state, "error")
        self.assertIn("GST", order.shopify_error)
        # Once mapped, re-applying the same document releases the order.
        gst = self.tax20.copy({"name": "GST 5%", "amount": 5.0})
        self.env["shopify.tax.map"].create({"title": "GST", "rate": 0.05, "tax_id": gst.id})
        doc["total_price"] = "32.25"
        again = self.api.apply_order(doc)
        self.assertEqual(again["status"], "updated")
        self.assertEqual(again["sale_order_id"], order.id)
        self.assertEqual(order.state, "sale")

    def test_a_total_that_differs_by_a_cent_flags_the_order_unconfirmed(self):
        # With Odoo's tax engine as the source of truth (with Shopify's amounts, the default, a
        # cent of rounding is carried on a line instead: test_api_taxes.py).
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.tax_source", "odoo")
        result = self.api.apply_order(self.order_doc(3007, total_price="36.01"))
        self.assertEqual(result["status"], "flagged")
        self.assertIn("Odoo total 36.00 differs from Shopify total_price 36.01",
                      result["message"])
        order = self.env["sale.order"].browse(result["sale_order_id"])
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.shopify_state, "error")

    def test_an_amount_with_a_third_decimal_is_refused_naming_the_field_and_writes_nothing(self):
        """The money rule of contract/rules/money.cases.json, applied to every amount."""
        where = {
            "total_price": (lambda doc: doc.update(total_price="36.005"),
                            r'^order #3020 total_price: "36.005" has more than two decimals$'),
            "price_unit": (lambda doc: doc["lines"][0].update(price_unit="12.345"),
                           r'^order #3020 line 1 price_unit: "12.345" has more than two '),
            "tax amount": (lambda doc: doc["shipping_lines"][0]["tax_lines"][0].update(
                amount="1e3"), r'^order #3020 shipping line 1 tax line 1 amount: "1e3" is '
                               r"not a decimal amount$"),
            "total_tax": (lambda doc: doc.update(total_tax="6,00"),
                          r'^order #3020 total_tax: "6,00" is not a decimal amount$'),
        }
        partners_before = self.env["res.partner"].search_count([])
        for field, (spoil, message) in where.items():
            with self.subTest(field=field):
                doc = self.order_doc(3020)
                spoil(doc)
                with self.assertRaisesRegex(ValidationError, message):
                    self.api.apply_order(doc)
        self.assertFalse(self.env["sale.order"].search(
            [("shopify_gid", "=", "gid://shopify/Order/3020")]))
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)
        # Extra decimals that are zeros are the same amount.
        result = self.api.apply_order(self.order_doc(3020, total_price="36.000"))
        self.assertEqual((result["status"], result["amount_total"]), ("created", "36.00"))

    def test_a_malformed_customer_gid_is_refused_before_anything_is_written(self):
        doc = self.order_doc(3021)
        doc["customer"]["customer_gid"] = "gid://shopify/Order/3021"
        partners_before = self.env["res.partner"].search_count([])
        with self.assertRaisesRegex(
                ValidationError, r"^order #3021 customer: customer_gid "
                                 r"'gid://shopify/Order/3021' is not a Customer GID$"):
            self.api.apply_order(doc)
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)

    def test_line_and_shipping_discounts_are_exact_negative_lines(self):
        doc = self.order_doc(3008, total_price="31.20", total_discounts="4.00")
        doc["lines"][0]["discount"] = "3.00"
        doc["lines"][0]["tax_lines"][0]["amount"] = "4.40"
        doc["shipping_lines"][0]["discount"] = "1.00"
        doc["shipping_lines"][0]["tax_lines"][0]["amount"] = "0.80"
        result = self.api.apply_order(doc)
        self.assertEqual(result["status"], "created", result.get("message"))
        self.assertEqual(result["amount_total"], "31.20")
        order = self.env["sale.order"].browse(result["sale_order_id"])
        roles = sorted(order.order_line.mapped("shopify_line_role"))
        self.assertEqual(roles, ["discount", "product", "shipping", "shipping_discount"])

    def test_paid_policy_leaves_unpaid_orders_in_draft(self):
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.import_policy", "paid")
        _order, pending = self.import_order(3009, financial_status="pending")
        self.assertEqual((pending["status"], pending["state"]), ("created", "draft"))
        _order, paid = self.import_order(3010, financial_status="paid")
        self.assertEqual(paid["state"], "sale")

    def test_the_order_is_routed_to_the_warehouse_mapped_from_location_gid(self):
        other = self.env["stock.warehouse"].create({"name": "East", "code": "EST"})
        self.env["shopify.location.map"].create(
            {"location_gid": "gid://shopify/Location/2", "warehouse_id": other.id})
        order, _result = self.import_order(3011, location_gid="gid://shopify/Location/2")
        self.assertEqual(order.warehouse_id, other)
        self.assertEqual(order.picking_ids.picking_type_id.warehouse_id, other)

    def test_an_order_cancelled_in_the_document_is_cancelled(self):
        order, result = self.import_order(3012, cancelled_at="2026-11-27T10:05:00Z")
        self.assertEqual(order.state, "cancel")


@tagged("shopify_sync", "at_install")
class TestCancelOrder(ShopifySyncCase):
    def test_cancel_order_cancels_then_reports_already_cancelled_and_not_found(self):
        order, _result = self.import_order(3101)
        doc = {"order_gid": order.shopify_gid, "cancelled_at": "2026-11-27T11:00:00Z",
               "reason": "customer"}
        self.assertEqual(self.api.cancel_order(doc)["status"], "cancelled")
        self.assertEqual(order.state, "cancel")
        self.assertTrue(all(p.state == "cancel" for p in order.picking_ids))
        self.assertEqual(self.api.cancel_order(doc)["status"], "already_cancelled")
        self.assertEqual(self.api.cancel_order(
            dict(doc, order_gid="gid://shopify/Order/999999"))["status"], "not_found")

    def test_cancelling_a_delivered_order_needs_a_return(self):
        order, _result = self.import_order(3102)
        self.deliver(order)
        result = self.api.cancel_order({"order_gid": order.shopify_gid,
                                        "cancelled_at": "2026-11-27T11:00:00Z", "reason": "other"})
        self.assertEqual(result["status"], "needs_return")
        self.assertTrue(order.shopify_needs_return)
        self.assertEqual(order.shopify_state, "error")
        self.assertNotEqual(order.state, "cancel")


@tagged("shopify_sync", "at_install")
class TestStockLevels(ShopifySyncCase):
    def level(self, product):
        levels = self.api.stock_levels({"product_ids": [product.id],
                                        "location_gids": [LOCATION_GID]})["levels"]
        self.assertEqual(len(levels), 1)
        return levels[0]

    def test_stock_levels_subtract_only_non_shopify_reservations_and_safety_stock(self):
        self.assertEqual(self.level(self.mug)["shopify_on_hand"], 10)
        # A Shopify order reserves 2: Shopify already counts them as committed.
        self.import_order(3201)
        level = self.level(self.mug)
        self.assertEqual((level["on_hand"], level["reserved_other"], level["shopify_on_hand"]),
                         (10, 0, 10))
        # A non-Shopify order reserves 3: Shopify must not sell them.
        order = self.env["sale.order"].create({
            "partner_id": self.env["res.partner"].create({"name": "Counter"}).id,
            "order_line": [(0, 0, {"product_id": self.mug.id, "product_uom_qty": 3})],
        })
        order.action_confirm()
        level = self.level(self.mug)
        self.assertEqual((level["reserved_other"], level["shopify_on_hand"]), (3, 7))
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.safety_stock", "2")
        level = self.level(self.mug)
        self.assertEqual((level["safety_stock"], level["shopify_on_hand"]), (2, 5))
        self.assertEqual(level["sku"], "MUG-RED")
        self.assertEqual(level["warehouse_id"], self.warehouse.id)

    def test_stock_levels_never_go_negative(self):
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.safety_stock", "50")
        self.assertEqual(self.level(self.tee)["shopify_on_hand"], 0)
