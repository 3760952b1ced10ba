/**
 * Odoo's own floor (docs/operations.md, "Benchmark"): the same sales order — a new customer with
 * its invoice and delivery addresses, one line of a product in stock (every order of the run sells
 * the same product, as in a flash sale), one shipping line, no tax, the warehouse mapped to
 * Shopify's location — created and confirmed through plain JSON-RPC (`res.partner`
 * `create`, `sale.order` `create`, `action_confirm`), against the addon's `apply_order` of the
 * matching order document, both as the integration user. Each one sequentially, then `concurrency` at a time (the orders
 * queue's batch size, so the sidecar's concurrency). Real Odoo only.
 *
 * Queries per order: Odoo counts the SQL queries of each HTTP request and appends the count, the
 * time spent in SQL and the remaining time to the request's werkzeug log line (odoo/netsvc.py
 * `PerfFilter`); the bench reads the server log written during each phase (ODOO_LOGFILE, set by
 * scripts/with-real-odoo.sh) and sums the counts of its JSON-RPC requests. The phases run before
 * the sidecar starts, so every request in the window is the bench's own. A serialization failure
 * retried by Odoo (odoo/service/model.py `retrying`) logs "…, N tries left, try again…", counted
 * the same way; the retried attempt's queries are part of the request's count.
 */
import { readFileSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { OdooContract } from '../../sidecar/odoo/contract.js';
import type { OdooCaller } from '../../sidecar/odoo/types.js';
import { customerDoc, orderDoc } from '../conformance/fixtures.js';
import type { MerchantDriver } from '../conformance/target.js';
import type { BenchRow } from './stats.js';

export interface FloorSetup {
  /**
   * The integration user's JSON-RPC client (the sidecar's): the floor's calls go through the same
   * authentication (an API key) as apply_order's. The merchant's password would cost the floor a
   * password hash check (hundreds of thousands of PBKDF2 rounds) on every call.
   */
  rpc: OdooCaller;
  /** The merchant's client: looks up the shipping product's XML id (setup only). */
  admin: OdooCaller;
  contract: OdooContract;
  merchant: MerchantDriver;
  /** Odoo's server log (werkzeug lines with query counts); undefined: no query counts. */
  logFile: string | undefined;
}

export interface PhaseResult {
  orders: number;
  elapsedMs: number;
  /** Mean wall time of one order's calls. */
  meanOrderMs: number;
  requests: number;
  queries: number | undefined;
  retries: number | undefined;
  failures: number;
}

export interface FloorResult {
  rows: BenchRow[];
  /** Orders/s the floor sustained at the sidecar's concurrency (item 5's reference rate). */
  floorRate: number;
}

interface Refs {
  productId: number;
  sku: string;
  shippingProductId: number;
  warehouseId: number;
  countryId: number;
  currency: string;
}

const PERF_LINE = /"POST \/(?:jsonrpc|json\/2\/[^ ]*) HTTP\/1\.[01]" \d{3} - (\d+) [\d.]+ [\d.]+/;
const RETRY_LINE = /tries left, try again in/;

/** The log lines written since `offset`, summed. */
function readLog(logFile: string, offset: number): { requests: number; queries: number; retries: number } {
  const text = readFileSync(logFile).subarray(offset).toString('utf8');
  let requests = 0;
  let queries = 0;
  let retries = 0;
  for (const line of text.split('\n')) {
    const perf = PERF_LINE.exec(line);
    if (perf) {
      requests += 1;
      queries += Number(perf[1]);
    } else if (RETRY_LINE.test(line)) retries += 1;
  }
  return { requests, queries, retries };
}

const logSize = (logFile: string | undefined) => (logFile ? statSync(logFile).size : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function refs(setup: FloorSetup, sku: string): Promise<Refs> {
  const { rpc, admin, merchant } = setup;
  // A SKU of this run's own (a second run on a kept database must not find two products).
  const product = await merchant.createProduct({ name: 'Bench floor item', price: '10.00', variants: [{ sku }] });
  const [ship] = await admin.executeKw<Array<{ res_id: number }>>(
    'ir.model.data',
    'search_read',
    [
      [
        ['module', '=', 'shopify_sync'],
        ['name', '=', 'product_shopify_shipping'],
      ],
    ],
    { fields: ['res_id'] },
  );
  const [shipVariant] = await rpc.executeKw<number[]>('product.product', 'search', [[['product_tmpl_id', '=', ship!.res_id]]], {
    limit: 1,
  });
  const [country] = await rpc.executeKw<number[]>('res.country', 'search', [[['code', '=', 'FR']]], { limit: 1 });
  const [warehouse] = await merchant.warehouses();
  // In stock, as in a flash sale: confirming reserves it (the product's quant at the warehouse).
  await merchant.setStock(product.variants[sku]!, warehouse!.id, 1_000_000);
  return {
    productId: product.variants[sku]!,
    sku,
    shippingProductId: shipVariant!,
    warehouseId: warehouse!.id,
    countryId: country!,
    currency: await merchant.companyCurrency(),
  };
}

const ADDRESS = { street: '1 rue de la Paix', city: 'Paris', zip: '75002' };

/** The floor: the order's records through Odoo's plain ORM methods, three calls. */
async function floorOrder(setup: FloorSetup, r: Refs, tag: string): Promise<void> {
  const name = `Ada Floor${tag}`;
  const address = { ...ADDRESS, name, country_id: r.countryId };
  const partnerId = await setup.rpc.executeKw<number>('res.partner', 'create', [
    {
      name,
      email: `floor${tag}@example.com`,
      phone: '+33 1 23 45 67 89',
      customer_rank: 1,
      child_ids: [
        [0, 0, { ...address, type: 'invoice' }],
        [0, 0, { ...address, type: 'delivery' }],
      ],
    },
  ]);
  const orderId = await setup.rpc.executeKw<number>('sale.order', 'create', [
    {
      partner_id: partnerId,
      warehouse_id: r.warehouseId,
      client_order_ref: `#F${tag}`,
      origin: `Shopify #F${tag}`,
      order_line: [
        [0, 0, { product_id: r.productId, name: `Item ${r.sku}`, product_uom_qty: 1, price_unit: 10, tax_id: [[6, 0, []]] }],
        [0, 0, { product_id: r.shippingProductId, name: 'Standard', product_uom_qty: 1, price_unit: 5, tax_id: [[6, 0, []]] }],
      ],
    },
  ]);
  await setup.rpc.executeKw('sale.order', 'action_confirm', [[orderId]]);
}

/** The addon: the matching Shopify order document through `apply_order`, one call. */
async function addonOrder(setup: FloorSetup, r: Refs, tag: string): Promise<void> {
  const result = await setup.contract.applyOrder(
    orderDoc({
      order_gid: `gid://shopify/Order/7${tag}`,
      name: `#A${tag}`,
      currency: r.currency,
      lines: [{ sku: r.sku, quantity: 1, price: '10.00' }],
      shipping: { price: '5.00' },
      location_gid: 'gid://shopify/Location/101',
      customer: customerDoc({ customer_gid: `gid://shopify/Customer/7${tag}`, email: `addon${tag}@example.com` }),
    }),
  );
  if (result.status !== 'created' || result.state !== 'sale') throw new Error(`apply_order answered ${result.status} (${result.state})`);
}

/** Runs `orders` orders `concurrency` at a time; counts from the server log written meanwhile. */
async function phase(
  setup: FloorSetup,
  orders: number,
  concurrency: number,
  one: (tag: string) => Promise<void>,
  prefix: string,
): Promise<PhaseResult> {
  const offset = logSize(setup.logFile);
  let next = 0;
  let failures = 0;
  let orderMs = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < orders) {
        const i = next++;
        const s = performance.now();
        await one(`${prefix}${String(i).padStart(5, '0')}`).catch(() => (failures += 1));
        orderMs += performance.now() - s;
      }
    }),
  );
  const elapsedMs = performance.now() - t0;
  await sleep(300); // the last request's log line is written after its answer
  const log = setup.logFile ? readLog(setup.logFile, offset) : undefined;
  return {
    orders,
    elapsedMs,
    meanOrderMs: orderMs / orders,
    requests: log?.requests ?? 0,
    queries: log?.queries,
    retries: log?.retries,
    failures,
  };
}

const perOrder = (p: PhaseResult) => (p.queries === undefined ? undefined : p.queries / p.orders);

export async function benchFloor(setup: FloorSetup, orders: number, concurrency: number): Promise<FloorResult> {
  const run = String(Date.now() % 1_000_000_000);
  const r = await refs(setup, `BENCH-FLOOR-${run}`);
  // One warm-up order each (first-call caches, the sequence's first use), not counted.
  await floorOrder(setup, r, `${run}w`);
  await addonOrder(setup, r, `${run}0`);
  const floorSeq = await phase(setup, orders, 1, (t) => floorOrder(setup, r, t), `${run}1`);
  const addonSeq = await phase(setup, orders, 1, (t) => addonOrder(setup, r, t), `${run}1`);
  const floorPar = await phase(setup, orders, concurrency, (t) => floorOrder(setup, r, t), `${run}2`);
  const addonPar = await phase(setup, orders, concurrency, (t) => addonOrder(setup, r, t), `${run}2`);
  return {
    rows: floorRows(orders, concurrency, { floorSeq, addonSeq, floorPar, addonPar }),
    floorRate: (orders / floorPar.elapsedMs) * 1000,
  };
}

function floorRows(
  orders: number,
  concurrency: number,
  p: { floorSeq: PhaseResult; addonSeq: PhaseResult; floorPar: PhaseResult; addonPar: PhaseResult },
): BenchRow[] {
  const failed = (x: PhaseResult, who: string) => (x.failures ? `; ${x.failures} ${who} orders failed` : '');
  const fails = (a: PhaseResult, f: PhaseResult) => failed(a, 'apply_order') + failed(f, 'floor');
  const seqRatio = p.addonSeq.meanOrderMs / p.floorSeq.meanOrderMs;
  const parRatio = p.addonPar.elapsedMs / p.floorPar.elapsedMs;
  const qa = perOrder(p.addonSeq);
  const qf = perOrder(p.floorSeq);
  const queryRatio = qa !== undefined && qf ? qa / qf : undefined;
  const rows: BenchRow[] = [
    {
      measure: 'apply_order time per order, sequential',
      load: `${orders} orders one after the other`,
      value: `${p.addonSeq.meanOrderMs.toFixed(0)} ms (1 call)`,
      baseline: `floor: ${p.floorSeq.meanOrderMs.toFixed(0)} ms (create partner, create order, confirm)`,
      ratio: seqRatio,
      goal: '≤ 1.3×',
      met: seqRatio <= 1.3 && !p.addonSeq.failures,
      n: orders,
      note: `wall time per order as the caller sees it${fails(p.addonSeq, p.floorSeq)}`,
    },
    {
      measure: 'SQL queries per order',
      load: `${orders} orders one after the other`,
      value: qa === undefined ? 'not counted (no ODOO_LOGFILE)' : `${qa.toFixed(1)}`,
      baseline: qf === undefined ? '' : `floor: ${qf.toFixed(1)}`,
      ...(queryRatio === undefined ? {} : { ratio: queryRatio, met: queryRatio <= 1.3 }),
      goal: '≤ 1.3×',
      n: orders,
      note: "Odoo's own per-request count (werkzeug log line, odoo/netsvc.py PerfFilter), summed over the phase's requests",
    },
    {
      measure: `orders at the sidecar's concurrency (${concurrency} at once)`,
      load: `${orders} orders, ${concurrency} callers`,
      value: `${((orders / p.addonPar.elapsedMs) * 1000).toFixed(2)} orders/s (apply_order)`,
      baseline: `floor: ${((orders / p.floorPar.elapsedMs) * 1000).toFixed(2)} orders/s`,
      ratio: parRatio,
      goal: '≤ 1.3× (time)',
      met: parRatio <= 1.3 && !p.addonPar.failures,
      n: orders,
      note: `ratio of the phases' elapsed times; mean per order ${p.addonPar.meanOrderMs.toFixed(0)} ms vs ${p.floorPar.meanOrderMs.toFixed(0)} ms${fails(p.addonPar, p.floorPar)}`,
    },
    {
      measure: 'serialization retries between independent orders',
      load: `${orders} orders, ${concurrency} callers`,
      value: p.addonPar.retries === undefined ? 'not counted (no ODOO_LOGFILE)' : `${p.addonPar.retries} (apply_order)`,
      baseline: p.floorPar.retries === undefined ? '' : `floor: ${p.floorPar.retries}`,
      goal: '0',
      ...(p.addonPar.retries === undefined ? {} : { met: p.addonPar.retries === 0 }),
      n: orders,
      note: `Odoo's "tries left, try again" log lines (odoo/service/model.py retrying); queries per order at ${concurrency} at once: ${perOrder(p.addonPar)?.toFixed(1) ?? '?'} vs ${perOrder(p.floorPar)?.toFixed(1) ?? '?'}`,
    },
  ];
  return rows;
}
