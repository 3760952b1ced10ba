/** Admin API: reconciliation and integrity runs (long operations), stored reports, operations. */
import type { Response, Router } from 'express';
import { renderIntegrityMarkdown, runIntegrityCheck, type IntegrityReport } from '../../reports/integrity.js';
import { renderReconciliationMarkdown, runReconciliation, type ReconciliationReport } from '../../reports/reconcile.js';
import {
  getOperation,
  getReport,
  latestReport,
  listOperations,
  startOperation,
  type ReportKind,
  type StoredReport,
} from '../../reports/store.js';
import { reportDepsOf, type AdminDeps } from './deps.js';
import { BadRequest, bodyOf, dateParam, intParam, routeParam, shown, type Handle } from './params.js';

function render(kind: ReportKind, report: StoredReport, format: unknown, res: Response): void {
  if (format === 'markdown') {
    const body = report.body as ReconciliationReport & IntegrityReport;
    res.type('text/markdown').send(kind === 'reconciliation' ? renderReconciliationMarkdown(body) : renderIntegrityMarkdown(body));
    return;
  }
  res.json(report);
}

export function reportRunRoutes(router: Router, deps: AdminDeps, handle: Handle): void {
  const schema = deps.config.database.appSchema;
  const reportDeps = reportDepsOf(deps);
  router.post(
    '/api/reconcile',
    handle(async (req, res) => {
      const body = bodyOf(req);
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
      const body = bodyOf(req);
      const all = body.all === true;
      const sample = intParam(body.sample, 'sample', deps.config.reports.integritySample);
      const seed = body.seed === undefined ? undefined : shown(body.seed);
      const op = await startOperation(deps.pool, schema, deps.logger, 'integrity', { all, sample, seed }, (progress) =>
        runIntegrityCheck(reportDeps, { all, progress, ...(sample !== undefined ? { sample } : {}), ...(seed ? { seed } : {}) }).then(
          (r) => ({ reportId: r.reportId, checked: r.report.checked, drifted: r.report.drifted }),
        ),
      );
      res.status(202).json({ operationId: op.id });
    }),
  );
}

export function storedReportRoutes(router: Router, deps: AdminDeps, handle: Handle): void {
  const schema = deps.config.database.appSchema;
  router.get(
    '/api/reports/:kind/latest',
    handle(async (req, res) => {
      const kind = routeParam(req, 'kind');
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
      const id = intParam(routeParam(req, 'id'), 'id')!;
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
      const id = routeParam(req, 'id');
      const op = await getOperation(deps.pool, schema, id);
      if (!op) {
        res.status(404).json({ error: 'not_found', detail: `no operation ${id}` });
        return;
      }
      res.json(op);
    }),
  );
}
