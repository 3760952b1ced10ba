/**
 * Scheduled reports: the daily reconciliation (RECONCILE_CRON) and the weekly integrity check
 * (INTEGRITY_CRON, INTEGRITY_SAMPLE records per kind, seeded by the ISO date so a run can be
 * repeated with `integrity --seed <date>`). Each scheduled run is a recorded operation, so the
 * dashboard shows its progress like an on-demand run from the CLI or admin API.
 */
import type { FlowContext } from '../flows/context.js';
import { defineFlow } from '../flows/define-flow.js';
import { runIntegrityCheck } from '../reports/integrity.js';
import { runReconciliation, type ReportDeps } from '../reports/reconcile.js';
import { startOperation } from '../reports/store.js';

export function reportDeps(
  ctx: Pick<FlowContext, 'config' | 'pool' | 'shop' | 'queue' | 'shopify' | 'odoo' | 'logger' | 'clock'>,
): ReportDeps {
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

export const reportsSchedule = defineFlow({
  name: 'reports',
  queues: {
    'reports.reconcile': {
      schedule: (config) => config.reports.reconcileCron,
      async handle(ctx) {
        const op = await startOperation(ctx.pool, ctx.config.database.appSchema, ctx.logger, 'reconcile', { scheduled: true }, (progress) =>
          runReconciliation(reportDeps(ctx), { progress }),
        );
        await op.finished;
        return { outcome: 'reported', message: 'reports: reconciliation finished', fields: { operationId: op.id } };
      },
    },
    'reports.integrity': {
      schedule: (config) => config.reports.integrityCron,
      async handle(ctx) {
        const params = {
          scheduled: true,
          sample: ctx.config.reports.integritySample,
          seed: new Date(ctx.clock()).toISOString().slice(0, 10),
        };
        const op = await startOperation(ctx.pool, ctx.config.database.appSchema, ctx.logger, 'integrity', params, (progress) =>
          runIntegrityCheck(reportDeps(ctx), { sample: params.sample, seed: params.seed, progress }),
        );
        await op.finished;
        return { outcome: 'reported', message: 'reports: integrity check finished', fields: { operationId: op.id, seed: params.seed } };
      },
    },
  },
});
