/**
 * Catalog in bulk (docs/operations.md, "Full catalog and inventory at the budget limit"): the
 * whole catalog pushed with one bulkOperationRunMutation of productSet, and read back with one
 * bulkOperationRunQuery, for the first push of a large catalog and its reconciliation.
 *
 * Why: productSet costs 10 points a call, so 10,000 templates pushed one job at a time cost
 * 100,000 points, at least 900 s at the Plus plan's 1,000 points/s once the catalog lane's share
 * of the bucket is spent (9,800 s on Standard). A bulk mutation runs the same productSet inside
 * Shopify, outside the bucket: the push costs the upload, the start and the polls (~30 points).
 * The same holds for the read: the paged variant read costs ~300 points per 250 variants.
 *
 * Each template goes through the same plan as a single push (./map.ts) and its result is
 * recorded on the Odoo binding the same way (synced with the GIDs, or the error Shopify gave),
 * so a later single push of an unchanged template is a no-op. Stock is not pushed per template
 * here: the caller reconciles the inventory once afterwards (one call per 250 levels).
 */
import type { ProductDocument } from '../../odoo/contract.js';
import { runBulkMutation, runBulkQuery } from '../../shopify/bulk.js';
import type { ProductSetMutation } from '../../shopify/index.js';
import type { FlowContext } from '../context.js';
import { childrenFromResult, planProductSet, skippedMessage, type ProductSetPlan } from './map.js';

type PushPlan = Extract<ProductSetPlan, { kind: 'push' }>;

/** Templates read from Odoo per export_products call. */
const EXPORT_PAGE = 500;
/** record_sync_result calls in flight at once. */
const RECORD_CONCURRENCY = 8;

export interface BulkPushResult {
  templates: number;
  pushed: number;
  unchanged: number;
  failed: number;
  notPushed: number;
}

export interface BulkOptionsIn {
  /** Names the bulk operation (clientIdentifier) and the log lines. */
  runId: string;
  /** Push even templates whose content equals their last push. */
  force?: boolean;
  pollMs?: number;
}

/** Every template of Odoo, page by page. */
async function exportAll(ctx: Pick<FlowContext, 'odoo'>): Promise<ProductDocument[]> {
  const docs: ProductDocument[] = [];
  for (let offset = 0; ; offset += EXPORT_PAGE) {
    const { products } = await ctx.odoo.exportProducts({ limit: EXPORT_PAGE, offset });
    docs.push(...products);
    if (products.length < EXPORT_PAGE) return docs;
  }
}

/** Runs `fn` over the items, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

type SyncRecord = Parameters<FlowContext['odoo']['recordSyncResult']>[0];

/** What to record on the binding for one line of the bulk result. */
function resultRecord(
  plan: PushPlan,
  templateId: number,
  line: { data: ProductSetMutation | null; errors?: { message: string }[] },
): SyncRecord {
  const payload = line.data?.productSet;
  const errors = [...(line.errors ?? []).map((e) => e.message), ...(payload?.userErrors ?? []).map((e) => e.message)];
  if (errors.length > 0 || !payload?.product) {
    const message = `Shopify productSet (bulk) refused the product: ${errors.join('; ') || 'no product returned'}`;
    return { model: 'product.template', res_id: templateId, state: 'error', message };
  }
  const message = skippedMessage(plan.skipped);
  return {
    model: 'product.template',
    res_id: templateId,
    state: message ? 'error' : 'synced',
    message,
    shopify_gid: payload.product.id,
    content_hash: plan.hash,
    children: childrenFromResult(plan, payload.product.variants.nodes),
  };
}

/** Pushes every Odoo template whose content changed (all with `force`) in one bulk mutation. */
export async function pushCatalogInBulk(ctx: FlowContext, options: BulkOptionsIn): Promise<BulkPushResult> {
  const docs = await exportAll(ctx);
  const result: BulkPushResult = { templates: docs.length, pushed: 0, unchanged: 0, failed: 0, notPushed: 0 };
  const records: SyncRecord[] = [];
  const toPush: Array<{ templateId: number; plan: PushPlan }> = [];
  for (const doc of docs) {
    const plan = planProductSet(doc);
    if (plan.kind === 'nothing') {
      records.push({ model: 'product.template', res_id: doc.odoo_id, state: 'error', message: plan.reason });
      result.notPushed += 1;
    } else if (!options.force && plan.hash === doc.synced_hash) result.unchanged += 1;
    else toPush.push({ templateId: doc.odoo_id, plan });
  }
  const lines = await runBulkMutation<ProductSetMutation>(
    ctx.shopify,
    'ProductSet',
    toPush.map(({ plan }) => ({ identifier: plan.identifier, input: plan.input })),
    { lane: 'catalog', clientIdentifier: `catalog:${options.runId}`, ...(options.pollMs ? { pollMs: options.pollMs } : {}) },
  );
  const byLine = new Map(lines.map((l) => [l.line, l]));
  toPush.forEach(({ templateId, plan }, i) => {
    const record = resultRecord(plan, templateId, byLine.get(i) ?? { data: null, errors: [{ message: 'no result line' }] });
    if (record.shopify_gid) result.pushed += 1;
    else result.failed += 1;
    records.push(record);
  });
  await eachLimited(records, RECORD_CONCURRENCY, async (r) => {
    await ctx.odoo.recordSyncResult(r);
  });
  ctx.logger.info('catalog: bulk push done', { runId: options.runId, ...result });
  return result;
}

export interface ShopCatalogProduct {
  id: string;
  handle: string;
  variants: Array<{ id: string; sku: string | null; inventoryItemId: string | null }>;
}

/** Shopify's whole catalog (products, variants, inventory items) from one bulk query. */
export async function readShopCatalog(ctx: Pick<FlowContext, 'shopify'>, pollMs?: number): Promise<Map<string, ShopCatalogProduct>> {
  const lines = (await runBulkQuery(ctx.shopify, 'CatalogExport', { lane: 'catalog', ...(pollMs ? { pollMs } : {}) })) as Array<{
    id: string;
    handle?: string;
    sku?: string | null;
    inventoryItem?: { id: string } | null;
    __parentId?: string;
  }>;
  const products = new Map<string, ShopCatalogProduct>();
  for (const line of lines) {
    if (line.__parentId === undefined) products.set(line.id, { id: line.id, handle: line.handle ?? '', variants: [] });
    else
      products.get(line.__parentId)?.variants.push({ id: line.id, sku: line.sku ?? null, inventoryItemId: line.inventoryItem?.id ?? null });
  }
  return products;
}

export interface CatalogReconcileResult {
  templates: number;
  /** Bound in Odoo, present in Shopify with the same variant GIDs. */
  matching: number;
  /** Template ids bound in Odoo whose product or variants Shopify does not have as recorded. */
  drifted: number[];
  /** Template ids never pushed. */
  unbound: number[];
}

/** Compares Odoo's bindings with Shopify's catalog read in bulk (read-only). */
export async function reconcileCatalog(ctx: FlowContext, pollMs?: number): Promise<CatalogReconcileResult> {
  const [docs, shop] = await Promise.all([exportAll(ctx), readShopCatalog(ctx, pollMs)]);
  const result: CatalogReconcileResult = { templates: docs.length, matching: 0, drifted: [], unbound: [] };
  for (const doc of docs) {
    if (!doc.shopify_product_gid) {
      result.unbound.push(doc.odoo_id);
      continue;
    }
    const product = shop.get(doc.shopify_product_gid);
    const ids = new Set(product?.variants.map((v) => v.id));
    const bound = doc.variants.filter((v) => v.shopify_variant_gid);
    if (product && bound.every((v) => ids.has(v.shopify_variant_gid!))) result.matching += 1;
    else result.drifted.push(doc.odoo_id);
  }
  return result;
}
