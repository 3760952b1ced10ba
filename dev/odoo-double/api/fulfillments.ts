/**
 * The deliveries area, the other direction (the addon's models/shopify_sync_api_fulfillments.py):
 * apply_fulfillment applies a fulfillment made in Shopify to the order's open delivery — validated
 * for the fulfilled units (a backorder keeps the rest) or flagged for a person by the fulfillment
 * policy — records its GID on the picking, and undoes a flag when the fulfillment is cancelled.
 */
import type { ApplyFulfillmentResult, ContractParams } from '../../../sidecar/odoo/contract.js';
import type { DoubleCore } from '../core.js';
import { pyRepr, validationError } from '../errors.js';
import type { Move, Picking, SaleLine, SaleOrder } from '../state.js';
import { gid, quantity } from '../values.js';
import { importedOrder, saleLineOf } from './returns.js';

const FULFILLED = ['SUCCESS', 'OPEN', 'PENDING'];
const WITHDRAWN = ['CANCELLED', 'ERROR', 'FAILURE'];
type Plan = Map<Picking, Map<Move, number>>;

const result = (status: ApplyFulfillmentResult['status'], pickings: Picking[], backorders: Picking[] = []): ApplyFulfillmentResult => ({
  status,
  picking_ids: pickings.map((p) => p.id),
  backorder_ids: backorders.map((p) => p.id),
});

export function applyFulfillment(core: DoubleCore, doc: ContractParams<'apply_fulfillment'>): ApplyFulfillmentResult {
  const fulfillmentGid = gid(doc.fulfillment_gid, 'Fulfillment', 'fulfillment', 'fulfillment_gid');
  const orderGid = gid(doc.order_gid, 'Order', `fulfillment ${fulfillmentGid}`, 'order_gid');
  const label = `Shopify fulfillment ${doc.name || fulfillmentGid}`;
  const status = String(doc.status ?? '').toUpperCase();
  if (!FULFILLED.includes(status) && !WITHDRAWN.includes(status))
    throw validationError(`${label}: status ${pyRepr(doc.status)} is not a Shopify fulfillment status`);
  const so = importedOrder(core, label, orderGid);
  const wanted = fulfilledLines(so, label, doc.lines);
  const pickings = deliveriesOf(core, so).filter((p) => p.fulfillment_gids.includes(fulfillmentGid));
  if (WITHDRAWN.includes(status)) return withdrawn(core, pickings, wanted, fulfillmentGid, label);
  if (pickings.length) return result('unchanged', pickings);
  const { plan, delivered } = planFulfillment(core, so, wanted);
  if (!plan.size) return recorded(core, so, fulfillmentGid, label, delivered);
  const warehouse = core.warehouseFor(doc.location_gid ?? null);
  if (core.state.settings.fulfillment_policy === 'flag' || [...plan.keys()].some((p) => warehouse && p.warehouse_id !== warehouse.id))
    return flag(core, plan, fulfillmentGid, label, warehouse ?? null);
  return validate(core, plan, fulfillmentGid, label, doc.tracking?.number ?? null);
}

const deliveriesOf = (core: DoubleCore, so: SaleOrder) =>
  [...core.state.pickings.values()].filter((p) => p.sale_order_id === so.id && p.picking_type === 'outgoing').sort((a, b) => a.id - b.id);

/** Sale line → units, checked before anything is written (the addon's `_fulfilled_lines`). */
function fulfilledLines(so: SaleOrder, label: string, lines: unknown): Map<SaleLine, number> {
  if (!Array.isArray(lines) || !lines.length) throw validationError(`${label}: lines must be a non-empty list`);
  const wanted = new Map<SaleLine, number>();
  lines.forEach((line: { line_gid: string; sku?: string | null; quantity: unknown }, i) => {
    const where = `${label} line ${i + 1}`;
    const qty = quantity(line.quantity, where);
    const soLine = saleLineOf(so, line, where);
    wanted.set(soLine, (wanted.get(soLine) ?? 0) + qty);
  });
  return wanted;
}

function planFulfillment(core: DoubleCore, so: SaleOrder, wanted: Map<SaleLine, number>): { plan: Plan; delivered: number } {
  const plan: Plan = new Map();
  let delivered = 0;
  const open = deliveriesOf(core, so).filter((p) => p.state === 'assigned');
  for (const [line, qty] of wanted) {
    let remaining = qty;
    for (const picking of open)
      for (const move of picking.moves.filter((m) => m.sale_line_id === line.id)) {
        const take = Math.min(remaining, move.quantity - (move.shopify_fulfilled_qty ?? 0));
        if (take <= 0) continue;
        const entry = plan.get(picking) ?? new Map<Move, number>();
        entry.set(move, take);
        plan.set(picking, entry);
        remaining -= take;
      }
    delivered += remaining;
  }
  return { plan, delivered };
}

function recorded(core: DoubleCore, so: SaleOrder, fulfillmentGid: string, label: string, delivered: number): ApplyFulfillmentResult {
  const done = deliveriesOf(core, so).filter((p) => p.state === 'done');
  const picking = done[done.length - 1];
  if (!picking) throw validationError(`${label}: order ${so.name} has no open or done delivery for these units`);
  if (!picking.fulfillment_gids.includes(fulfillmentGid)) picking.fulfillment_gids.push(fulfillmentGid);
  core.setResult(picking.binding, 'synced', {
    message: `${label} (${delivered} unit(s)) matches what this delivery shipped in Odoo already.`,
  });
  return result('recorded', [picking]);
}

const unitsText = (core: DoubleCore, moves: Map<Move, number>) =>
  [...moves]
    .map(([m, q]) => `${q} × ${core.variant(m.product_id).sku ?? core.template(core.variant(m.product_id).template_id).name}`)
    .join(', ');

/** Validates exactly the fulfilled units; the rest goes to a backorder (Odoo's validation with backorder). */
function validate(
  core: DoubleCore,
  plan: Plan,
  fulfillmentGid: string,
  label: string,
  trackingNumber: string | null,
): ApplyFulfillmentResult {
  const pickings: Picking[] = [];
  const backorders: Picking[] = [];
  for (const [picking, moves] of plan) {
    const so = core.orderOf(picking)!;
    const rest: Move[] = [];
    for (const move of picking.moves) {
      const done = moves.get(move) ?? 0;
      core.setOnHand(move.product_id, picking.warehouse_id, core.onHand(move.product_id, picking.warehouse_id) - done);
      if (done < move.quantity) rest.push(core.newMove(move.product_id, move.sale_line_id, move.quantity - done));
      move.quantity = done;
      move.quantity_done = done;
      move.reserved = 0;
      const line = so.lines.find((l) => l.id === move.sale_line_id);
      if (line) line.qty_delivered += done;
    }
    picking.moves = picking.moves.filter((m) => m.quantity > 0);
    picking.state = 'done';
    if (trackingNumber && !picking.tracking.number) picking.tracking = { ...picking.tracking, number: trackingNumber };
    if (rest.length) {
      const backorder = core.newPicking(picking.warehouse_id, 'outgoing', picking.sale_order_id);
      backorder.backorder_of = picking.id;
      backorder.moves = rest;
      core.reserve(backorder);
      backorders.push(backorder);
    }
    for (const m of picking.moves) core.stockChanged(m.product_id, picking.warehouse_id);
    picking.fulfillment_gids.push(fulfillmentGid);
    core.setResult(picking.binding, 'synced', { message: `Validated from ${label}: ${unitsText(core, moves)}.` });
    pickings.push(picking);
  }
  return result('validated', pickings, backorders);
}

function flag(
  core: DoubleCore,
  plan: Plan,
  fulfillmentGid: string,
  label: string,
  warehouse: { id: number; name: string } | null,
): ApplyFulfillmentResult {
  for (const [picking, moves] of plan) {
    for (const [move, take] of moves) move.shopify_fulfilled_qty = (move.shopify_fulfilled_qty ?? 0) + take;
    picking.fulfillment_gids.push(fulfillmentGid);
    const why =
      warehouse && picking.warehouse_id !== warehouse.id
        ? `Shopify fulfilled from ${warehouse.name}, this delivery leaves from ${core.state.warehouses.get(picking.warehouse_id)?.name}`
        : 'the settings ask a person to validate deliveries fulfilled in Shopify';
    core.setResult(picking.binding, 'error', {
      message: `${label} shipped ${unitsText(core, moves)} in Shopify; this delivery was not validated because ${why}. Validate it for those units (or return them).`,
    });
  }
  return result('flagged', [...plan.keys()]);
}

function withdrawn(
  core: DoubleCore,
  pickings: Picking[],
  wanted: Map<SaleLine, number>,
  fulfillmentGid: string,
  label: string,
): ApplyFulfillmentResult {
  let status: ApplyFulfillmentResult['status'] = 'unchanged';
  const left = new Map([...wanted].map(([line, q]) => [line.id, q]));
  for (const picking of pickings) {
    if (picking.state !== 'assigned') {
      if (picking.binding.state !== 'error') {
        core.setResult(picking.binding, 'error', {
          message: `${label} was cancelled in Shopify after this delivery was validated in Odoo: the units are open again in Shopify. Fulfill them again in Shopify, or return them here if they came back.`,
        });
        status = 'flagged';
      }
      continue;
    }
    for (const move of picking.moves.filter((m) => m.shopify_fulfilled_qty)) {
      const release = Math.min(move.shopify_fulfilled_qty ?? 0, left.get(move.sale_line_id ?? -1) ?? 0);
      left.set(move.sale_line_id ?? -1, (left.get(move.sale_line_id ?? -1) ?? 0) - release);
      move.shopify_fulfilled_qty = (move.shopify_fulfilled_qty ?? 0) - release;
    }
    picking.fulfillment_gids = picking.fulfillment_gids.filter((g) => g !== fulfillmentGid);
    core.setResult(picking.binding, 'synced', { message: `${label} was cancelled in Shopify; this delivery is to ship as before.` });
    status = 'cancelled';
  }
  return result(status, pickings);
}
