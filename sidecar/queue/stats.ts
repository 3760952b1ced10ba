/**
 * Queue statistics from pg-boss's live rows: depth, deferred, active, failed, blocked keys and
 * DLQ depth per queue, and a summary of finished jobs since a point in time. pg-boss's
 * getQueueStats serves counts cached by its monitor (up to a minute old even with `force`), too
 * stale for an admin API or an alert, so these run one aggregate each (./sql.ts). Turning rows
 * into results is pure.
 */
import type { Db } from 'pg-boss';
import { dlqName, type QueueName } from './names.js';
import { jobSummary, liveCounts, oldestWaiting, type Statement } from './sql.js';
import type { JobSummaryRow, QueueAgeRow, QueueStatsRow } from './types.js';

interface LiveCountRow {
  name: string;
  ready: number;
  deferred: number;
  active: number;
  failed: number;
  blocked: number;
}

interface SummaryRow {
  name: string;
  completed: number;
  retried: number;
  failed: number;
  /** percentile_cont: a double, or null when nothing completed. */
  p50: number | null;
  p95: number | null;
}

/** Runs one of ./sql.ts's statements on pg-boss's database and returns its rows as `R`. */
export async function rowsOf<R>(db: Pick<Db, 'executeSql'>, statement: Statement): Promise<R[]> {
  const { rows } = await db.executeSql(statement.text, statement.values);
  return rows.map((row: unknown) => row as R);
}

export async function readQueueStats(db: Db, schema: string, queues: readonly QueueName[]): Promise<QueueStatsRow[]> {
  const rows = await rowsOf<LiveCountRow>(db, liveCounts(schema, [...queues, ...queues.map(dlqName)]));
  return queueStatsFromRows(rows, queues);
}

/** One row per queue, in `queues` order, with its DLQ's waiting jobs. Pure. */
export function queueStatsFromRows(rows: readonly LiveCountRow[], queues: readonly QueueName[]): QueueStatsRow[] {
  const byName = new Map(rows.map((r) => [r.name, r]));
  return queues.map((queue) => {
    const r = byName.get(queue);
    const d = byName.get(dlqName(queue));
    const ready = r?.ready ?? 0;
    const deferred = r?.deferred ?? 0;
    return {
      queue,
      queued: ready + deferred,
      ready,
      deferred,
      active: r?.active ?? 0,
      failed: r?.failed ?? 0,
      blockedKeys: r?.blocked ?? 0,
      dlq: (d?.ready ?? 0) + (d?.deferred ?? 0) + (d?.active ?? 0),
    };
  });
}

export async function readJobSummary(db: Db, schema: string, queues: readonly QueueName[], since: Date): Promise<JobSummaryRow[]> {
  return jobSummaryFromRows(await rowsOf<SummaryRow>(db, jobSummary(schema, queues, since)), queues);
}

/** One row per queue, in `queues` order; latencies rounded to whole milliseconds. Pure. */
export function jobSummaryFromRows(rows: readonly SummaryRow[], queues: readonly QueueName[]): JobSummaryRow[] {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const round = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(Number(v)));
  return queues.map((queue) => {
    const r = byName.get(queue);
    return {
      queue,
      completed: r?.completed ?? 0,
      retried: r?.retried ?? 0,
      failed: r?.failed ?? 0,
      p50Ms: round(r?.p50),
      p95Ms: round(r?.p95),
    };
  });
}

/** The oldest waiting job and the oldest dead letter of each queue, in `queues` order. */
export async function readQueueAges(db: Db, schema: string, queues: readonly QueueName[]): Promise<QueueAgeRow[]> {
  const rows = await rowsOf<{ name: string; oldest: Date | null }>(db, oldestWaiting(schema, [...queues, ...queues.map(dlqName)]));
  const byName = new Map(rows.map((r) => [r.name, r.oldest]));
  return queues.map((queue) => ({
    queue,
    oldestWaitingAt: byName.get(queue) ?? null,
    oldestDeadLetterAt: byName.get(dlqName(queue)) ?? null,
  }));
}
