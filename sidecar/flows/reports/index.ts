/**
 * Scheduled reports: the daily reconciliation (RECONCILE_CRON) and the weekly integrity check
 * (INTEGRITY_CRON, INTEGRITY_SAMPLE records per kind, seeded by the ISO date so a run can be
 * repeated with `integrity --seed <date>`). Each scheduled run is a recorded operation, so the
 * dashboard shows its progress like an on-demand run from the CLI or admin API.
 */
import type { Flow, FlowContext } from '../context.js';
import { runIntegrityCheck } from '../../reports/integrity.js';
import { runReconciliation, type ReportDeps } from '../../reports/reconcile.js';
import { startOperation } from '../../reports/store.js';

export function reportDeps(ctx: FlowContext): ReportDeps {
  return {
    pool: ctx.pool,
    schema: ctx.config.database.appSchema,
    shop: ctx.shop,
    queue: ctx.queue,
    shopify: ctx.shopify,
    odoo: ctx.odoo,
    logger: ctx.logger,
    clock: ctx.clock,
  };
}

export const reportsFlow: Flow = {
  name: 'reports',
  async register(ctx) {
    const deps = reportDeps(ctx);
    const schema = ctx.config.database.appSchema;
    await ctx.queue.work('reports.reconcile', async () => {
      const op = await startOperation(ctx.pool, schema, ctx.logger, 'reconcile', { scheduled: true }, (progress) =>
        runReconciliation(deps, { progress }),
      );
      await op.finished;
    });
    await ctx.queue.work('reports.integrity', async () => {
      const seed = new Date(ctx.clock()).toISOString().slice(0, 10);
      const params = { scheduled: true, sample: ctx.config.reports.integritySample, seed };
      const op = await startOperation(ctx.pool, schema, ctx.logger, 'integrity', params, (progress) =>
        runIntegrityCheck(deps, { sample: params.sample, seed: params.seed, progress }),
      );
      await op.finished;
    });
    await ctx.queue.schedule('reports.reconcile', ctx.config.reports.reconcileCron, {});
    await ctx.queue.schedule('reports.integrity', ctx.config.reports.integrityCron, {});
  },
};
