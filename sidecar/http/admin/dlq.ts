/**
 * Admin API: dead letters (list, inspect, retry, discard, one or in bulk by filter) and keys
 * blocked by a failed job (list, unblock by retrying or discarding its dead letter).
 */
import type { Router } from 'express';
import { FLOW_QUEUES, QUEUE_NAMES, type QueueName } from '../../queue/names.js';
import type { DeadLetter, SyncQueue } from '../../queue/queue.js';
import { BadRequest, bodyOf, intParam, queueParam, routeParam, shown, type Handle } from './params.js';

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

function filterFrom(src: Record<string, unknown>): DlqFilter {
  const limit = intParam(src.limit, 'limit');
  return {
    ...(src.queue ? { queue: shown(src.queue) } : {}),
    ...(src.key ? { key: shown(src.key) } : {}),
    ...(src.kind ? { kind: shown(src.kind) } : {}),
    ...(src.reason ? { reason: shown(src.reason) } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
}

async function deadLetters(queue: SyncQueue, filter: DlqFilter): Promise<DeadLetter[]> {
  const queues = filter.queue ? [queueParam(filter.queue)] : QUEUE_NAMES;
  const all: DeadLetter[] = [];
  for (const q of queues) all.push(...(await queue.listDeadLetters(q, { limit: 1000 })).filter((e) => matchesFilter(e, filter)));
  all.sort((a, b) => b.deadLetteredAt.getTime() - a.deadLetteredAt.getTime());
  return filter.limit === undefined ? all : all.slice(0, filter.limit);
}

async function act(queue: SyncQueue, action: 'retry' | 'discard', q: QueueName, id: string): Promise<string> {
  if (action === 'retry') return queue.retryDeadLetter(q, id);
  await queue.discardDeadLetter(q, id);
  return 'discarded';
}

export function dlqRoutes(router: Router, queue: SyncQueue, handle: Handle): void {
  router.get(
    '/api/dlq',
    handle(async (req, res) => {
      const entries = await deadLetters(queue, filterFrom(req.query));
      res.json({ count: entries.length, entries });
    }),
  );
  router.get(
    '/api/dlq/:queue/:id',
    handle(async (req, res) => {
      const [q, id] = [routeParam(req, 'queue'), routeParam(req, 'id')];
      const entry = await queue.inspectDeadLetter(queueParam(q), id);
      if (!entry) {
        res.status(404).json({ error: 'not_found', detail: `no dead letter ${id} in ${q}.dlq` });
        return;
      }
      res.json(entry);
    }),
  );
  for (const action of ['retry', 'discard'] as const) {
    router.post(
      `/api/dlq/:queue/:id/${action}`,
      handle(async (req, res) => {
        const q = queueParam(routeParam(req, 'queue'));
        const id = routeParam(req, 'id');
        if (!(await queue.inspectDeadLetter(q, id))) {
          res.status(404).json({ error: 'not_found', detail: `no dead letter ${id} in ${q}.dlq` });
          return;
        }
        res.json({ id, queue: q, outcome: await act(queue, action, q, id) });
      }),
    );
    // Bulk: every dead letter matching the filter; an empty filter needs `all: true`.
    router.post(
      `/api/dlq/${action}`,
      handle(async (req, res) => {
        const body = bodyOf(req);
        const filter = filterFrom(body);
        if (!filter.queue && !filter.key && !filter.kind && !filter.reason && body.all !== true) {
          throw new BadRequest(`bulk ${action} needs a filter (queue, key, kind, reason) or "all": true`);
        }
        const entries = await deadLetters(queue, filter);
        const results: Array<{ queue: string; id: string; outcome: string }> = [];
        for (const e of entries) {
          const outcome = await act(queue, action, e.queue, e.id).catch(
            (error: unknown) => `error: ${error instanceof Error ? error.message : String(error)}`,
          );
          results.push({ queue: e.queue, id: e.id, outcome });
        }
        res.json({ matched: entries.length, done: results.filter((r) => !r.outcome.startsWith('error')).length, results });
      }),
    );
  }
}

export function blockedRoutes(router: Router, queue: SyncQueue, handle: Handle): void {
  router.get(
    '/api/blocked',
    handle(async (_req, res) => {
      const blocked: Record<string, string[]> = {};
      for (const q of FLOW_QUEUES) {
        const keys = await queue.blockedKeys(q);
        if (keys.length) blocked[q] = keys;
      }
      res.json({ blocked });
    }),
  );
  router.post(
    '/api/unblock',
    handle(async (req, res) => {
      const body = bodyOf(req);
      const q = queueParam(body.queue);
      const key = typeof body.key === 'string' ? body.key : '';
      // A job without a key (a scheduled one: a go-live catalog push, a reconciliation) is named
      // by its own id, as its failure report in Odoo gave it.
      const jobId = typeof body.job_id === 'string' ? body.job_id : '';
      const action = body.action ?? 'retry';
      if (!key && !jobId) throw new BadRequest('key or job_id is required');
      if (action !== 'retry' && action !== 'discard') throw new BadRequest('action must be "retry" or "discard"');
      // The failed job holding a key has a copy in the DLQ; retrying or discarding it frees the key.
      const letters = await queue.listDeadLetters(q, { limit: 1000 });
      const entries = letters.filter((e) => (key ? e.key === key : e.sourceJobId === jobId));
      if (!entries.length) {
        const detail = !key
          ? `job ${jobId} has no dead letter in ${q}.dlq`
          : (await queue.blockedKeys(q)).includes(key)
            ? `key ${key} is blocked but has no dead letter in ${q}.dlq`
            : `key ${key} is not blocked on ${q}`;
        res.status(404).json({ error: 'not_found', detail });
        return;
      }
      const results = [];
      for (const e of entries) results.push({ id: e.id, outcome: await act(queue, action, q, e.id) });
      res.json({ queue: q, ...(key ? { key } : { job_id: jobId }), action, results });
    }),
  );
}
