/**
 * Group commit of the webhook intake (docs/operations.md, "Webhook burst"). Deliveries that arrive
 * while every connection of the intake's pool is writing wait, and the next free connection stores
 * all of them in one transaction: their inbox rows in one INSERT, their jobs in the same
 * transaction (one INSERT per queue). A delivery alone is written at once; under a burst, a
 * transaction's four round trips are shared instead of five per delivery, which is what a loaded machine (every round trip waiting
 * to be scheduled) cannot afford. A delivery's promise settles only once the transaction holding
 * its row and its job committed (or failed): nothing is acknowledged that is not stored.
 *
 * A batch that fails for anything but the database being unreachable is written again one delivery
 * at a time (`recordDelivery`, which keeps a row without its jsonb copy when PostgreSQL refuses
 * it), so one odd body never refuses the deliveries it was batched with. An unreachable database
 * fails every delivery of the batch; the intake retries each (db/retry.ts).
 */
import type pg from 'pg';
import { quoteIdent } from '../db/migrate.js';
import { isConnectionError } from '../db/retry.js';
import {
  INBOX_COLUMNS,
  inboxRowPlaceholders,
  inboxRowValues,
  jsonbText,
  recordDelivery,
  type InboxDelivery,
  type InboxRowOutcome,
  type RecordResult,
} from './inbox.js';

export interface InboxEntry<J> {
  delivery: InboxDelivery;
  receivedAt: number;
  outcome: InboxRowOutcome;
  /** The delivery's job, queued in the same transaction when its row is new; none for a row alone. */
  job?: J | undefined;
}

export interface InboxWriter<J> {
  record(entry: InboxEntry<J>): Promise<RecordResult>;
}

/** Queues jobs inside the caller's transaction: all of a batch's at once. */
export type EnqueueMany<J> = (client: pg.PoolClient, jobs: J[]) => Promise<void>;

interface Waiting<J> extends InboxEntry<J> {
  resolve: (result: RecordResult) => void;
  reject: (error: unknown) => void;
}

/** `concurrency`: transactions at once (the pool's size); `maxBatch`: deliveries per transaction. */
export function createInboxWriter<J>(options: {
  pool: pg.Pool;
  schema: string;
  enqueue: EnqueueMany<J>;
  concurrency: number;
  maxBatch?: number;
}): InboxWriter<J> {
  const maxBatch = options.maxBatch ?? 50;
  const pending: Waiting<J>[] = [];
  let running = 0;

  function pump(): void {
    while (running < options.concurrency && pending.length > 0) {
      const batch = pending.splice(0, maxBatch);
      running += 1;
      void flush(batch).finally(() => {
        running -= 1;
        pump();
      });
    }
  }

  async function flush(batch: Waiting<J>[]): Promise<void> {
    try {
      const results = await writeBatch(options.pool, options.schema, batch, options.enqueue);
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      if (isConnectionError(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
      // One delivery's data (or job) failed the batch: each on its own, with its own outcome.
      await Promise.all(
        batch.map((w) => {
          const { job } = w;
          const enqueue = job === undefined ? undefined : () => (client: pg.PoolClient) => options.enqueue(client, [job]);
          return recordDelivery(options.pool, options.schema, w.delivery, w.receivedAt, w.outcome, enqueue).then(w.resolve, w.reject);
        }),
      );
    }
  }

  return {
    record(entry) {
      return new Promise<RecordResult>((resolve, reject) => {
        pending.push({ ...entry, resolve, reject });
        pump();
      });
    },
  };
}

/** One transaction: the batch's rows in one INSERT, then the jobs of the rows that were new, at once. */
async function writeBatch<J>(
  pool: pg.Pool,
  schema: string,
  batch: readonly InboxEntry<J>[],
  enqueue: EnqueueMany<J>,
): Promise<RecordResult[]> {
  const values: unknown[] = [];
  const rows: string[] = [];
  for (const entry of batch) {
    rows.push(inboxRowPlaceholders(values.length));
    values.push(
      ...inboxRowValues(entry.delivery, entry.receivedAt, entry.outcome, jsonbText(entry.delivery.payload, entry.delivery.rawBody)),
    );
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const inserted = await client.query<{ webhook_id: string }>(
      `INSERT INTO ${quoteIdent(schema)}.webhook_inbox (${INBOX_COLUMNS}) VALUES ${rows.join(', ')}
       ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id`,
      values,
    );
    // A webhook id twice in one batch is inserted once: its first delivery is the new one.
    const fresh = new Set(inserted.rows.map((r) => r.webhook_id));
    const results = batch.map((entry) => ({ duplicate: !fresh.delete(entry.delivery.webhookId) }));
    const jobs = batch.flatMap((entry, i) => (!results[i]!.duplicate && entry.job !== undefined ? [entry.job] : []));
    if (jobs.length > 0) await enqueue(client, jobs);
    await client.query('COMMIT');
    return results;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
