/**
 * The admin API under /admin/api (mounted behind the admin bearer token by http/app.ts): DLQ
 * tools, unblocking keys, resync, config, doctor, reconciliation and integrity runs, stored
 * reports and long operations with their progress. The CLI (sidecar/cli) is a client of exactly
 * these routes. Routes translate HTTP to calls into queue/, ops/ and reports/.
 */
import express, { type Request, type Response, type Router } from 'express';
import type pg from 'pg';
import { redactedConfig, type Config } from '../../config/index.js';
import type { Logger } from '../../observability/logger.js';
import type { OdooContract } from '../../odoo/contract.js';
import type { OdooCaller } from '../../odoo/types.js';
import { runDoctor } from '../../ops/doctor.js';
import { RESYNC_KINDS, resyncOdooRecords, resyncOrdersSince } from '../../ops/resync.js';
import { FLOW_QUEUES, QUEUE_NAMES, isQueueName, type QueueName } from '../../queue/names.js';
import type { DeadLetter, SyncQueue } from '../../queue/queue.js';
import { renderIntegrityMarkdown, runIntegrityCheck, type IntegrityReport } from '../../reports/integrity.js';
import { renderReconciliationMarkdown, runReconciliation, type ReconciliationReport, type ReportDeps } from '../../reports/reconcile.js';
import {
  getOperation,
  getReport,
  latestReport,
  listOperations,
  startOperation,
  type ReportKind,
  type StoredReport,
} from '../../reports/store.js';
import type { ShopifyClient } from '../../shopify/index.js';

export interface AdminDeps {
  config: Config;
  shop: string;
  logger: Logger;
  pool: pg.Pool;
  queue: SyncQueue;
  shopify: ShopifyClient;
  contract: OdooContract;
  odoo: OdooCaller;
}

class BadRequest extends Error {}

/** Filter for bulk DLQ actions; every given criterion must match. */
export interface DlqFilter {
  queue?: string;
  key?: string;
  /** Error kind (permanent, retryable, configuration…). */
  kind?: string;
  /** Substring of the failure reason, case-insensitive. */
  reason?: string;
  limit?: number;
}

export function matchesFilter(entry: DeadLetter, filter: DlqFilter): boolean {
  if (filter.key && entry.key !== filter.key) return false;
  if (filter.kind && entry.kind !== filter.kind) return false;
  if (filter.reason && !(entry.reason ?? '').toLowerCase().includes(filter.reason.toLowerCase())) return false;
  return true;
}

function queueParam(value: unknown): QueueName {
  if (typeof value !== 'string' || !isQueueName(value))
    throw new BadRequest(`queue must be one of ${QUEUE_NAMES.join(', ')} (got "${String(value)}")`);
  return value;
}

function intParam(value: unknown, name: string, fallback?: number): number | undefined {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new BadRequest(`${name} must be a non-negative integer (got "${String(value)}")`);
  return n;
}

function dateParam(value: unknown, name: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const d = new Date(String(value));
  if (Number.isNaN(d.getTime())) throw new BadRequest(`${name} must be an ISO date (got "${String(value)}")`);
  return d;
}

function render(kind: ReportKind, report: StoredReport, format: unknown, res: Response): void {
  if (format === 'markdown') {
    const body = report.body as ReconciliationReport & IntegrityReport;
    res.type('text/markdown').send(kind === 'reconciliation' ? renderReconciliationMarkdown(body) : renderIntegrityMarkdown(body));
    return;
  }
  res.json(report);
}

export function createAdminRouter(deps: AdminDeps): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));
  const schema = deps.config.database.appSchema;
  const reportDeps: ReportDeps = {
    pool: deps.pool,
    schema,
    shop: deps.shop,
    queue: deps.queue,
    shopify: deps.shopify,
    odoo: deps.contract,
    logger: deps.logger,
  };
  const handle = (fn: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      await fn(req, res);
    } catch (error) {
      if (error instanceof BadRequest || error instanceof RangeError) {
        res.status(400).json({ error: 'bad_request', detail: error.message });
        return;
      }
      deps.logger.error('admin api failed', { path: req.path, error });
      res.status(502).json({ error: 'failed', detail: error instanceof Error ? error.message : String(error) });
    }
  };

  // ---- DLQ ----
  async function deadLetters(filter: DlqFilter): Promise<DeadLetter[]> {
    const queues = filter.queue ? [queueParam(filter.queue)] : QUEUE_NAMES;
    const all: DeadLetter[] = [];
    for (const q of queues) all.push(...(await deps.queue.listDeadLetters(q, { limit: 1000 })).filter((e) => matchesFilter(e, filter)));
    all.sort((a, b) => b.deadLetteredAt.getTime() - a.deadLetteredAt.getTime());
    return filter.limit === undefined ? all : all.slice(0, filter.limit);
  }
  const filterFrom = (src: Record<string, unknown>): DlqFilter => ({
    ...(src.queue ? { queue: String(src.queue) } : {}),
    ...(src.key ? { key: String(src.key) } : {}),
    ...(src.kind ? { kind: String(src.kind) } : {}),
    ...(src.reason ? { reason: String(src.reason) } : {}),
    ...(intParam(src.limit, 'limit') !== undefined ? { limit: intParam(src.limit, 'limit')! } : {}),
  });

  router.get(
    '/api/dlq',
    handle(async (req, res) => {
      const entries = await deadLetters(filterFrom(req.query as Record<string, unknown>));
      res.json({ count: entries.length, entries });
    }),
  );
  router.get(
    '/api/dlq/:queue/:id',
    handle(async (req, res) => {
      const entry = await deps.queue.inspectDeadLetter(queueParam(req.params.queue), String(req.params.id));
      if (!entry) {
        res.status(404).json({ error: 'not_found', detail: `no dead letter ${req.params.id} in ${req.params.queue}.dlq` });
        return;
      }
      res.json(entry);
    }),
  );
  for (const action of ['retry', 'discard'] as const) {
    router.post(
      `/api/dlq/:queue/:id/${action}`,
      handle(async (req, res) => {
        const queue = queueParam(req.params.queue);
        const id = String(req.params.id);
        if (!(await deps.queue.inspectDeadLetter(queue, id))) {
          res.status(404).json({ error: 'not_found', detail: `no dead letter ${id} in ${queue}.dlq` });
          return;
        }
        const outcome =
          action === 'retry' ? await deps.queue.retryDeadLetter(queue, id) : (await deps.queue.discardDeadLetter(queue, id), 'discarded');
        res.json({ id, queue, outcome });
      }),
    );
    // Bulk: every dead letter matching the filter; an empty filter needs `all: true`.
    router.post(
      `/api/dlq/${action}`,
      handle(async (req, res) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const filter = filterFrom(body);
        if (!filter.queue && !filter.key && !filter.kind && !filter.reason && body.all !== true) {
          throw new BadRequest(`bulk ${action} needs a filter (queue, key, kind, reason) or "all": true`);
        }
        const entries = await deadLetters(filter);
        const results: Array<{ queue: string; id: string; outcome: string }> = [];
        for (const e of entries) {
          try {
            const outcome =
              action === 'retry'
                ? await deps.queue.retryDeadLetter(e.queue, e.id)
                : (await deps.queue.discardDeadLetter(e.queue, e.id), 'discarded');
            results.push({ queue: e.queue, id: e.id, outcome });
          } catch (error) {
            results.push({ queue: e.queue, id: e.id, outcome: `error: ${error instanceof Error ? error.message : String(error)}` });
          }
        }
        res.json({ matched: entries.length, done: results.filter((r) => !r.outcome.startsWith('error')).length, results });
      }),
    );
  }

  // ---- blocked keys ----
  router.get(
    '/api/blocked',
    handle(async (_req, res) => {
      const blocked: Record<string, string[]> = {};
      for (const q of FLOW_QUEUES) {
        const keys = await deps.queue.blockedKeys(q);
        if (keys.length) blocked[q] = keys;
      }
      res.json({ blocked });
    }),
  );
  router.post(
    '/api/unblock',
    handle(async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const queue = queueParam(body.queue);
      const key = typeof body.key === 'string' ? body.key : '';
      const action = body.action ?? 'retry';
      if (!key) throw new BadRequest('key is required');
      if (action !== 'retry' && action !== 'discard') throw new BadRequest('action must be "retry" or "discard"');
      // The failed job holding a key has a copy in the DLQ; retrying or discarding it frees the key.
      const entries = (await deps.queue.listDeadLetters(queue, { limit: 1000 })).filter((e) => e.key === key);
      if (!entries.length) {
        const blocked = await deps.queue.blockedKeys(queue);
        res
          .status(404)
          .json({
            error: 'not_found',
            detail: blocked.includes(key)
              ? `key ${key} is blocked but has no dead letter in ${queue}.dlq`
              : `key ${key} is not blocked on ${queue}`,
          });
        return;
      }
      const results = [];
      for (const e of entries) {
        const outcome =
          action === 'retry'
            ? await deps.queue.retryDeadLetter(queue, e.id)
            : (await deps.queue.discardDeadLetter(queue, e.id), 'discarded');
        results.push({ id: e.id, outcome });
      }
      res.json({ queue, key, action, results });
    }),
  );

  // ---- resync ----
  router.post(
    '/api/resync',
    handle(async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const kind = String(body.kind ?? '');
      if (kind === 'orders') {
        const since = dateParam(body.since, 'since');
        if (!since) throw new BadRequest('resync orders needs "since" (an ISO date)');
        const until = dateParam(body.until, 'until');
        const op = await startOperation(deps.pool, schema, deps.logger, 'resync', { kind, since, until }, (progress) =>
          resyncOrdersSince({ shopify: deps.shopify, queue: deps.queue, shop: deps.shop }, since, until, progress),
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

  // ---- config, doctor ----
  router.get('/api/config', (_req, res) => {
    res.json(redactedConfig(deps.config));
  });
  router.get(
    '/api/doctor',
    handle(async (_req, res) => {
      const report = await runDoctor({ config: deps.config, pool: deps.pool, odoo: deps.odoo, shopify: deps.shopify, logger: deps.logger });
      res.status(report.ok ? 200 : 503).json(report);
    }),
  );

  // ---- reports and operations ----
  router.post(
    '/api/reconcile',
    handle(async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const hours = intParam(body.hours, 'hours', 24)!;
      const to = dateParam(body.to, 'to');
      const repair = body.repair !== false;
      const op = await startOperation(deps.pool, schema, deps.logger, 'reconcile', { hours, to, repair }, (progress) =>
        runReconciliation(reportDeps, { hours, repair, progress, ...(to ? { to } : {}) }).then((r) => ({
          reportId: r.reportId,
          counts: r.report.counts,
        })),
      );
      res.status(202).json({ operationId: op.id });
    }),
  );
  router.post(
    '/api/integrity',
    handle(async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const all = body.all === true;
      const sample = intParam(body.sample, 'sample', deps.config.reports.integritySample);
      const seed = body.seed === undefined ? undefined : String(body.seed);
      const op = await startOperation(deps.pool, schema, deps.logger, 'integrity', { all, sample, seed }, (progress) =>
        runIntegrityCheck(reportDeps, { all, progress, ...(sample !== undefined ? { sample } : {}), ...(seed ? { seed } : {}) }).then(
          (r) => ({
            reportId: r.reportId,
            checked: r.report.checked,
            drifted: r.report.drifted,
          }),
        ),
      );
      res.status(202).json({ operationId: op.id });
    }),
  );
  router.get(
    '/api/reports/:kind/latest',
    handle(async (req, res) => {
      const kind = req.params.kind as ReportKind;
      if (kind !== 'reconciliation' && kind !== 'integrity') throw new BadRequest('kind must be reconciliation or integrity');
      const report = await latestReport(deps.pool, kind, schema);
      if (!report) {
        res.status(404).json({ error: 'not_found', detail: `no ${kind} report yet` });
        return;
      }
      render(kind, report, req.query.format, res);
    }),
  );
  router.get(
    '/api/reports/:id',
    handle(async (req, res) => {
      const id = intParam(req.params.id, 'id')!;
      const report = await getReport(deps.pool, schema, id);
      if (!report) {
        res.status(404).json({ error: 'not_found', detail: `no report ${id}` });
        return;
      }
      render(report.kind, report, req.query.format, res);
    }),
  );
  router.get(
    '/api/operations',
    handle(async (_req, res) => {
      res.json({ operations: await listOperations(deps.pool, schema) });
    }),
  );
  router.get(
    '/api/operations/:id',
    handle(async (req, res) => {
      const op = await getOperation(deps.pool, schema, String(req.params.id));
      if (!op) {
        res.status(404).json({ error: 'not_found', detail: `no operation ${req.params.id}` });
        return;
      }
      res.json(op);
    }),
  );
  return router;
}
