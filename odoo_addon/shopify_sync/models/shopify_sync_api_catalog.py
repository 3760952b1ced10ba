"""Contract area `catalog`: products to push to Shopify and oversell-safe stock levels
(docs/contract.md, "ProductDocument" and "StockLevel")."""
import math

from odoo import api, models

from .. import compat
from ..lib import digest, money


class ShopifySyncApi(models.AbstractModel):
    _inherit = "shopify.sync.api"

    @api.model
    def export_products(self, document=None):
        self = self._begin(document or {})
        document = document or {}
        Template = self.env["product.template"].with_context(active_test=False)
        ids = self._id_list(document, "template_ids", "export_products", required=False)
        if ids is not None:
            templates = Template.browse(ids).exists()
        else:
            templates = Template.search(
                ["|", ("shopify_gid", "!=", False),
                 "&", ("sale_ok", "=", True), ("type", "!=", "combo")],
                order="id", limit=document.get("limit") or 100,
                offset=document.get("offset") or 0)
        return {"products": [self._product_document(t) for t in templates]}

    def _product_document(self, template):
        options = []
        for line in template.attribute_line_ids:
            options.append({"name": line.attribute_id.name,
                            "values": line.value_ids.mapped("name")})
        variants = []
        for variant in template.with_context(active_test=False).product_variant_ids:
            option_values = [
                {"option": ptav.attribute_id.name, "value": ptav.name}
                for ptav in variant.product_template_attribute_value_ids
            ]
            variants.append({
                "odoo_id": variant.id,
                "sku": variant.default_code or None,
                "barcode": variant.barcode or None,
                # In the product's company currency, with its decimals (KWD 3, JPY none).
                "price": money.to_string(variant.lst_price, money.minor_units(
                    (variant.currency_id or self.env.company.currency_id).name)),
                "active": bool(variant.active and template.active),
                "option_values": option_values,
                "shopify_variant_gid": variant.shopify_variant_gid or None,
                "shopify_inventory_item_gid": variant.shopify_inventory_item_gid or None,
            })
        doc = {
            "odoo_id": template.id,
            "name": template.name,
            "description": template.description_sale or None,
            "active": bool(template.active and template.sale_ok),
            "shopify_product_gid": template.shopify_gid or None,
            "options": options,
            "variants": variants,
        }
        # The hash covers what is pushed, not the Shopify IDs written back afterwards.
        doc["content_hash"] = digest.content_hash({
            **{k: v for k, v in doc.items() if k != "shopify_product_gid"},
            "variants": [{k: v for k, v in variant.items() if not k.startswith("shopify_")}
                         for variant in variants],
        })
        doc["synced_hash"] = template.shopify_hash or None
        return doc

    @api.model
    def stock_levels(self, document=None):
        self = self._begin(document or {})
        document = document or {}
        Map = self.env["shopify.location.map"]
        maps = Map.search([])
        if document.get("location_gids"):
            maps = maps.filtered(lambda m: m.location_gid in document["location_gids"])
        Product = self.env["product.product"]
        if document.get("product_ids") is not None:
            products = Product.browse(document["product_ids"]).exists()
        else:
            products = Product.search(
                compat.domain("product.product", [("is_storable", "=", True)]), order="id")
            products = products.filtered(lambda p: p.product_tmpl_id._shopify_should_sync())
        products = products.filtered(lambda p: compat.value(p, "is_storable"))
        safety = int(self._param("shopify_sync.safety_stock", 0) or 0)
        levels = []
        for mapping in maps:
            warehouse = mapping.warehouse_id
            reserved = self._reserved_other(products, warehouse)
            gone = self._fulfilled_in_shopify(products, warehouse)
            for product in products:
                on_hand = compat.in_warehouse(product, warehouse).qty_available
                # Units Shopify fulfilled whose delivery Odoo has not validated yet are
                # gone for Shopify: pushing them would sell them a second time.
                reserved_other = reserved.get(product.id, 0.0) + gone.get(product.id, 0.0)
                levels.append({
                    "product_id": product.id,
                    "sku": product.default_code or None,
                    "shopify_inventory_item_gid": product.shopify_inventory_item_gid or None,
                    "location_gid": mapping.location_gid,
                    "warehouse_id": warehouse.id,
                    # Integers by contract; rounding is conservative (floor what we have,
                    # ceil what is promised elsewhere) so Shopify never sells more.
                    "on_hand": math.floor(on_hand + 1e-9),
                    "reserved_other": math.ceil(reserved_other - 1e-9),
                    "safety_stock": safety,
                    "shopify_on_hand": max(0, math.floor(
                        on_hand - reserved_other - safety + 1e-9)),
                })
        return {"levels": levels}

    def _fulfilled_in_shopify(self, products, warehouse):
        """Units of open deliveries from the warehouse that Shopify fulfilled already
        (stock.move.shopify_fulfilled_qty, set by apply_fulfillment)."""
        if not products:
            return {}
        moves = self.env["stock.move"].search([
            ("product_id", "in", products.ids),
            ("state", "not in", ("done", "cancel")),
            ("shopify_fulfilled_qty", ">", 0),
            ("location_id", "child_of", warehouse.view_location_id.id),
        ])
        result = {}
        for move in moves:
            held = min(move.shopify_fulfilled_qty, move.product_uom_qty)
            result[move.product_id.id] = result.get(move.product_id.id, 0.0) + held
        return result

    def _reserved_other(self, products, warehouse):
        """Quantity reserved in the warehouse by moves that are NOT from Shopify orders."""
        if not products:
            return {}
        lines = self.env["stock.move.line"].search([
            ("product_id", "in", products.ids),
            ("state", "not in", ("done", "cancel")),
            ("location_id", "child_of", warehouse.view_location_id.id),
            ("location_id.usage", "=", "internal"),
        ])
        result = {}
        for line in lines:
            if line.move_id.sale_line_id.order_id.shopify_gid:
                continue  # Shopify already counts these as committed.
            result[line.product_id.id] = result.get(line.product_id.id, 0.0) + \
                line.quantity_product_uom
        return result
