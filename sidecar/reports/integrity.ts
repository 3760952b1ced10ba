/**
 * Weekly integrity check (docs/operations.md): samples products (variants: SKU, price, barcode,
 * active), stock levels per location (Odoo shopify_on_hand vs Shopify on_hand) and customers
 * (email, first/last name, phone) and compares them field by field. The compare functions are
 * pure; `runIntegrityCheck` fetches both sides, stores the report and sends its summary to Odoo.
 * The sample is a seeded pick over the population sorted by id (prng.ts), so one seed repeats.
 */
import type { ExportedCustomer, ProductDocument, StockLevel } from '../odoo/contract.js';
import type { CustomerByIdQuery, InventoryItemsLevelsQuery, ProductByIdentifierQuery } from '../shopify/index.js';
import { saveReport, type Progress } from './store.js';
import { seededSample, seedFrom } from './prng.js';
import { toMinor } from '../rules/money.js';
import type { ReportDeps } from './reconcile.js';

export type DriftKind = 'product' | 'stock' | 'customer';

export interface Drift {
  kind: DriftKind;
  /** Odoo record: template/variant id, `product_id@location_gid`, partner id. */
  odoo: string;
  shopifyGid: string | null;
  field: string;
  odooValue: string | number | boolean | null;
  shopifyValue: string | number | boolean | null;
  /** Set when the values could not be compared (a price that is not an exact decimal, rules/money.ts). */
  error?: string;
}

export interface IntegrityReport {
  seed: string | null;
  sample: number | null;
  checked: Record<DriftKind, number>;
  drifted: Record<DriftKind, number>;
  drift: Drift[];
}

/** Shopify's product as ProductByIdentifier reads it (the type generated from its document). */
export type ShopifyProductByIdentifier = NonNullable<ProductByIdentifierQuery['productByIdentifier']>;
/** Shopify's customer as CustomerById reads it (the type generated from its document). */
export type ShopifyCustomerById = NonNullable<CustomerByIdQuery['customer']>;

const norm = (v: string | null | undefined) => (v === undefined || v === null || v.trim() === '' ? null : v.trim());

/**
 * Whether two prices differ, compared exactly (at four decimals, the finest minor unit of any
 * currency: both sides write the shop currency's own); one that is not an exact decimal is
 * reported, never rounded.
 */
function priceDiffers(odoo: string, shopify: string): { error?: string } | undefined {
  try {
    return toMinor(odoo, 4, 'Odoo price') === toMinor(shopify, 4, 'Shopify price') ? undefined : {};
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Pure: one Odoo product document against Shopify's product (null = not found in Shopify). */
export function compareProduct(doc: ProductDocument, shopify: ShopifyProductByIdentifier | null): Drift[] {
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
    const price = priceDiffers(variant.price, sv.price);
    if (price)
      drift.push({ kind: 'product', odoo, shopifyGid: sv.id, field: 'price', odooValue: variant.price, shopifyValue: sv.price, ...price });
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

/** Pure: email (case-insensitive), first and last name, phone. */
export function compareCustomer(doc: ExportedCustomer, shopify: ShopifyCustomerById | null): Drift[] {
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
      `- ${d.kind} ${d.odoo} (${d.shopifyGid ?? 'no Shopify id'}): ${d.field} Odoo ${JSON.stringify(d.odooValue)} ≠ Shopify ${JSON.stringify(d.shopifyValue)}${d.error ? ` (cannot compare: ${d.error})` : ''}`,
    );
  return lines.join('\n') + '\n';
}

const numericId = (gid: string) => gid.slice(gid.lastIndexOf('/') + 1);

type Step = (what: string) => Promise<void>;

/** A product bound to Shopify: the only ones sampled. */
type BoundProduct = ProductDocument & { shopify_product_gid: string };

async function productDrift(deps: ReportDeps, sample: readonly BoundProduct[], step: Step): Promise<Drift[]> {
  const drift: Drift[] = [];
  for (const doc of sample) {
    const data = await deps.shopify.request('ProductByIdentifier', { identifier: { id: doc.shopify_product_gid } }, { lane: 'catalog' });
    drift.push(...compareProduct(doc, data.productByIdentifier));
    await step('products');
  }
  return drift;
}

/** Shopify's on_hand of up to 100 items at one location. */
async function onHandAt(deps: ReportDeps, location: string, chunk: readonly StockLevel[]): Promise<Map<string, number>> {
  const itemQuery = chunk.map((l) => `inventory_item_id:${numericId(l.shopify_inventory_item_gid!)}`).join(' OR ');
  const data: InventoryItemsLevelsQuery = await deps.shopify.request(
    'InventoryItemsLevels',
    { locationIds: [location], itemQuery, first: 250 },
    { lane: 'inventory' },
  );
  const onHand = new Map<string, number>();
  for (const lvl of data.nodes[0]?.inventoryLevels.nodes ?? []) {
    const q = lvl.quantities.find((x) => x.name === 'on_hand');
    if (q) onHand.set(lvl.item.id, q.quantity);
  }
  return onHand;
}

async function stockDrift(deps: ReportDeps, sample: readonly StockLevel[], step: Step): Promise<Drift[]> {
  const drift: Drift[] = [];
  const byLocation = new Map<string, StockLevel[]>();
  for (const level of sample) byLocation.set(level.location_gid, [...(byLocation.get(level.location_gid) ?? []), level]);
  for (const [location, group] of byLocation) {
    for (let i = 0; i < group.length; i += 100) {
      const chunk = group.slice(i, i + 100);
      const onHand = await onHandAt(deps, location, chunk);
      for (const level of chunk) {
        drift.push(...compareStock(level, onHand.get(level.shopify_inventory_item_gid!) ?? null));
        await step('stock');
      }
    }
  }
  return drift;
}

async function customerDrift(
  deps: ReportDeps,
  sample: ReadonlyArray<{ id: number; shopify_gid: string | null }>,
  step: Step,
): Promise<Drift[]> {
  if (!sample.length) return [];
  const drift: Drift[] = [];
  const { customers } = await deps.odoo.exportCustomers({ partner_ids: sample.map((r) => r.id) });
  for (const doc of customers) {
    const gid = doc.customer_gid ?? sample.find((r) => r.id === doc.partner_id)?.shopify_gid ?? null;
    const data = gid ? await deps.shopify.request('CustomerById', { id: gid }, { lane: 'catalog' }) : { customer: null };
    drift.push(...compareCustomer({ ...doc, customer_gid: gid }, data.customer));
    await step('customers');
  }
  return drift;
}

/** Stores the report here and its summary in Odoo's Overview (a failure there is only logged). */
async function storeIntegrityReport(deps: ReportDeps, report: IntegrityReport, progress: Progress | undefined): Promise<number> {
  const summary = { headline: integrityHeadline(report), checked: report.checked, drifted: report.drifted };
  const reportId = await saveReport(deps.pool, deps.schema, 'integrity', summary, report, progress?.operationId);
  try {
    await deps.odoo.storeReport({ kind: 'integrity', summary: { ...summary, reportId } });
  } catch (error) {
    deps.logger.warn('integrity: could not store the summary in Odoo', { error });
  }
  deps.logger.info('integrity report', { reportId, checked: report.checked, drifted: report.drifted });
  return reportId;
}

export async function runIntegrityCheck(
  deps: ReportDeps,
  options: { sample?: number; seed?: string; all?: boolean; progress?: Progress } = {},
): Promise<{ reportId: number; report: IntegrityReport }> {
  const n = options.all ? undefined : (options.sample ?? 50);
  const seedText = options.all ? null : (options.seed ?? new Date(deps.clock()).toISOString().slice(0, 10));
  const seed = seedFrom(seedText ?? '0');
  const pick = <T>(items: T[], id: (t: T) => string) => seededSample(items, n, seed, id);

  const { products } = await deps.odoo.exportProducts({});
  const productSample = pick(
    products.filter((p): p is BoundProduct => Boolean(p.shopify_product_gid)),
    (p) => String(p.odoo_id).padStart(12, '0'),
  );
  const { levels } = await deps.odoo.stockLevels({});
  const stockSample = pick(
    levels.filter((l) => l.shopify_inventory_item_gid),
    (l) => `${String(l.product_id).padStart(12, '0')}@${l.location_gid}`,
  );
  const { records } = await deps.odoo.boundRecords({ model: 'res.partner' });
  const partnerSample = pick(records, (r) => String(r.id).padStart(12, '0'));
  const total = productSample.length + stockSample.length + partnerSample.length;
  let done = 0;
  const step = async (what: string) => {
    done++;
    if (done % 10 === 0 || done === total) await options.progress?.update(done, total, what);
  };
  await options.progress?.update(0, total, 'sampling');

  const drift = [
    ...(await productDrift(deps, productSample, step)),
    ...(await stockDrift(deps, stockSample, step)),
    ...(await customerDrift(deps, partnerSample, step)),
  ];
  // Records with at least one drifting field, per kind.
  const drifted = (k: DriftKind) => new Set(drift.filter((d) => d.kind === k).map((d) => d.odoo)).size;
  const report: IntegrityReport = {
    seed: seedText,
    sample: n ?? null,
    checked: { product: productSample.length, stock: stockSample.length, customer: partnerSample.length },
    drifted: { product: drifted('product'), stock: drifted('stock'), customer: drifted('customer') },
    drift,
  };
  return { reportId: await storeIntegrityReport(deps, report, options.progress), report };
}
