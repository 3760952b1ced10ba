/**
 * The refunds area of the contract, goods coming back (the addon's
 * models/shopify_sync_api_returns.py): apply_return follows a Shopify return's life (requested →
 * nothing yet; approved → return pickings ready to receive; processed → the restocked units
 * received; closed → nothing more to receive; declined or cancelled → the open pickings
 * cancelled), and the machinery refunds use too: which deliveries goods go back from (never more
 * than delivered and not already returned), the return pickings, and receiving them.
 */
import type { ContractResult, ReturnDocument } from '../../../sidecar/odoo/contract.js';
import type { DoubleCore } from '../core.js';
import { validationError } from '../errors.js';
import type { Move, Picking, SaleLine, SaleOrder } from '../state.js';
import { gid, quantity } from '../values.js';

export type Wanted = { line: SaleLine; qty: number; locationGid: string | null };
/** Per delivered picking: the moves to take back and the Shopify location they go back to. */
export type ReturnPlan = Map<Picking, { locationGid: string | null; items: Array<{ move: Move; take: number }> }>;

const WITHDRAWN = ['CANCELED', 'CANCELLED', 'DECLINED'];
const AWAITING = ['REQUESTED'];

/** The product line of an order a refund or return line is about: by Shopify line GID, else by SKU. */
export function saleLineOf(so: SaleOrder, l: { line_gid: string; sku?: string | null }, where: string): SaleLine {
  const line =
    so.lines.find((x) => x.role === 'product' && x.line_gid === l.line_gid) ??
    (l.sku ? so.lines.find((x) => x.role === 'product' && x.sku === l.sku) : undefined);
  if (!line) throw validationError(`${where}: line ${l.line_gid} (SKU "${l.sku}") is not on order ${so.name}`);
  return line;
}

export function importedOrder(core: DoubleCore, label: string, orderGid: string): SaleOrder {
  const so = [...core.state.saleOrders.values()].find((o) => o.order_gid === orderGid);
  if (!so) throw validationError(`${label}: order ${orderGid} is not imported in Odoo`);
  return so;
}

/** Units of a done outgoing move not yet returned (returns not cancelled count: those goods are on their way back). */
function returnable(core: DoubleCore, picking: Picking, move: Move): number {
  const returned = [...core.state.pickings.values()]
    .filter((p) => p.return_of === picking.id && p.state !== 'cancel')
    .flatMap((p) => p.moves)
    .filter((m) => m.sale_line_id === move.sale_line_id)
    .reduce((s, m) => s + m.quantity, 0);
  const sameLine = picking.moves.filter((m) => m.sale_line_id === move.sale_line_id);
  // Earlier moves of the same line in this delivery absorb the returns first.
  const before = sameLine.slice(0, sameLine.indexOf(move)).reduce((s, m) => s + m.quantity_done, 0);
  return Math.max(0, move.quantity_done - Math.max(0, returned - before));
}

/**
 * Which done deliveries the goods go back from: one return picking per delivered picking (Odoo
 * returns one picking at a time). Refuses, before anything is written, to take back more than was
 * delivered and not already returned.
 */
export function planReturns(core: DoubleCore, so: SaleOrder, wanted: Wanted[], label: string): ReturnPlan {
  const plan: ReturnPlan = new Map();
  for (const { line, qty, locationGid } of wanted) {
    let remaining = qty;
    const deliveries = [...core.state.pickings.values()].filter(
      (p) => p.sale_order_id === so.id && p.picking_type === 'outgoing' && p.state === 'done',
    );
    for (const picking of deliveries) {
      for (const move of picking.moves.filter((m) => m.sale_line_id === line.id)) {
        const planned =
          plan
            .get(picking)
            ?.items.filter((i) => i.move.sale_line_id === line.id)
            .reduce((s, i) => s + i.take, 0) ?? 0;
        const take = Math.min(remaining, returnable(core, picking, move) - planned);
        if (take <= 0) continue;
        const entry = plan.get(picking) ?? { locationGid, items: [] };
        entry.items.push({ move, take });
        plan.set(picking, entry);
        remaining -= take;
      }
    }
    if (remaining > 0)
      throw validationError(`${label}: cannot return ${qty} × ${line.sku}: only ${qty - remaining} delivered and not already returned`);
  }
  return plan;
}

/** The return pickings of a plan, ready to receive, into the warehouse of the Shopify location (else the delivery's). */
export function createReturnPickings(core: DoubleCore, so: SaleOrder, plan: ReturnPlan, returnGid: string | null): Picking[] {
  return [...plan].map(([origin, { locationGid, items }]) => {
    const picking = core.newPicking(core.warehouseFor(locationGid)?.id ?? origin.warehouse_id, 'incoming', so.id);
    picking.return_of = origin.id;
    picking.return_gid = returnGid;
    picking.moves = items.map(({ move, take }) => core.newMove(move.product_id, move.sale_line_id, take));
    return picking;
  });
}

/** Units of a sale line received back by done return pickings among `pickings`. */
export function received(pickings: readonly Picking[], line: SaleLine): number {
  return pickings
    .filter((p) => p.state === 'done')
    .flatMap((p) => p.moves)
    .filter((m) => m.sale_line_id === line.id)
    .reduce((s, m) => s + m.quantity_done, 0);
}

/**
 * Receives the open return moves of `pickings` for `quantities` (sale line id → units); the rest
 * stays to receive in a backorder, or is cancelled when `close`.
 */
export function receive(core: DoubleCore, pickings: readonly Picking[], quantities: ReadonlyMap<number, number>, close = false): void {
  const done = new Map<number, number>();
  for (const picking of pickings.filter((p) => p.state === 'assigned')) {
    const take = new Map<number, number>();
    for (const move of picking.moves) {
      const lineId = move.sale_line_id ?? -1;
      const want = (quantities.get(lineId) ?? 0) - (done.get(lineId) ?? 0);
      const n = Math.max(0, Math.min(want, move.quantity));
      if (n) take.set(move.id, n);
      done.set(lineId, (done.get(lineId) ?? 0) + n);
    }
    if (take.size) core.receiveReturnPicking(picking, take, close);
    else if (close) picking.state = 'cancel';
  }
}

type ReturnLine = ReturnDocument['lines'][number] & { quantity: number; restocked_quantity: number; not_restocked_quantity: number };

/** Every line's quantities, checked before anything is written (the addon's `_return_lines`). */
function returnLines(label: string, doc: ReturnDocument): ReturnLine[] {
  return (doc.lines ?? []).map((line, i) => {
    const where = `${label} line ${i + 1}`;
    const clean = {
      ...line,
      quantity: quantity(line.quantity, where),
      restocked_quantity: quantity(line.restocked_quantity ?? 0, `${where} restocked_quantity`),
      not_restocked_quantity: quantity(line.not_restocked_quantity ?? 0, `${where} not_restocked_quantity`),
    };
    if (clean.restocked_quantity + clean.not_restocked_quantity > clean.quantity)
      throw validationError(
        `${where}: ${clean.restocked_quantity} restocked and ${clean.not_restocked_quantity} not restocked exceed the ${clean.quantity} returned`,
      );
    return clean;
  });
}

const returnResult = (status: ContractResult<'apply_return'>['status'], pickings: Picking[]): ContractResult<'apply_return'> => ({
  status,
  picking_id: pickings[0]?.id ?? null,
  picking_ids: pickings.map((p) => p.id),
});

const pickingsOf = (core: DoubleCore, returnGid: string) =>
  [...core.state.pickings.values()].filter((p) => p.return_gid === returnGid).sort((a, b) => a.id - b.id);

export function applyReturn(core: DoubleCore, doc: ReturnDocument): ContractResult<'apply_return'> {
  const returnGid = gid(doc.return_gid, 'Return', 'return', 'return_gid');
  const orderGid = gid(doc.order_gid, 'Order', `return ${returnGid}`, 'order_gid');
  const label = `return ${doc.name || returnGid}`;
  const status = String(doc.status ?? 'OPEN').toUpperCase();
  const lines = returnLines(label, doc);
  let existing = pickingsOf(core, returnGid);
  if (WITHDRAWN.includes(status)) {
    const open = existing.filter((p) => p.state !== 'done' && p.state !== 'cancel');
    for (const p of open) p.state = 'cancel';
    return returnResult(open.length ? 'cancelled' : 'unchanged', existing);
  }
  if (AWAITING.includes(status) && !existing.length) return returnResult('awaiting_approval', existing);
  const so = importedOrder(core, label, orderGid);
  const resolved = lines.map((line, i) => ({ line, so_line: saleLineOf(so, line, `${label} line ${i + 1}`) }));
  let outcome: ContractResult<'apply_return'>['status'] = 'unchanged';
  if (!existing.length) {
    const wanted = resolved
      .filter((r) => r.line.quantity)
      .map((r) => ({ line: r.so_line, qty: r.line.quantity, locationGid: doc.location_gid ?? null }));
    if (!wanted.length) throw validationError(`${label}: no quantity to return`);
    existing = createReturnPickings(core, so, planReturns(core, so, wanted, label), returnGid);
    outcome = 'created';
  }
  if (receiveProcessed(core, existing, resolved, status === 'CLOSED') && outcome === 'unchanged') outcome = 'updated';
  return returnResult(outcome, pickingsOf(core, returnGid));
}

/** Receive what Shopify restocked and is not received yet; when every unit is processed (or the return is closed), nothing more comes back. */
function receiveProcessed(
  core: DoubleCore,
  pickings: Picking[],
  resolved: Array<{ line: ReturnLine; so_line: SaleLine }>,
  closed: boolean,
): boolean {
  const targets = new Map<SaleLine, number>();
  let processedAll = true;
  for (const { line, so_line } of resolved) {
    targets.set(so_line, (targets.get(so_line) ?? 0) + line.restocked_quantity);
    if (line.restocked_quantity + line.not_restocked_quantity < line.quantity) processedAll = false;
  }
  const wanted = new Map([...targets].map(([line, target]) => [line.id, Math.max(0, target - received(pickings, line))]));
  const close = closed || processedAll;
  const open = pickings.filter((p) => p.state === 'assigned');
  if (!open.length || (![...wanted.values()].some(Boolean) && !close)) return false;
  receive(core, open, wanted, close);
  return true;
}
