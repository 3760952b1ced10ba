/**
 * The deliveries area of the contract (the addon's models/shopify_sync_api_deliveries.py):
 * export_delivery, the fulfillment document of a done delivery or return (quantities per
 * Shopify line, tracking, the fulfillments already created for it).
 */
import type { ContractParams, FulfillmentDocument } from '../../../sidecar/odoo/contract.js';
import type { DoubleCore } from '../core.js';
import { validationError } from '../errors.js';
import type { Picking, SaleOrder } from '../state.js';

export function exportDelivery(core: DoubleCore, doc: ContractParams<'export_delivery'>): FulfillmentDocument {
  const pickingId: unknown = doc.picking_id;
  if (typeof pickingId !== 'number' || !Number.isInteger(pickingId))
    throw validationError('export_delivery: picking_id must be an integer');
  const picking = core.state.pickings.get(pickingId);
  if (!picking) throw validationError(`export_delivery: picking ${pickingId} does not exist`);
  const so = core.orderOf(picking);
  if (!so?.order_gid) throw validationError(`export_delivery: picking ${picking.name} is not for a Shopify order`);
  const returnPickings = picking.return_gid ? [...core.state.pickings.values()].filter((p) => p.return_gid === picking.return_gid) : [];
  return {
    picking_id: picking.id,
    name: picking.name,
    state: picking.state,
    order_gid: so.order_gid,
    sale_order_id: so.id,
    is_return: picking.picking_type === 'incoming',
    location_gid: core.state.warehouses.get(picking.warehouse_id)?.location_gid ?? null,
    lines: doneQuantities(core, so, [picking]),
    tracking: { ...picking.tracking },
    fulfillment_gids: [...picking.fulfillment_gids],
    return_gid: picking.return_gid ?? null,
    return_received: doneQuantities(core, so, returnPickings),
    await_credit_note: core.awaitsCreditNote(picking),
  };
}

/** Done quantities per Shopify line and SKU of `pickings`, sorted as the addon sorts them. */
function doneQuantities(core: DoubleCore, so: SaleOrder, pickings: Picking[]): FulfillmentDocument['lines'] {
  const quantities = new Map<string, FulfillmentDocument['lines'][number]>();
  for (const move of pickings.filter((p) => p.state === 'done').flatMap((p) => p.moves)) {
    const line = so.lines.find((l) => l.id === move.sale_line_id);
    if (!line?.line_gid) continue;
    // Like the addon: a product without an internal reference exports sku null.
    const sku = core.variant(move.product_id).sku || null;
    const k = `${line.line_gid}|${sku ?? ''}`;
    const entry = quantities.get(k) ?? { line_gid: line.line_gid, sku, quantity: 0 };
    entry.quantity += move.quantity_done;
    quantities.set(k, entry);
  }
  return [...quantities.values()].sort((a, b) => (a.line_gid + (a.sku ?? '') < b.line_gid + (b.sku ?? '') ? -1 : 1));
}
