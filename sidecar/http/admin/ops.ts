/** Admin API: resync (Odoo records through the contract, Shopify orders as jobs), config, doctor. */
import type { Router } from 'express';
import { redactedConfig } from '../../config/index.js';
import { runDoctor } from '../../ops/doctor.js';
import { RESYNC_KINDS, resyncOdooRecords, resyncOrdersSince } from '../../ops/resync.js';
import { startOperation } from '../../reports/store.js';
import type { AdminDeps } from './deps.js';
import { BadRequest, bodyOf, dateParam, shown, type Handle } from './params.js';

export function resyncRoutes(router: Router, deps: AdminDeps, handle: Handle): void {
  router.post(
    '/api/resync',
    handle(async (req, res) => {
      const body = bodyOf(req);
      const kind = body.kind === undefined ? '' : shown(body.kind);
      if (kind === 'orders') {
        const since = dateParam(body.since, 'since');
        if (!since) throw new BadRequest('resync orders needs "since" (an ISO date)');
        const until = dateParam(body.until, 'until');
        const op = await startOperation(
          deps.pool,
          deps.config.database.appSchema,
          deps.logger,
          'resync',
          { kind, since, until },
          (progress) => resyncOrdersSince({ shopify: deps.shopify, queue: deps.queue, shop: deps.shop }, since, until, progress),
        );
        res.status(202).json({ operationId: op.id });
        return;
      }
      if (!RESYNC_KINDS[kind]) throw new BadRequest(`kind must be one of ${Object.keys(RESYNC_KINDS).join(', ')}, orders (got "${kind}")`);
      const ids = body.ids === 'all' ? 'all' : body.ids;
      if (ids !== 'all' && (!Array.isArray(ids) || !ids.length || !ids.every((i) => Number.isSafeInteger(i) && i > 0))) {
        throw new BadRequest('ids must be a non-empty list of Odoo ids or "all"');
      }
      const result = await resyncOdooRecords(deps.contract, kind, ids as number[] | 'all');
      res.json({ kind, ...result });
    }),
  );
}

export function configAndDoctorRoutes(router: Router, deps: AdminDeps, handle: Handle): void {
  router.get('/api/config', (_req, res) => {
    res.json(redactedConfig(deps.config));
  });
  router.get(
    '/api/doctor',
    handle(async (_req, res) => {
      const { config, pool, odoo, shopify, logger, clock } = deps;
      const report = await runDoctor({ config, pool, odoo, shopify, logger, clock });
      res.status(report.ok ? 200 : 503).json(report);
    }),
  );
}
