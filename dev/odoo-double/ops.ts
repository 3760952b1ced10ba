/**
 * The double's operator methods (models/shopify_sync_api_ops.py): order_status, bound_records,
 * request_resync and store_report. Same validation messages and results as the addon.
 */
import type { OrderStatus } from '../../sidecar/odoo/contract.js';
import type { OdooDouble } from './double.js';
import { formatCents } from './money.js';
import type { OdooState } from './state.js';

const RESYNC_MODELS = ['product.template', 'product.product', 'res.partner', 'sale.order'];
const BOUND_MODELS = ['product.template', 'res.partner', 'sale.order'];
const REPORT_KINDS = ['integrity', 'reconciliation'];
const MAX_IDS = 5000;

type Fail = (message: string) => Error;
const pyList = (items: string[]) =>
  `[${[...items]
    .sort()
    .map((i) => `'${i}'`)
    .join(', ')}]`;
const pyRepr = (value: unknown) =>
  value === undefined || value === null ? 'None' : typeof value === 'string' ? `'${value}'` : JSON.stringify(value);

const reports = new WeakMap<OdooState, Map<string, { created_at: string; summary: Record<string, unknown> }>>();

/** What store_report kept (the addon's `shopify_sync.report.<kind>` parameter). */
export function storedReport(double: OdooDouble, kind: string) {
  return reports.get(double.state)?.get(kind);
}

export function orderStatus(double: OdooDouble, doc: Record<string, unknown>, fail: Fail): { orders: OrderStatus[] } {
  const gids = doc.order_gids;
  if (!Array.isArray(gids) || !gids.every((g) => typeof g === 'string')) throw fail('order_status: order_gids must be a list of strings');
  if (gids.length > MAX_IDS) throw fail(`order_status: at most ${MAX_IDS} order_gids per call`);
  const byGid = new Map<string, { id: number }>();
  for (const so of double.state.saleOrders.values()) {
    if (so.order_gid && (!byGid.has(so.order_gid) || so.id > byGid.get(so.order_gid)!.id)) byGid.set(so.order_gid, so);
  }
  return {
    orders: (gids as string[]).map((gid) => {
      const found = byGid.get(gid);
      if (!found)
        return { order_gid: gid, found: false, sale_order_id: null, name: null, state: null, amount_total: null, line_count: null };
      const so = double.saleOrder(found.id);
      return {
        order_gid: gid,
        found: true,
        sale_order_id: so.id,
        name: so.name,
        state: so.state,
        amount_total: formatCents(so.amount_total),
        line_count: so.lines.filter((l) => l.role === 'product').length,
      };
    }),
  };
}

export function boundRecords(double: OdooDouble, doc: Record<string, unknown>, fail: Fail) {
  const model = doc.model as string;
  if (!BOUND_MODELS.includes(model)) throw fail(`bound_records: model must be one of ${pyList(BOUND_MODELS)}, got ${pyRepr(doc.model)}`);
  const source =
    model === 'product.template'
      ? [...double.state.templates.values()].map((t) => ({ id: t.id, gid: t.binding.shopify_gid }))
      : model === 'res.partner'
        ? [...double.state.partners.values()].map((p) => ({ id: p.id, gid: p.binding.shopify_gid }))
        : [...double.state.saleOrders.values()].map((s) => ({ id: s.id, gid: s.binding.shopify_gid ?? s.order_gid }));
  return {
    records: source
      .filter((r) => r.gid)
      .sort((a, b) => a.id - b.id)
      .map((r) => ({ id: r.id, shopify_gid: r.gid! })),
  };
}

export function requestResync(double: OdooDouble, doc: Record<string, unknown>, fail: Fail) {
  const model = doc.model as string;
  if (!RESYNC_MODELS.includes(model)) throw fail(`request_resync: model must be one of ${pyList(RESYNC_MODELS)}, got ${pyRepr(doc.model)}`);
  let ids: number[] | undefined;
  if (doc.ids !== undefined && doc.ids !== null) {
    if (!Array.isArray(doc.ids) || !doc.ids.every((i) => Number.isInteger(i))) throw fail('request_resync: ids must be a list of integers');
    if (doc.ids.length > MAX_IDS) throw fail(`request_resync: at most ${MAX_IDS} ids per call`);
    ids = doc.ids as number[];
  }
  const s = double.state;
  const before = s.outbox.length;
  const exists = (id: number) =>
    model === 'product.template'
      ? s.templates.has(id)
      : model === 'product.product'
        ? s.variants.has(id)
        : model === 'res.partner'
          ? s.partners.has(id)
          : s.saleOrders.has(id);
  const missing = (ids ?? []).filter((i) => !exists(i)).sort((a, b) => a - b);
  // The full-resync wizard's populations when no ids are given.
  const templates = () => [...s.templates.values()].filter((t) => t.binding.shopify_gid || t.active).map((t) => t.id);
  const chosen = ids ? ids.filter(exists) : undefined;
  if (model === 'product.template') {
    for (const id of chosen ?? templates()) double.productChanged(id, 'resync', true);
  } else if (model === 'product.product') {
    const variants = chosen ?? [...s.variants.values()].filter((v) => templates().includes(v.template_id)).map((v) => v.id);
    for (const id of variants) for (const wh of s.warehouses.values()) double.stockChanged(id, wh.id);
  } else if (model === 'res.partner') {
    const partners = chosen ?? [...s.partners.values()].filter((p) => p.binding.shopify_gid || p.shopify_sync).map((p) => p.id);
    for (const id of partners) double.customerChanged(id, 'resync', true);
  } else {
    for (const id of chosen ?? [...s.saleOrders.values()].filter((so) => so.order_gid).map((so) => so.id)) {
      const so = double.saleOrder(id);
      if (!so.order_gid) continue;
      double.emit('order.reimport', 'sale.order', so.id, `order:${so.order_gid}`, { sale_order_id: so.id, order_gid: so.order_gid });
      so.binding.state = 'pending';
    }
  }
  return { queued: s.outbox.length - before, missing_ids: missing };
}

export function storeReport(double: OdooDouble, doc: Record<string, unknown>, fail: Fail) {
  const kind = doc.kind as string;
  if (!REPORT_KINDS.includes(kind)) throw fail(`store_report: kind must be one of ${pyList(REPORT_KINDS)}, got ${pyRepr(doc.kind)}`);
  const summary = doc.summary as Record<string, unknown> | undefined;
  if (!summary || typeof summary !== 'object' || Array.isArray(summary) || typeof summary.headline !== 'string') {
    throw fail('store_report: summary must be an object with a headline');
  }
  let map = reports.get(double.state);
  if (!map) reports.set(double.state, (map = new Map()));
  map.set(kind, { created_at: double.nowIso(), summary });
  return { ok: true };
}
