import assert from 'node:assert/strict';
import type pg from 'pg';
import { createPool } from '../db/pool.js';
import { migrate } from '../db/migrate.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { createInboxWriter, type EnqueueMany, type InboxEntry } from './batch.js';
import type { InboxStatus } from './inbox.js';

const NOW = Date.UTC(2026, 10, 27, 12);

describe('inbox writer (group commit of the webhook intake)', () => {
  let pool: pg.Pool;
  let transactions = 0;

  before(async () => {
    pool = createPool(await testDatabase('inbox_batch'), 3);
    await migrate(pool, 'app');
    await pool.query('CREATE TABLE test_jobs (webhook_id text)');
    // Counts the transactions the writer opens, to see that a burst shares them.
    pool.on('acquire', () => (transactions += 1));
  });
  beforeEach(async () => {
    await pool.query('TRUNCATE app.webhook_inbox, test_jobs');
    transactions = 0;
  });
  after(() => pool.end());

  function entry(webhookId: string, status: string = 'queued'): InboxEntry<string> {
    return {
      delivery: {
        webhookId,
        topic: 'orders/create',
        shopDomain: 'test-shop.myshopify.com',
        payload: { id: webhookId },
        rawBody: Buffer.from('{}'),
      },
      receivedAt: NOW,
      outcome: { status: status as InboxStatus, entityGid: `gid://shopify/Order/${webhookId}` },
      job: webhookId,
    };
  }

  /** The jobs' table stands for the queue: one INSERT for the batch, refused for a job named `x`. */
  const enqueue: EnqueueMany<string> = async (client, jobs) => {
    if (jobs.includes('x')) throw new Error('queue unavailable');
    await client.query('INSERT INTO test_jobs (webhook_id) SELECT unnest($1::text[])', [jobs]);
  };
  const writer = () => createInboxWriter({ pool, schema: 'app', enqueue, concurrency: 1 });

  async function stored(): Promise<{ inbox: string[]; jobs: string[] }> {
    const inbox = await pool.query<{ webhook_id: string }>('SELECT webhook_id FROM app.webhook_inbox ORDER BY webhook_id');
    const jobs = await pool.query<{ webhook_id: string }>('SELECT webhook_id FROM test_jobs ORDER BY webhook_id');
    return { inbox: inbox.rows.map((r) => r.webhook_id), jobs: jobs.rows.map((r) => r.webhook_id) };
  }

  it('stores deliveries that arrive together in fewer transactions, each row with its job, a repeated id once', async () => {
    const write = writer();
    const ids = Array.from({ length: 30 }, (_, i) => `w-${String(i).padStart(2, '0')}`);
    const results = await Promise.all([...ids, 'w-05'].map((id) => write.record(entry(id))));
    assert.deepEqual(
      results.map((r) => r.duplicate),
      [...ids.map(() => false), true],
    );
    // The first delivery is written alone at once; the 30 that waited for it share one transaction.
    assert.equal(transactions, 2);
    assert.deepEqual(await stored(), { inbox: ids, jobs: ids });
    // A redelivery later is a duplicate, without a second job.
    assert.deepEqual(await write.record(entry('w-07')), { duplicate: true });
    assert.equal((await stored()).jobs.length, 30);
  });

  it('writes a batch one delivery at a time when one of them is refused, so only that one fails', async () => {
    const write = writer();
    const settled = await Promise.allSettled(
      ['a', 'b', 'c', 'd'].map((id) => write.record(entry(id, id === 'c' ? 'not-a-status' : 'queued'))),
    );
    assert.deepEqual(
      settled.map((s) => s.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    assert.match(String((settled[2] as PromiseRejectedResult).reason), /check constraint/);
    assert.deepEqual(await stored(), { inbox: ['a', 'b', 'd'], jobs: ['a', 'b', 'd'] });
  });

  it('stores nothing of a delivery whose job cannot be enqueued', async () => {
    const write = writer();
    const failing = entry('x');
    const settled = await Promise.allSettled([write.record(entry('w')), write.record(failing), write.record(entry('y'))]);
    assert.deepEqual(
      settled.map((s) => s.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(await stored(), { inbox: ['w', 'y'], jobs: ['w', 'y'] });
  });
});
