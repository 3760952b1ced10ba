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
import { keys } from '../../queue/names.js';
import { runBulkMutation, runBulkQuery, waitForBulkOperation } from '../../shopify/bulk.js';
import { ShopifyUserErrors } from '../../shopify/errors.js';
import type { ProductSetMutation } from '../../shopify/index.js';
import type { FlowContext } from '../context.js';
import { eachLimited } from '../each-limited.js';
import { childrenFromResult, planProductSet, skippedMessage, type ProductSetPlan } from './map.js';
import type { BulkPushCounts } from './store.js';

type PushPlan = Extract<ProductSetPlan, { kind: 'push' }>;

/** Templates read from Odoo per export_products call. */
const EXPORT_PAGE = 500;
/** record_sync_result calls in flight at once. */
const RECORD_CONCURRENCY = 8;

export type BulkPushResult = BulkPushCounts;

export interface BulkOptionsIn {
  /** Names the bulk operation (clientIdentifier), the failures reported to Odoo and the log lines. */
  runId: string;
  /** Push even templates whose content equals their last push. */
  force?: boolean;
  pollMs?: number;
  /** Templates never pushed (onboarding's conflicts: they would be created a second time). */
  exclude?: ReadonlySet<number>;
  /**
   * A bulk operation an earlier attempt of this run started and did not see end (the process
   * died while polling): waited for before anything is exported, so two operations never upsert
   * the same handles at once.
   */
  previousOperationId?: string | null;
  /** Told the operation's id once Shopify accepted it, and the counts as results are recorded. */
  onProgress?: (progress: { operationId?: string; counts: BulkPushCounts }) => Promise<void>;
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

type SyncRecord = Parameters<FlowContext['odoo']['recordSyncResult']>[0];
type ResultLine = { data: ProductSetMutation | null; errors?: { message: string }[] };

/**
 * The binding's message for a product Shopify refused: the single push's wording (the field path
 * and Shopify's reason, from ShopifyUserErrors), or the GraphQL errors of the line.
 */
export function refusalMessage(line: ResultLine): string | null {
  const payload = line.data?.productSet;
  const userErrors = payload?.userErrors ?? [];
  if (userErrors.length > 0)
    return new ShopifyUserErrors(
      'productSet',
      userErrors.map((e) => ({ field: e.field ?? null, message: e.message, code: e.code ?? null })),
    ).message;
  if (line.errors?.length) return `Shopify productSet failed: ${line.errors.map((e) => e.message).join('; ')}`;
  return payload?.product ? null : 'Shopify productSet returned no product';
}

/** What to record on the binding for one line of the bulk result (pure). */
export function resultRecord(plan: PushPlan, templateId: number, line: ResultLine): SyncRecord {
  const refused = refusalMessage(line);
  const product = line.data?.productSet?.product;
  if (refused || !product) return { model: 'product.template', res_id: templateId, state: 'error', message: refused };
  const message = skippedMessage(plan.skipped);
  return {
    model: 'product.template',
    res_id: templateId,
    state: message ? 'error' : 'synced',
    message,
    shopify_gid: product.id,
    content_hash: plan.hash,
    children: childrenFromResult(plan, product.variants.nodes),
  };
}

/**
 * A refused product is also listed in Odoo's Shopify > Errors, as the single push's dead letter
 * would be (same queue and key): its Retry finds no dead letter and resyncs the product instead.
 */
async function reportRefusal(ctx: FlowContext, runId: string, record: SyncRecord): Promise<void> {
  await ctx.odoo.reportFailure({
    queue: 'products',
    key: keys.product(ctx.shop, `odoo:product.template:${record.res_id}`),
    job_id: `bulk:${runId}:${record.res_id}`.slice(0, 64),
    attempt: 1,
    kind: 'permanent',
    message: `PermanentError: ${record.message ?? 'refused by Shopify'}`.slice(0, 2000),
    failed_at: new Date(ctx.clock()).toISOString(),
    res_model: 'product.template',
    res_id: record.res_id,
  });
}

/** Splits the export into what is pushed, what is unchanged, and what cannot be pushed. */
function planAll(docs: readonly ProductDocument[], options: BulkOptionsIn, counts: BulkPushCounts) {
  const records: Array<{ record: SyncRecord; refused: boolean }> = [];
  const toPush: Array<{ templateId: number; plan: PushPlan }> = [];
  for (const doc of docs) {
    if (options.exclude?.has(doc.odoo_id)) continue;
    counts.templates += 1;
    const plan = planProductSet(doc);
    if (plan.kind === 'nothing') {
      records.push({ record: { model: 'product.template', res_id: doc.odoo_id, state: 'error', message: plan.reason }, refused: false });
      counts.notPushed += 1;
    } else if (!options.force && plan.hash === doc.synced_hash) counts.unchanged += 1;
    else toPush.push({ templateId: doc.odoo_id, plan });
  }
  return { records, toPush };
}

/**
 * Writes every result to Odoo, a few at a time. A write that fails stops the writing (the calls
 * in flight are awaited) and the run fails with it: the products already exist in Shopify, and
 * the resumed run pushes only the templates whose result was not written, upserting them by
 * handle or GID, so none is created twice (docs/flows.md, "Go-live in bulk").
 */
async function recordAll(
  ctx: FlowContext,
  options: BulkOptionsIn,
  records: ReadonlyArray<{ record: SyncRecord; refused: boolean }>,
  counts: BulkPushCounts,
): Promise<void> {
  await eachLimited(records, RECORD_CONCURRENCY, async ({ record, refused }) => {
    await ctx.odoo.recordSyncResult(record);
    if (refused) await reportRefusal(ctx, options.runId, record);
    counts.recorded += 1;
    if (counts.recorded % 500 === 0) await options.onProgress?.({ counts: { ...counts } });
  });
}

/**
 * Waits for a bulk operation an earlier attempt started. Its outcome does not matter (the products
 * it created are found again by handle), only that it no longer runs: one still running after the
 * wait fails the attempt rather than run a second operation over the same handles.
 */
async function previousEnded(ctx: FlowContext, id: string, runId: string, poll: { pollMs?: number; sleep: (ms: number) => Promise<void> }) {
  try {
    await waitForBulkOperation(ctx.shopify, id, { lane: 'catalog', ...poll });
  } catch (error) {
    const { bulkOperation: op } = await ctx.shopify.request('BulkOperationById', { id }, { lane: 'catalog' });
    if (op && (op.status === 'CREATED' || op.status === 'RUNNING')) throw error;
    ctx.logger.warn('catalog: the earlier bulk operation did not complete; pushing again', { runId, error });
  }
}

/** Pushes every Odoo template whose content changed (all with `force`) in one bulk mutation. */
export async function pushCatalogInBulk(ctx: FlowContext, options: BulkOptionsIn): Promise<BulkPushResult> {
  const counts: BulkPushCounts = { templates: 0, pushed: 0, unchanged: 0, failed: 0, notPushed: 0, recorded: 0 };
  // Every poll tells the caller the run is alive (its stored state stays fresh, ./store.ts).
  const sleep = async (ms: number) => {
    await options.onProgress?.({ counts: { ...counts } });
    await new Promise<void>((resolve) => setTimeout(resolve, ms));
  };
  const poll = { sleep, ...(options.pollMs ? { pollMs: options.pollMs } : {}) };
  if (options.previousOperationId) await previousEnded(ctx, options.previousOperationId, options.runId, poll);
  const { records, toPush } = planAll(await exportAll(ctx), options, counts);
  const lines = await runBulkMutation<ProductSetMutation>(
    ctx.shopify,
    'ProductSet',
    toPush.map(({ plan }) => ({ identifier: plan.identifier, input: plan.input })),
    {
      lane: 'catalog',
      clientIdentifier: `catalog:${options.runId}`,
      ...poll,
      onStarted: async (operationId) => options.onProgress?.({ operationId, counts: { ...counts } }),
    },
  );
  const byLine = new Map(lines.map((l) => [l.line, l]));
  toPush.forEach(({ templateId, plan }, i) => {
    const record = resultRecord(plan, templateId, byLine.get(i) ?? { data: null, errors: [{ message: 'no result line' }] });
    if (record.shopify_gid) counts.pushed += 1;
    else counts.failed += 1;
    records.push({ record, refused: !record.shopify_gid });
  });
  await recordAll(ctx, options, records, counts);
  ctx.logger.info('catalog: bulk push done', { runId: options.runId, ...counts });
  return counts;
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

export interface CatalogDifference {
  templateId: number;
  /**
   * `product_missing`/`variants_missing`: the GIDs recorded in Odoo are no longer in Shopify
   * (deleted in Shopify's admin); `sku_differs`: a variant's SKU was changed in Shopify.
   */
  kind: 'product_missing' | 'variants_missing' | 'sku_differs';
  detail: string;
}

export interface CatalogReconcileResult {
  templates: number;
  /** Bound in Odoo, present in Shopify with the same variant GIDs. */
  matching: number;
  /** Template ids bound in Odoo whose product or variants Shopify does not have as recorded. */
  drifted: number[];
  /** Template ids never pushed. */
  unbound: number[];
  /** Of `unbound`, those the catalog flow would push (a SKU on some variant). */
  unpushed: number[];
  /** What differs, per drifted template. */
  differences: CatalogDifference[];
}

/** How one bound template differs from Shopify's copy, or undefined when it does not (pure). */
export function differenceOf(doc: ProductDocument, product: ShopCatalogProduct | undefined): CatalogDifference | undefined {
  const templateId = doc.odoo_id;
  if (!product) {
    const detail = `the Shopify product ${doc.shopify_product_gid} recorded for this product is no longer in Shopify (deleted there?)`;
    return { templateId, kind: 'product_missing', detail };
  }
  const byId = new Map(product.variants.map((v) => [v.id, v]));
  const bound = doc.variants.filter((v) => v.shopify_variant_gid && v.active);
  const missing = bound.filter((v) => !byId.has(v.shopify_variant_gid!));
  if (missing.length > 0) {
    const skus = missing.map((v) => v.sku ?? `id ${v.odoo_id}`).join(', ');
    return {
      templateId,
      kind: 'variants_missing',
      detail: `variants ${skus} are no longer in Shopify's product ${product.id} (deleted there?)`,
    };
  }
  const changed = bound.filter((v) => v.sku && (byId.get(v.shopify_variant_gid!)?.sku ?? '') !== v.sku);
  if (changed.length > 0) {
    const detail = changed.map((v) => `SKU ${v.sku} is "${byId.get(v.shopify_variant_gid!)?.sku ?? ''}" in Shopify`).join('; ');
    return { templateId, kind: 'sku_differs', detail };
  }
  return undefined;
}

/** Compares Odoo's bindings with Shopify's catalog read in bulk (read-only). */
export async function reconcileCatalog(ctx: FlowContext, pollMs?: number): Promise<CatalogReconcileResult> {
  const [docs, shop] = await Promise.all([exportAll(ctx), readShopCatalog(ctx, pollMs)]);
  const result: CatalogReconcileResult = { templates: docs.length, matching: 0, drifted: [], unbound: [], unpushed: [], differences: [] };
  for (const doc of docs) {
    if (!doc.shopify_product_gid) {
      result.unbound.push(doc.odoo_id);
      if (planProductSet(doc).kind === 'push') result.unpushed.push(doc.odoo_id);
      continue;
    }
    const difference = differenceOf(doc, shop.get(doc.shopify_product_gid));
    if (!difference) result.matching += 1;
    else {
      result.drifted.push(doc.odoo_id);
      result.differences.push(difference);
    }
  }
  return result;
}

export interface CatalogRepairResult {
  /** Templates Odoo was asked to push again (never pushed, or a SKU changed in Shopify). */
  resynced: number;
  /** Templates whose Shopify product or variants are gone: an error on the product in Odoo. */
  reported: number;
}

/** The message a product deleted in Shopify shows in Odoo (binding error, Shopify > Errors). */
export function missingMessage(difference: CatalogDifference): string {
  return `Catalog reconciliation: ${difference.detail}. Not re-created automatically (docs/flows.md, "Catalog reconciliation").`;
}

/**
 * Acts on a reconciliation (docs/flows.md, "Catalog reconciliation"): templates never pushed,
 * and those whose SKU was changed in Shopify, are queued for a push through Odoo's resync (the
 * catalog flow's single jobs; Odoo's content wins); a product or variant deleted in Shopify is
 * reported on the product in Odoo, as an error with the reason. `held` templates are left alone.
 */
export async function repairCatalog(
  ctx: FlowContext,
  result: CatalogReconcileResult,
  held: ReadonlySet<number> = new Set(),
): Promise<CatalogRepairResult> {
  const resync = [...result.unpushed, ...result.differences.filter((d) => d.kind === 'sku_differs').map((d) => d.templateId)].filter(
    (id) => !held.has(id),
  );
  let resynced = 0;
  for (let i = 0; i < resync.length; i += 5000) {
    resynced += (await ctx.odoo.requestResync({ model: 'product.template', ids: resync.slice(i, i + 5000) })).queued;
  }
  const gone = result.differences.filter((d) => d.kind !== 'sku_differs' && !held.has(d.templateId));
  await eachLimited(gone, RECORD_CONCURRENCY, async (d) => {
    await ctx.odoo.recordSyncResult({ model: 'product.template', res_id: d.templateId, state: 'error', message: missingMessage(d) });
  });
  return { resynced, reported: gone.length };
}
