/**
 * Onboarding, writes (a real run only), all through the contract's record_sync_result — nothing is
 * created on either side: each link, and each record held back for a conflict with the reason. Once
 * complete, Odoo is asked to re-emit the events of every product and customer that was not held.
 */
import { bulkPushActive, readBulkPushState, writeBulkPushState, type BulkPushState } from '../flows/catalog/store.js';
import type { ExportedCustomer, ProductDocument } from '../odoo/contract.js';
import type { Conflict, OnboardingPlan } from './map.js';
import type { OnboardingContext } from './store.js';

export interface WriteError {
  model: string;
  resId: number;
  message: string;
}

type Write = { model: string; resId: number; call: () => Promise<unknown> };

function linkWrites(ctx: OnboardingContext, plan: OnboardingPlan): Write[] {
  // `pending`: linked, not pushed yet. No content hash is recorded, so the catalog flow's first
  // push writes Odoo's content to the linked Shopify product (update by ID, never a new one).
  const products = plan.products.link.map((link) => ({
    model: 'product.template',
    resId: link.templateId,
    call: () =>
      ctx.odoo.recordSyncResult({
        model: 'product.template',
        res_id: link.templateId,
        state: 'pending',
        shopify_gid: link.productGid,
        children: link.variants.map((v) => ({
          model: 'product.product',
          res_id: v.odooId,
          shopify_gid: v.variantGid,
          inventory_item_gid: v.inventoryItemGid,
        })),
      }),
  }));
  const customers = plan.customers.link.map((link) => ({
    model: 'res.partner',
    resId: link.partnerId,
    call: () =>
      ctx.odoo.recordSyncResult({ model: 'res.partner', res_id: link.partnerId, state: 'pending', shopify_gid: link.customerGid }),
  }));
  // The binding says why a record in conflict is not synced (it shows in Odoo's error list).
  const held = (
    [
      ['product.template', plan.held.templateIds],
      ['res.partner', plan.held.partnerIds],
    ] as const
  ).flatMap(([model, ids]) =>
    ids.map((id) => ({
      model,
      resId: id,
      call: () => ctx.odoo.recordSyncResult({ model, res_id: id, state: 'error', message: conflictMessage(plan.conflicts, model, id) }),
    })),
  );
  return [...products, ...customers, ...held];
}

/** Writes every link and held record; one that fails is reported, the others are still written. */
export async function writeLinks(ctx: OnboardingContext, plan: OnboardingPlan): Promise<{ written: number; writeErrors: WriteError[] }> {
  const writeErrors: WriteError[] = [];
  let written = 0;
  for (const write of linkWrites(ctx, plan)) {
    try {
      await write.call();
      written += 1;
    } catch (error) {
      writeErrors.push({ model: write.model, resId: write.resId, message: (error as Error).message });
    }
  }
  return { written, writeErrors };
}

function conflictMessage(conflicts: readonly Conflict[], model: string, id: number): string {
  const mine = conflicts.filter((c) => c.odoo.model === model && c.odoo.ids.includes(id) && c.kind !== 'barcode_mismatch');
  return `onboarding conflict: ${mine.map((c) => c.message).join('; ')}`.slice(0, 2000);
}

/** What onboarding pushes to Shopify afterwards, and what the push rules keep out, by reason. */
export interface PushSummary {
  products: number;
  customers: number;
  skipped: Array<{ reason: string; count: number }>;
  /**
   * How the products go: `jobs`, one catalog job per template; `bulk`, one bulk mutation (from
   * CATALOG_BULK_THRESHOLD templates on; docs/flows.md, "Go-live in bulk").
   */
  productsBy: 'jobs' | 'bulk';
}

function byReason(rows: ReadonlyArray<{ reason: string }>): PushSummary['skipped'] {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.reason, (counts.get(row.reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => a.reason.localeCompare(b.reason));
}

/** request_resync takes at most 5,000 ids a call (docs/contract.md): the answers of the chunks, summed. */
async function resyncAll(
  ctx: OnboardingContext,
  model: 'product.template' | 'res.partner',
  ids: readonly number[],
  dry: { dry_run?: boolean },
): Promise<{ queued: number; missing_ids: number[]; skipped: Array<{ id: number; reason: string }> }> {
  const out = { queued: 0, missing_ids: [] as number[], skipped: [] as Array<{ id: number; reason: string }> };
  for (let i = 0; i < ids.length; i += RESYNC_CHUNK) {
    const answer = await ctx.odoo.requestResync({ model, ids: ids.slice(i, i + RESYNC_CHUNK), ...dry });
    out.queued += answer.queued;
    out.missing_ids.push(...answer.missing_ids);
    out.skipped.push(...(answer.skipped ?? []));
  }
  return out;
}

const RESYNC_CHUNK = 5000;

/**
 * Go-live's catalog push in bulk: the run is stored as `queued` (single catalog jobs wait for it)
 * and one `catalog.bulk` job sent. A run still queued or running is kept, not doubled; a failed
 * one hands its bulk operation to the new run, which waits for it before pushing.
 */
export async function queueBulkPush(ctx: OnboardingContext): Promise<BulkPushState> {
  const previous = await readBulkPushState(ctx);
  if (previous && bulkPushActive(previous, ctx.clock())) return previous;
  const now = new Date(ctx.clock()).toISOString();
  // Only an unfinished run's operation may still be running in Shopify.
  const operationId = previous && previous.state !== 'done' ? previous.operationId : null;
  const state = { runId: `golive-${now}`, state: 'queued' as const, operationId, counts: null, error: null };
  await writeBulkPushState(ctx, { ...state, queuedAt: now });
  await ctx.queue.send('catalog.bulk', { runId: state.runId }, { id: `catalog.bulk:${state.runId}` });
  return { ...state, queuedAt: now, updatedAt: now };
}

/**
 * Pushes deferred while onboarding was pending are replayed: Odoo re-emits the events of every
 * product and customer (its Resync buttons' method) except those held for a conflict, and linked
 * records now update their Shopify counterpart in place. Odoo's push rules decide which contacts
 * are customers (never internal users, employees, vendors or contacts without a sale, unless
 * "Sync to Shopify" is ticked; docs/flows.md "Which contacts are pushed"). A dry run asks Odoo
 * what it would queue and queues nothing; a contact it is about to link counts as pushed.
 */
export async function requestResyncs(
  ctx: OnboardingContext,
  plan: OnboardingPlan,
  products: readonly ProductDocument[],
  partners: readonly ExportedCustomer[],
  dryRun = false,
): Promise<PushSummary> {
  const held = { templates: new Set(plan.held.templateIds), partners: new Set(plan.held.partnerIds) };
  const templateIds = products.map((p) => p.odoo_id).filter((id) => !held.templates.has(id));
  const partnerIds = partners.map((c) => c.partner_id).filter((id) => !held.partners.has(id));
  const dry = dryRun ? { dry_run: true } : {};
  const none = { queued: 0, missing_ids: [], skipped: [] };
  const threshold = ctx.config.catalog.bulkThreshold;
  const productsBy = threshold > 0 && templateIds.length >= threshold ? 'bulk' : 'jobs';
  // In bulk Odoo only counts (the same push rules); the bulk job pushes the same population.
  const productDry = productsBy === 'bulk' ? { dry_run: true } : dry;
  const product = templateIds.length ? await resyncAll(ctx, 'product.template', templateIds, productDry) : none;
  const customer = partnerIds.length ? await resyncAll(ctx, 'res.partner', partnerIds, dry) : none;
  const linking = new Set(dryRun ? plan.customers.link.map((l) => l.partnerId) : []);
  const skipped = (customer.skipped ?? []).filter((s) => !linking.has(s.id));
  return {
    products: product.queued,
    customers: customer.queued + (customer.skipped ?? []).length - skipped.length,
    skipped: byReason([...(product.skipped ?? []), ...skipped]),
    productsBy,
  };
}
