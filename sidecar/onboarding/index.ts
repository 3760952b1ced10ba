/**
 * Onboarding an existing shop (docs/flows.md, "Onboarding"): the first sync links existing Shopify
 * variants and customers to existing Odoo variants and partners (./map.ts), reports conflicts and
 * leftovers, and creates nothing on either side. A real run writes the links through the
 * contract's record_sync_result (./apply.ts) and marks onboarding complete in
 * `<appSchema>.sidecar_state` (./store.ts); a dry run only reports.
 *
 * Not a queue flow: an operator runs it (admin API), once per shop. Pushing waits for it: the
 * catalog and Odoo → Shopify customer flows call `onboardingGate(ctx)` before pushing and skip the
 * records it holds (records in conflict, which would otherwise be created a second time in Shopify).
 */
import type { FlowContext } from '../flows/context.js';
import { queueBulkPush, requestResyncs, writeLinks } from './apply.js';
import { planOnboarding } from './map.js';
import { odooCustomers, odooProducts, shopifyCustomers, shopifyVariants } from './read.js';
import { countsOf, renderMarkdown, type OnboardingReport } from './report.js';
import { onboardingGate, saveOnboardingState, withOnboardingLock, type OnboardingContext } from './store.js';

export { renderMarkdown, type OnboardingReport } from './report.js';
export { OnboardingBusyError, onboardingGate, type OnboardingContext, type OnboardingState } from './store.js';

/** Runs onboarding; `dryRun` reads both sides and reports without writing anything. */
export async function runOnboarding(
  ctx: OnboardingContext,
  options: { dryRun: boolean },
): Promise<{ report: OnboardingReport; markdown: string }> {
  return withOnboardingLock(ctx.pool, async () => {
    const report = await onboard(ctx, options.dryRun);
    return { report, markdown: renderMarkdown(report) };
  });
}

async function onboard(ctx: OnboardingContext, dryRun: boolean): Promise<OnboardingReport> {
  const startedAt = new Date().toISOString();
  const [products, variants, partners, customers] = await Promise.all([
    odooProducts(ctx),
    shopifyVariants(ctx),
    odooCustomers(ctx),
    shopifyCustomers(ctx),
  ]);
  const plan = planOnboarding({ odooProducts: products, shopifyVariants: variants, odooCustomers: partners, shopifyCustomers: customers });
  const { written, writeErrors } = dryRun ? { written: 0, writeErrors: [] } : await writeLinks(ctx, plan);
  const sides = {
    odooVariants: products.reduce((n, p) => n + p.variants.length, 0),
    shopifyVariants: variants.length,
    odooCustomers: partners.length,
    shopifyCustomers: customers.length,
  };
  const complete = !dryRun && writeErrors.length === 0;
  if (complete)
    await saveOnboardingState(ctx, { completedAt: new Date().toISOString(), held: plan.held, counts: countsOf(plan, sides, written) });
  // A real run queues the pushes (once complete); a dry run asks Odoo what they would be.
  const push = complete || dryRun ? await requestResyncs(ctx, plan, products, partners, dryRun) : null;
  // A large catalog goes in one bulk mutation (docs/flows.md, "Go-live in bulk"), run by a job.
  const catalogPush = complete && push?.productsBy === 'bulk' ? await queueBulkPush(ctx) : null;
  if (complete) ctx.logger.info('onboarding: resync requested', { ...push, bulkRunId: catalogPush?.runId });
  const report: OnboardingReport = {
    dryRun,
    startedAt,
    finishedAt: new Date().toISOString(),
    counts: countsOf(plan, sides, written),
    plan,
    writeErrors,
    push,
    catalogPush,
  };
  ctx.logger.info('onboarding finished', { dryRun, ...report.counts, writeErrors: writeErrors.length });
  for (const e of writeErrors) ctx.logger.error('onboarding: link not written', e);
  return report;
}

/**
 * Whether pushing to Shopify may start: a real onboarding run finished without write errors, or
 * ONBOARDING_REQUIRED=false. The catalog flow must check it before pushing (docs/flows.md).
 */
export async function onboardingComplete(ctx: Pick<FlowContext, 'config' | 'pool'>): Promise<boolean> {
  return (await onboardingGate(ctx)).complete;
}
