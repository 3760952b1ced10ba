/**
 * Weekly integrity check: samples products (variants: SKU, price, barcode,
 * active), stock levels per location (Odoo shopify_on_hand vs Shopify on_hand) and customers
 * (email, first/last name, phone) and compares them field by field. The compare functions are
 * pure; `runIntegrityCheck` fetches both sides, stores the report and sends its summary to Odoo.
 * The sample is a seeded pick over the population sorted by id (prng.ts), so one seed repeats.
 */
import type { ExportedCustomer, ProductDocument, StockLevel } from '../odoo/contract.js';
import { saveReport, type Progress } from './store.js';
import { seededSample, seedFrom } from './prng.js';
import { toCents, type ReportDeps } from './reconcile.js';

export type DriftKind = 'product' | 'stock' | 'customer';

export interface Drift {
  kind: DriftKind;
  /** Odoo record: template/variant id, `product_id@location_gid`, partner id. */
  odoo: string;
  shopifyGid: string | null;
  field: string;
  odooValue: string | number | boolean | null;
  shopifyValue: string | number | boolean | null;
}

export interface IntegrityReport {
  seed: string | null;
  sample: number | null;
  checked: Record<DriftKind, number>;
  drifted: Record<DriftKind, number>;
  drift: Drift[];
}

export interface ShopifyProductView {
  id: string;
  status: string;
  variants: { nodes: Array<{ id: string; sku: string | null; barcode: string | null; price: string }> };
}

const norm = (v: string | null | undefined) => (v === undefined || v === null || v.trim() === '' ? null : v.trim());

/** Pure: one Odoo product document against Shopify's product (null = not found in Shopify). */
export function compareProduct(doc: ProductDocument, shopify: ShopifyProductView | null): Drift[] {
  const drift: Drift[] = [];
  const gid = doc.shopify_product_gid;
  if (!shopify) {
    drift.push({
      kind: 'product',
      odoo: `product.template:${doc.odoo_id}`,
      shopifyGid: gid,
      field: 'exists',
      odooValue: true,
      shopifyValue: false,
    });
    return drift;
  }
  const byGid = new Map(shopify.variants.nodes.map((v) => [v.id, v]));
  for (const variant of doc.variants) {
    const odoo = `product.product:${variant.odoo_id}`;
    const sv = variant.shopify_variant_gid ? byGid.get(variant.shopify_variant_gid) : undefined;
    const odooActive = doc.active && variant.active;
    const shopifyActive = Boolean(sv) && shopify.status === 'ACTIVE';
    if (odooActive !== shopifyActive)
      drift.push({
        kind: 'product',
        odoo,
        shopifyGid: variant.shopify_variant_gid,
        field: 'active',
        odooValue: odooActive,
        shopifyValue: shopifyActive,
      });
    if (!sv) continue;
    if (norm(variant.sku) !== norm(sv.sku))
      drift.push({ kind: 'product', odoo, shopifyGid: sv.id, field: 'sku', odooValue: variant.sku, shopifyValue: sv.sku });
    if (norm(variant.barcode) !== norm(sv.barcode))
      drift.push({ kind: 'product', odoo, shopifyGid: sv.id, field: 'barcode', odooValue: variant.barcode, shopifyValue: sv.barcode });
    if (toCents(variant.price) !== toCents(sv.price))
      drift.push({ kind: 'product', odoo, shopifyGid: sv.id, field: 'price', odooValue: variant.price, shopifyValue: sv.price });
  }
  return drift;
}

/** Pure: Odoo's shopify_on_hand against Shopify's on_hand (null = no level at that location). */
export function compareStock(level: StockLevel, shopifyOnHand: number | null): Drift[] {
  if (shopifyOnHand === level.shopify_on_hand) return [];
  return [
    {
      kind: 'stock',
      odoo: `${level.product_id}@${level.location_gid}`,
      shopifyGid: level.shopify_inventory_item_gid,
      field: 'on_hand',
      odooValue: level.shopify_on_hand,
      shopifyValue: shopifyOnHand,
    },
  ];
}

export interface ShopifyCustomerView {
  id: string;
  firstName: string | null;
  lastName: string | null;
  defaultEmailAddress: { emailAddress: string | null } | null;
  defaultPhoneNumber: { phoneNumber: string | null } | null;
}

/** Pure: email (case-insensitive), first and last name, phone. */
export function compareCustomer(doc: ExportedCustomer, shopify: ShopifyCustomerView | null): Drift[] {
  const odoo = `res.partner:${doc.partner_id}`;
  if (!shopify) return [{ kind: 'customer', odoo, shopifyGid: doc.customer_gid, field: 'exists', odooValue: true, shopifyValue: false }];
  const pairs: Array<[string, string | null, string | null, (v: string | null) => string | null]> = [
    ['email', doc.email, shopify.defaultEmailAddress?.emailAddress ?? null, (v) => norm(v)?.toLowerCase() ?? null],
    ['first_name', doc.first_name, shopify.firstName, norm],
    ['last_name', doc.last_name, shopify.lastName, norm],
    ['phone', doc.phone, shopify.defaultPhoneNumber?.phoneNumber ?? null, (v) => norm(v)?.replace(/[\s().-]/g, '') ?? null],
  ];
  return pairs
    .filter(([, a, b, f]) => f(a) !== f(b))
    .map(([field, a, b]) => ({ kind: 'customer' as const, odoo, shopifyGid: shopify.id, field, odooValue: a, shopifyValue: b }));
}

export function integrityHeadline(r: IntegrityReport): string {
  const kinds: DriftKind[] = ['product', 'stock', 'customer'];
  return (
    kinds.map((k) => `${k}s ${r.drifted[k]}/${r.checked[k]} drifted`).join(', ') +
    (r.seed === null ? ' (full set)' : ` (sample ${r.sample}, seed ${r.seed})`)
  );
}

export function renderIntegrityMarkdown(r: IntegrityReport): string {
  const lines = [
    `# Integrity check ${r.seed === null ? '(full set)' : `(sample ${r.sample}, seed ${r.seed})`}`,
    '',
    '| Kind | Checked | Drifted |',
    '|---|---:|---:|',
    ...(['product', 'stock', 'customer'] as const).map((k) => `| ${k} | ${r.checked[k]} | ${r.drifted[k]} |`),
    '',
    '## Drift',
    '',
  ];
  if (!r.drift.length) lines.push('None.');
  for (const d of r.drift)
    lines.push(
      `- ${d.kind} ${d.odoo} (${d.shopifyGid ?? 'no Shopify id'}): ${d.field} Odoo ${JSON.stringify(d.odooValue)} ≠ Shopify ${JSON.stringify(d.shopifyValue)}`,
    );
  return lines.join('\n') + '\n';
}

const numericId = (gid: string) => gid.slice(gid.lastIndexOf('/') + 1);

type Step = (what: string) => Promise<void>;

interface IntegritySample {
  products: ProductDocument[];
  levels: StockLevel[];
  partners: Array<{ id: number; shopify_gid: string | null }>;
}

export async function runIntegrityCheck(
  deps: ReportDeps,
  options: { sample?: number; seed?: string; all?: boolean; progress?: Progress } = {},
): Promise<{ reportId: number; report: IntegrityReport }> {
  const n = options.all ? undefined : (options.sample ?? 50);
  // The default seed is today's date (by the injected clock), so one day's runs sample alike.
  const seedText = options.all ? null : (options.seed ?? new Date(deps.clock()).toISOString().slice(0, 10));
  const sample = await sampleRecords(deps, n, seedFrom(seedText ?? '0'));
  const total = sample.products.length + sample.levels.length + sample.partners.length;
  let done = 0;
  const step: Step = async (what) => {
    done++;
    if (done % 10 === 0 || done === total) await options.progress?.update(done, total, what);
  };
  await options.progress?.update(0, total, 'sampling');
  const drift = [
    ...(await productDrift(deps, sample.products, step)),
    ...(await stockDrift(deps, sample.levels, step)),
    ...(await customerDrift(deps, sample.partners, step)),
  ];
  // Records with at least one drifting field, per kind.
  const drifted = (k: DriftKind) => new Set(drift.filter((d) => d.kind === k).map((d) => d.odoo)).size;
  const report: IntegrityReport = {
    seed: seedText,
    sample: n ?? null,
    checked: { product: sample.products.length, stock: sample.levels.length, customer: sample.partners.length },
    drifted: { product: drifted('product'), stock: drifted('stock'), customer: drifted('customer') },
    drift,
  };
  return { reportId: await storeIntegrityReport(deps, report, options.progress?.operationId), report };
}

/** The seeded pick (or everything, `n` undefined) of bound products, stock levels and partners. */
async function sampleRecords(deps: ReportDeps, n: number | undefined, seed: number): Promise<IntegritySample> {
  const pick = <T>(items: T[], id: (t: T) => string) => seededSample(items, n, seed, id);
  const { products } = await deps.odoo.exportProducts({});
  const { levels } = await deps.odoo.stockLevels({});
  const { records } = await deps.odoo.boundRecords({ model: 'res.partner' });
  return {
    products: pick(
      products.filter((p) => p.shopify_product_gid),
      (p) => String(p.odoo_id).padStart(12, '0'),
    ),
    levels: pick(
      levels.filter((l) => l.shopify_inventory_item_gid),
      (l) => `${String(l.product_id).padStart(12, '0')}@${l.location_gid}`,
    ),
    partners: pick(records, (r) => String(r.id).padStart(12, '0')),
  };
}

async function productDrift(deps: ReportDeps, products: ProductDocument[], step: Step): Promise<Drift[]> {
  const drift: Drift[] = [];
  for (const doc of products) {
    const data = await deps.shopify.request<{ productByIdentifier: ShopifyProductView | null }>(
      'ProductByIdentifier',
      { identifier: { id: doc.shopify_product_gid } },
      { lane: 'catalog' },
    );
    drift.push(...compareProduct(doc, data.productByIdentifier));
    await step('products');
  }
  return drift;
}

interface ItemsLevelsData {
  nodes: Array<{
    id: string;
    inventoryLevels: { nodes: Array<{ item: { id: string }; quantities: Array<{ name: string; quantity: number }> }> };
  } | null>;
}

/** Stock levels per location, 100 items per query. */
async function stockDrift(deps: ReportDeps, levels: StockLevel[], step: Step): Promise<Drift[]> {
  const drift: Drift[] = [];
  const byLocation = new Map<string, StockLevel[]>();
  for (const level of levels) byLocation.set(level.location_gid, [...(byLocation.get(level.location_gid) ?? []), level]);
  for (const [location, group] of byLocation) {
    for (let i = 0; i < group.length; i += 100) {
      const chunk = group.slice(i, i + 100);
      const itemQuery = chunk.map((l) => `inventory_item_id:${numericId(l.shopify_inventory_item_gid!)}`).join(' OR ');
      const data = await deps.shopify.request<ItemsLevelsData>(
        'InventoryItemsLevels',
        { locationIds: [location], itemQuery, first: 250 },
        { lane: 'inventory' },
      );
      const onHand = new Map<string, number>();
      for (const lvl of data.nodes[0]?.inventoryLevels.nodes ?? []) {
        const q = lvl.quantities.find((x) => x.name === 'on_hand');
        if (q) onHand.set(lvl.item.id, q.quantity);
      }
      for (const level of chunk) {
        drift.push(...compareStock(level, onHand.get(level.shopify_inventory_item_gid!) ?? null));
        await step('stock');
      }
    }
  }
  return drift;
}

async function customerDrift(deps: ReportDeps, partners: IntegritySample['partners'], step: Step): Promise<Drift[]> {
  if (!partners.length) return [];
  const drift: Drift[] = [];
  const { customers } = await deps.odoo.exportCustomers({ partner_ids: partners.map((r) => r.id) });
  for (const doc of customers) {
    const gid = doc.customer_gid ?? partners.find((r) => r.id === doc.partner_id)?.shopify_gid ?? null;
    const data = gid
      ? await deps.shopify.request<{ customer: ShopifyCustomerView | null }>('CustomerById', { id: gid }, { lane: 'catalog' })
      : { customer: null };
    drift.push(...compareCustomer({ ...doc, customer_gid: gid }, data.customer));
    await step('customers');
  }
  return drift;
}

/** Saves the report, sends its summary to Odoo (a failure there is logged only) and logs it. */
async function storeIntegrityReport(deps: ReportDeps, report: IntegrityReport, operationId: string | undefined): Promise<number> {
  const summary = { headline: integrityHeadline(report), checked: report.checked, drifted: report.drifted };
  const reportId = await saveReport(deps.pool, deps.schema, 'integrity', summary, report, operationId);
  try {
    await deps.odoo.storeReport({ kind: 'integrity', summary: { ...summary, reportId } });
  } catch (error) {
    deps.logger.warn('integrity: could not store the summary in Odoo', { error });
  }
  deps.logger.info('integrity report', { reportId, checked: report.checked, drifted: report.drifted });
  return reportId;
}
