/**
 * Storage of reports and long operations in the app schema (migration 005_reports.sql).
 * `latestReport(pool, schema, kind)` is what the dashboard and the admin API read; an operation
 * row carries the progress of a run (done/total/message) so a terminal or the dashboard can follow
 * it while it runs.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../observability/logger.js';

export type ReportKind = 'reconciliation' | 'integrity';

export interface StoredReport<B = unknown, S = unknown> {
  id: number;
  kind: ReportKind;
  createdAt: Date;
  operationId: string | null;
  summary: S;
  body: B;
}

export interface Operation {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  state: 'running' | 'done' | 'failed';
  done: number;
  total: number | null;
  message: string | null;
  result: unknown;
  error: string | null;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

const q = (schema: string) => `"${schema.replaceAll('"', '')}"`;

export async function saveReport(
  pool: pg.Pool,
  schema: string,
  kind: ReportKind,
  summary: unknown,
  body: unknown,
  operationId?: string,
): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO ${q(schema)}.reports (kind, summary, body, operation_id) VALUES ($1, $2, $3, $4) RETURNING id`,
    [kind, JSON.stringify(summary), JSON.stringify(body), operationId ?? null],
  );
  return Number(rows[0]!.id);
}

/** A `reports` row as pg returns it (bigserial id as a string, jsonb parsed). */
interface ReportRow {
  id: string;
  kind: ReportKind;
  created_at: Date;
  operation_id: string | null;
  summary: unknown;
  body: unknown;
}

/** An `operations` row as pg returns it. */
interface OperationRow {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  state: Operation['state'];
  done: number;
  total: number | null;
  message: string | null;
  result: unknown;
  error: string | null;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

// The stored JSON is what the writer put there (saveReport's callers): its type is the caller's claim.
function toReport<B, S>(row: ReportRow): StoredReport<B, S> {
  return {
    id: Number(row.id),
    kind: row.kind,
    createdAt: row.created_at,
    operationId: row.operation_id,
    summary: row.summary as S,
    body: row.body as B,
  };
}

/** The newest stored report of `kind`, or null (the dashboard's "latest results"). */
export async function latestReport<B = unknown, S = unknown>(
  pool: pg.Pool,
  kind: ReportKind,
  schema = 'shopify_sync',
): Promise<StoredReport<B, S> | null> {
  const { rows } = await pool.query<ReportRow>(
    `SELECT * FROM ${q(schema)}.reports WHERE kind = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
    [kind],
  );
  return rows[0] ? toReport<B, S>(rows[0]) : null;
}

export async function getReport(pool: pg.Pool, schema: string, id: number): Promise<StoredReport | null> {
  const { rows } = await pool.query<ReportRow>(`SELECT * FROM ${q(schema)}.reports WHERE id = $1`, [id]);
  return rows[0] ? toReport(rows[0]) : null;
}

function toOperation(row: OperationRow): Operation {
  return {
    id: row.id,
    kind: row.kind,
    params: row.params,
    state: row.state,
    done: row.done,
    total: row.total,
    message: row.message,
    result: row.result,
    error: row.error,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export async function getOperation(pool: pg.Pool, schema: string, id: string): Promise<Operation | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const { rows } = await pool.query<OperationRow>(`SELECT * FROM ${q(schema)}.operations WHERE id = $1`, [id]);
  return rows[0] ? toOperation(rows[0]) : null;
}

export async function listOperations(pool: pg.Pool, schema: string, limit = 20): Promise<Operation[]> {
  const { rows } = await pool.query<OperationRow>(`SELECT * FROM ${q(schema)}.operations ORDER BY started_at DESC LIMIT $1`, [limit]);
  return rows.map(toOperation);
}

/** What a long-running task gets: report progress; the runner records the end. */
export interface Progress {
  readonly operationId: string;
  update(done: number, total: number | null, message?: string): Promise<void>;
}

/**
 * Runs `task` as a recorded operation. Returns at once with the operation id; `finished` settles
 * when the task ends (its result or error is stored on the row either way).
 */
export async function startOperation<T>(
  pool: pg.Pool,
  schema: string,
  logger: Logger,
  kind: string,
  params: Record<string, unknown>,
  task: (progress: Progress) => Promise<T>,
): Promise<{ id: string; finished: Promise<T> }> {
  const id = randomUUID();
  await pool.query(`INSERT INTO ${q(schema)}.operations (id, kind, params, state) VALUES ($1, $2, $3, 'running')`, [
    id,
    kind,
    JSON.stringify(params),
  ]);
  const progress: Progress = {
    operationId: id,
    async update(done, total, message) {
      await pool.query(`UPDATE ${q(schema)}.operations SET done = $2, total = $3, message = $4, updated_at = now() WHERE id = $1`, [
        id,
        done,
        total,
        message ?? null,
      ]);
    },
  };
  const finished = (async () => {
    try {
      const result = await task(progress);
      await pool.query(
        `UPDATE ${q(schema)}.operations SET state = 'done', result = $2, updated_at = now(), finished_at = now(), done = COALESCE(total, done) WHERE id = $1`,
        [id, JSON.stringify(result ?? null)],
      );
      logger.info('operation finished', { operationId: id, kind });
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await pool
        .query(`UPDATE ${q(schema)}.operations SET state = 'failed', error = $2, updated_at = now(), finished_at = now() WHERE id = $1`, [
          id,
          message,
        ])
        .catch(() => undefined);
      logger.error('operation failed', { operationId: id, kind, error });
      throw error;
    }
  })();
  // The HTTP caller polls the row; an unobserved rejection must not crash the process.
  finished.catch(() => undefined);
  return { id, finished };
}
