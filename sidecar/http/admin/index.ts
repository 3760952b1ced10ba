/**
 * The admin API under /admin/api (mounted behind the admin bearer token by http/app.ts): DLQ
 * tools, unblocking keys, resync, config, doctor, reconciliation and integrity runs, stored
 * reports and long operations with their progress, and what Odoo's admin tools call (status,
 * locations, re-import an order: odoo-tools.ts). The CLI (sidecar/cli) is a client of exactly
 * these routes. Routes translate HTTP to calls into queue/, ops/ and reports/; each group lives in
 * its own file (dlq.ts, ops.ts, reports.ts).
 */
import express, { type Router } from 'express';
import type { AdminDeps } from './deps.js';
import { blockedRoutes, dlqRoutes } from './dlq.js';
import { configAndDoctorRoutes, resyncRoutes } from './ops.js';
import { odooToolRoutes } from './odoo-tools.js';
import { handler } from './params.js';
import { reportRunRoutes, storedReportRoutes } from './reports.js';

export type { AdminDeps } from './deps.js';
export { matchesFilter, type DlqFilter } from './dlq.js';

export function createAdminRouter(deps: AdminDeps): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));
  const handle = handler(deps.logger);
  dlqRoutes(router, deps.queue, handle);
  blockedRoutes(router, deps.queue, handle);
  resyncRoutes(router, deps, handle);
  configAndDoctorRoutes(router, deps, handle);
  reportRunRoutes(router, deps, handle);
  storedReportRoutes(router, deps, handle);
  odooToolRoutes(router, deps, handle);
  return router;
}
