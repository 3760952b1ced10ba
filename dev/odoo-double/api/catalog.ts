/**
 * The catalog area of the contract (the addon's models/shopify_sync_api_catalog.py):
 * export_products (product documents with their content hash) and stock_levels (what Shopify's
 * on_hand should be: on hand − reservations not from Shopify orders − safety stock).
 */
import type { ContractParams, ContractResult, ProductDocument, StockLevel } from '../../../sidecar/odoo/contract.js';
import type { DoubleCore } from '../core.js';
import { validationError } from '../errors.js';
import type { Template } from '../state.js';
import { contentHash, formatMoney, useCurrency } from '../values.js';

export function exportProducts(core: DoubleCore, doc: ContractParams<'export_products'>): ContractResult<'export_products'> {
  // Prices are in the company currency, with its decimals (KWD 3, JPY none).
  useCurrency(core.state.settings.company_currency);
  let templates: Template[];
  if (doc.template_ids !== undefined && doc.template_ids !== null) {
    const ids: unknown = doc.template_ids;
    if (!Array.isArray(ids) || !ids.every((i) => Number.isInteger(i)))
      throw validationError('export_products: template_ids must be a list of integers');
    templates = ids.map((i) => core.state.templates.get(i as number)).filter((t): t is Template => Boolean(t));
  } else {
    const offset = typeof doc.offset === 'number' ? doc.offset : 0;
    const limit = typeof doc.limit === 'number' && doc.limit > 0 ? doc.limit : 100;
    templates = [...core.state.templates.values()].sort((a, b) => a.id - b.id).slice(offset, offset + limit);
  }
  return { products: templates.map((t) => productDocument(core, t)) };
}

export function productDocument(core: DoubleCore, t: Template): ProductDocument {
  const doc: Omit<ProductDocument, 'content_hash' | 'synced_hash'> = {
    odoo_id: t.id,
    name: t.name,
    description: t.description,
    active: t.active,
    shopify_product_gid: t.binding.shopify_gid,
    options: t.options.map((o) => ({ name: o.name, values: o.values.map((v) => v.value) })),
    variants: [...core.state.variants.values()]
      .filter((v) => v.template_id === t.id)
      .map((v) => ({
        odoo_id: v.id,
        sku: v.sku,
        barcode: v.barcode,
        price: formatMoney(core.variantPrice(v)),
        active: v.active && t.active,
        option_values: v.option_values.map((ov) => ({ ...ov })),
        shopify_variant_gid: v.binding.shopify_gid,
        shopify_inventory_item_gid: v.inventory_item_gid,
      })),
  };
  // The hash covers what is pushed, not the Shopify IDs written back afterwards.
  const content_hash = contentHash({
    ...Object.fromEntries(Object.entries(doc).filter(([k]) => k !== 'shopify_product_gid')),
    variants: doc.variants.map((v) => Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith('shopify_')))),
  });
  return { ...doc, content_hash, synced_hash: t.binding.content_hash };
}

export function stockLevels(core: DoubleCore, doc: ContractParams<'stock_levels'>): ContractResult<'stock_levels'> {
  const productIds = Array.isArray(doc.product_ids) ? new Set(doc.product_ids) : null;
  const locations = Array.isArray(doc.location_gids) && doc.location_gids.length ? new Set(doc.location_gids) : null;
  const safety = core.state.settings.safety_stock;
  // Asked by id: those variants, in the order asked (the addon browses the ids), without a scan of
  // the catalog (an inventory batch asks for 250 of 10,000).
  const variants = productIds
    ? [...productIds].map((id) => core.state.variants.get(id)).filter((v) => v !== undefined)
    : [...core.state.variants.values()].filter(
        (v) => core.template(v.template_id).active || core.template(v.template_id).binding.shopify_gid,
      );
  const levels: StockLevel[] = [];
  for (const wh of core.state.warehouses.values()) {
    if (!wh.location_gid || (locations && !locations.has(wh.location_gid))) continue;
    for (const v of variants) {
      const onHand = core.onHand(v.id, wh.id);
      // Only reservations that do NOT come from Shopify orders are subtracted; Shopify
      // subtracts its own `committed` for Shopify orders (docs/architecture.md, decision 7).
      // Units Shopify fulfilled whose delivery is still open are gone for Shopify too.
      const reservedOther = core.reserved(v.id, wh.id, (p) => !core.isShopifyPicking(p)) + fulfilledInShopify(core, v.id, wh.id);
      levels.push({
        product_id: v.id,
        sku: v.sku,
        shopify_inventory_item_gid: v.inventory_item_gid,
        location_gid: wh.location_gid,
        warehouse_id: wh.id,
        on_hand: Math.floor(onHand),
        reserved_other: Math.ceil(reservedOther),
        safety_stock: safety,
        shopify_on_hand: Math.max(0, Math.floor(onHand - reservedOther - safety)),
      });
    }
  }
  return { levels };
}

/** Units of open deliveries from the warehouse that Shopify fulfilled already (the addon's _fulfilled_in_shopify). */
function fulfilledInShopify(core: DoubleCore, productId: number, warehouseId: number): number {
  let sum = 0;
  for (const p of core.state.pickings.values()) {
    if (p.picking_type !== 'outgoing' || p.state !== 'assigned' || p.warehouse_id !== warehouseId) continue;
    for (const m of p.moves) if (m.product_id === productId) sum += Math.min(m.shopify_fulfilled_qty ?? 0, m.quantity);
  }
  return sum;
}
