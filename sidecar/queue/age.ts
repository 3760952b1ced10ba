/**
 * How long the oldest ready job of each queue has waited for a worker (a job whose start_after
 * has passed and which no worker took yet): a queue nobody works, or one stalled behind a
 * stuck key, shows here within minutes (metric `queue_oldest_waiting_seconds`, alert
 * `queue_age:<queue>`; docs/operations.md). Measured with pg-boss's own clock (`job_now()`, the
 * database's), as ready/deferred are (./sql.ts). Turning rows into results is pure.
 */
import type pg from 'pg';
import type { Statement } from './sql.js';

export function oldestWaiting(schema: string, names: readonly string[]): Statement {
  return {
    text: `SELECT name, extract(epoch FROM ("${schema}".job_now() - min(start_after)))::float8 AS seconds
             FROM "${schema}".job
            WHERE name = ANY($1::text[]) AND state IN ('created', 'retry') AND start_after <= "${schema}".job_now()
            GROUP BY name`,
    values: [[...names]],
  };
}

/** One row per queue, in `queues` order; 0 when nothing waits. */
export function agesFromRows(rows: readonly { name: string; seconds: number | string }[], queues: readonly string[]) {
  const byName = new Map(rows.map((r) => [r.name, Math.max(0, Number(r.seconds))]));
  return queues.map((queue) => ({ queue, seconds: byName.get(queue) ?? 0 }));
}

/** Reads the ages on the sidecar's pool (pg-boss's tables are in the same database). */
export async function readOldestWaiting(
  pool: Pick<pg.Pool, 'query'>,
  schema: string,
  queues: readonly string[],
): Promise<{ queue: string; seconds: number }[]> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`queue schema "${schema}" is not a plain identifier`);
  const statement = oldestWaiting(schema, queues);
  const { rows } = await pool.query<{ name: string; seconds: number }>(statement.text, statement.values);
  return agesFromRows(rows, queues);
}
