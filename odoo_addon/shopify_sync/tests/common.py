"""Shared fixtures: a mapped warehouse, a mapped 20 % tax, two storable products with SKUs,
the integration user and a plain user, and builders for contract documents."""
import copy

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

from .. import compat

LOCATION_GID = "gid://shopify/Location/1"
SHOP = "test-shop.myshopify.com"


class ShopifySyncCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env["ir.config_parameter"].sudo().set_param("shopify_sync.shop_domain", SHOP)
        cls.env["ir.config_parameter"].sudo().set_param("shopify_sync.import_policy", "all")
        cls.env["ir.config_parameter"].sudo().set_param("shopify_sync.safety_stock", "0")
        cls.company = cls.env.company
        if not cls.company.chart_template:
            # A database installed without demo data has no chart of accounts (the company
            # has no country); invoices and credit notes need one.
            cls.env["account.chart.template"].try_loading(
                "generic_coa", company=cls.company, install_demo=False)
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], order="id", limit=1)
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.env["shopify.location.map"].search([]).unlink()
        cls.location_map = cls.env["shopify.location.map"].create(
            {"location_gid": LOCATION_GID, "warehouse_id": cls.warehouse.id})
        Tax = cls.env["account.tax"]
        cls.tax20 = Tax.create(compat.vals(Tax, {
            "name": "Test VAT 20%", "amount": 20.0, "amount_type": "percent",
            "type_tax_use": "sale", "price_include_override": "tax_excluded",
            "company_id": cls.company.id,
        }))
        cls.env["shopify.tax.map"].search([]).unlink()
        cls.env["shopify.tax.map"].create({"title": "VAT", "rate": 0.2, "tax_id": cls.tax20.id})
        Product = cls.env["product.product"]
        cls.mug = Product.create(compat.vals(Product, {
            "name": "Mug red", "default_code": "MUG-RED", "list_price": 12.5, "type": "consu",
            "is_storable": True, "sale_ok": True, "taxes_id": [Command.set(cls.tax20.ids)],
            "invoice_policy": "order",
        }))
        cls.tee = Product.create(compat.vals(Product, {
            "name": "Tee blue", "default_code": "TEE-BLUE", "list_price": 20.0, "type": "consu",
            "is_storable": True, "sale_ok": True, "taxes_id": [Command.set(cls.tax20.ids)],
            "invoice_policy": "order",
        }))
        cls.set_stock(cls.mug, 10)
        cls.set_stock(cls.tee, 5)
        cls.integration_user = new_test_user(
            cls.env, login="shopify-int", groups="shopify_sync.group_shopify_integration")
        cls.plain_user = new_test_user(cls.env, login="plain-user", groups="base.group_user")
        cls.shopify_user = new_test_user(
            cls.env, login="shopify-viewer", groups="shopify_sync.group_shopify_user")
        cls.manager_user = new_test_user(
            cls.env, login="shopify-mgr",
            groups="shopify_sync.group_shopify_manager,sales_team.group_sale_salesman,"
                   "base.group_partner_manager")
        cls.api = cls.env["shopify.sync.api"].with_user(cls.integration_user)
        # Post-commit callbacks accumulate across TransactionCase tests: they never run there.
        cls.env.cr.postcommit.clear()

    @classmethod
    def set_stock(cls, product, quantity, location=None):
        cls.env["stock.quant"].with_context(inventory_mode=True).create({
            "product_id": product.id, "location_id": (location or cls.stock_location).id,
            "inventory_quantity": quantity,
        }).action_apply_inventory()

    def events(self, event_type, key=None, state="pending"):
        domain = [("type", "=", event_type)]
        if key:
            domain.append(("key", "=", key))
        if state:
            domain.append(("state", "=", state))
        return self.env["shopify.sync.event"].sudo().search(domain)

    def clear_events(self):
        self.env["shopify.sync.event"].sudo().search([]).unlink()

    @staticmethod
    def order_doc(number=1001, **overrides):
        doc = {
            "order_gid": f"gid://shopify/Order/{number}",
            "name": f"#{number}",
            "created_at": "2026-11-27T10:00:00Z",
            "updated_at": "2026-11-27T10:00:00Z",
            "currency": "USD",
            "presentment_currency": "USD",
            "taxes_included": False,
            "financial_status": "paid",
            "fulfillment_status": None,
            "cancelled_at": None,
            "customer": {
                "customer_gid": f"gid://shopify/Customer/{number}",
                "email": f"buyer{number}@example.com",
                "first_name": "Jane", "last_name": "Doe", "phone": None,
                "default_address": None, "updated_at": "2026-11-27T10:00:00Z",
            },
            "billing_address": None,
            "shipping_address": {
                "name": "Jane Doe", "company": None, "address1": "1 Main St",
                "address2": None, "city": "Springfield", "province_code": None,
                "zip": "12345", "country_code": "US", "phone": None,
            },
            "location_gid": LOCATION_GID,
            "lines": [{
                "line_gid": f"gid://shopify/LineItem/{number}1", "sku": "MUG-RED",
                "title": "Mug red", "quantity": 2, "price_unit": "12.50", "discount": "0.00",
                "tax_lines": [{"title": "VAT", "rate": "0.2", "amount": "5.00"}],
            }],
            "shipping_lines": [{
                "title": "Standard", "code": "STD", "price": "5.00", "discount": "0.00",
                "tax_lines": [{"title": "VAT", "rate": "0.2", "amount": "1.00"}],
            }],
            "subtotal_price": "25.00",
            "total_tax": "6.00",
            "total_discounts": "0.00",
            "total_price": "36.00",
            "note": None,
        }
        doc = copy.deepcopy(doc)
        doc.update(overrides)
        return doc

    def import_order(self, number=1001, reserve=True, **overrides):
        """apply_order, then (`reserve`) what the scheduled action does a moment later in
        production: the delivery's reservation (docs/flows.md, "Reserving stock right after the
        import")."""
        result = self.api.apply_order(self.order_doc(number, **overrides))
        if reserve:
            self.reserve_imported()
        return self.env["sale.order"].browse(result["sale_order_id"]), result

    def reserve_imported(self):
        """The scheduled action "Shopify: reserve imported orders' deliveries", without its
        commits."""
        return self.env["stock.move"]._shopify_reserve_pending()

    def deliver(self, order, quantities=None):
        """Validate the order's outgoing picking (all, or {product: qty} with backorder)."""
        picking = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel"))
        picking.action_assign()
        for move in picking.move_ids:
            qty = move.product_uom_qty if quantities is None else quantities.get(move.product_id, 0)
            move.quantity = qty
            move.picked = True
        picking.with_context(skip_sms=True, skip_backorder=True).button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def invoice(self, order):
        invoice = order._create_invoices()
        invoice.action_post()
        return invoice
