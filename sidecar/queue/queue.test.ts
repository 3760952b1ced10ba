/**
 * The queue against a real PostgreSQL (the mocha root hooks start one; each test gets its own
 * database). Small retry delays and a 0.5 s poll keep it quick; waits poll for a condition.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import Transport from 'winston-transport';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { createLogger, currentLogContext, type LogContext } from '../observability/logger.js';
import { ConfigurationError, PermanentError, RetryableError } from './errors.js';
import { keys, QUEUE_NAMES, type QueueName, type RetrySettings } from './names.js';
import { createQueue, deterministicJobId, type JobContext, type JobHandler, type SyncQueue, type QueueSettings } from './queue.js';

class MemoryTransport extends Transport {
  lines: Record<string, unknown>[] = [];
  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    this.lines.push(JSON.parse(String(info[Symbol.for('message')])) as Record<string, unknown>);
    next();
  }
}

const SHOP = 'demo-shop.myshopify.com';
const SCHEMA = 'sync_queue';
const order = (n: number) => keys.order(SHOP, `gid://shopify/Order/${9_007_199_254_740_993n + BigInt(n)}`);

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A job handler whose work is synchronous; a throw rejects the attempt, as from an async handler. */
const handler =
  <T>(body: (job: JobContext<T>) => void): JobHandler<T> =>
  (job) =>
    new Promise<void>((resolve) => resolve(body(job)));

interface Harness {
  url: string;
  sql: pg.Pool;
  memory: MemoryTransport;
  open(overrides?: Partial<QueueSettings>): Promise<SyncQueue>;
  jobs(queue: string): Promise<{ id: string; state: string; retry_count: number; singleton_key: string | null; output: unknown }[]>;
  close(): Promise<void>;
}

const FAST_RETRY: RetrySettings = { limit: 3, delaySeconds: 1, delayMaxSeconds: 1 };

async function harness(name: string, queues: QueueName[] = ['orders']): Promise<Harness> {
  const url = await testDatabase(name);
  const sql = new pg.Pool({ connectionString: url, max: 2 });
  // pool.end() resolves before its clients' sockets have closed; if the throwaway server stops in
  // that gap, the late "terminating connection" error must not become an uncaught exception.
  sql.on('error', () => undefined);
  const memory = new MemoryTransport();
  const opened: SyncQueue[] = [];
  return {
    url,
    sql,
    memory,
    async open(overrides = {}) {
      const queue = createQueue({
        connectionString: url,
        schema: SCHEMA,
        logger: createLogger({ transports: [memory], level: 'debug' }),
        retry: FAST_RETRY,
        queues,
        pollingIntervalSeconds: 0.5,
        poolSize: 3,
        ...overrides,
      });
      opened.push(queue);
      await queue.start();
      return queue;
    },
    async jobs(queue) {
      const { rows } = await sql.query(
        `SELECT id, state, retry_count, singleton_key, output FROM ${SCHEMA}.job WHERE name = $1 ORDER BY created_on, id`,
        [queue],
      );
      return rows;
    },
    async close() {
      await Promise.all(opened.map((q) => q.stop({ timeoutMs: 1000 }).catch(() => undefined)));
      await sql.end();
    },
  };
}

describe('queue (pg-boss 12.38 on a real PostgreSQL)', function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(async () => h?.close());

  it('creates every flow queue with a dead-letter queue, and several processes can start at once', async () => {
    h = await harness('queue_start', [...QUEUE_NAMES]);
    await Promise.all([h.open(), h.open(), h.open()]);
    const { rows } = await h.sql.query(
      `SELECT name, policy, dead_letter FROM ${SCHEMA}.queue WHERE name NOT LIKE '\\_\\_pgboss%' ORDER BY name`,
    );
    const byName = new Map(rows.map((r) => [r.name, r]));
    assert.equal(rows.length, QUEUE_NAMES.length * 2);
    assert.equal(byName.get('orders')?.policy, 'key_strict_fifo');
    assert.equal(byName.get('orders')?.dead_letter, 'orders.dlq');
    assert.equal(byName.get('orders.pull')?.policy, 'singleton');
    assert.equal(byName.get('inventory.dlq')?.policy, 'standard');
    const again = await h.open();
    assert.deepEqual(
      (await again.queueStats()).map((s) => s.queue),
      [...QUEUE_NAMES],
    );
  });

  it('applies changed retry settings to existing queues on the next start', async () => {
    h = await harness('queue_restart_settings');
    await (await h.open({ retry: { limit: 3, delaySeconds: 1, delayMaxSeconds: 60 } })).stop();
    await h.open({ retry: { limit: 7, delaySeconds: 2, delayMaxSeconds: 120 } });
    const { rows } = await h.sql.query(`SELECT retry_limit, retry_delay, retry_delay_max FROM ${SCHEMA}.queue WHERE name = 'orders'`);
    assert.deepEqual(rows, [{ retry_limit: 7, retry_delay: 2, retry_delay_max: 120 }]);
  });

  it('stores one UTC cron schedule per scheduled queue, keyed for the singleton policy', async () => {
    h = await harness('queue_schedule', ['orders.pull']);
    const q = await h.open();
    await q.schedule('orders.pull', '*/5 * * * *', { overlapMinutes: 10 });
    await q.schedule('orders.pull', '*/10 * * * *', { overlapMinutes: 10 });
    const { rows } = await h.sql.query(`SELECT name, cron, timezone, options->>'singletonKey' AS key FROM ${SCHEMA}.schedule`);
    assert.deepEqual(rows, [{ name: 'orders.pull', cron: '*/10 * * * *', timezone: 'UTC', key: 'schedule:orders.pull' }]);
  });

  it('refuses to start when a queue exists with another policy, naming both', async () => {
    h = await harness('queue_policy_clash');
    const boss = new PgBoss({ connectionString: h.url, schema: SCHEMA, max: 1 });
    boss.on('error', () => undefined);
    await boss.start();
    await boss.createQueue('orders', { policy: 'standard' });
    await boss.stop();
    await assert.rejects(h.open(), {
      name: 'ConfigurationError',
      message: 'queue: orders exists with policy standard, expected key_strict_fifo; a policy cannot be changed in place',
    });
  });

  it('refuses to send or work before start', async () => {
    h = await harness('queue_not_started');
    const q = createQueue({
      connectionString: h.url,
      schema: SCHEMA,
      logger: createLogger({ transports: [h.memory] }),
      retry: FAST_RETRY,
      queues: ['orders'],
    });
    await assert.rejects(q.send('orders', {}, { key: order(90) }), /queue: call start\(\) first/);
    await assert.rejects(
      q.work('orders', () => Promise.resolve()),
      /queue: call start\(\) first/,
    );
  });

  it('retries a retryable error with exponential backoff capped at retryDelayMax, then succeeds', async () => {
    h = await harness('queue_backoff');
    const q = await h.open({ retry: { limit: 3, delaySeconds: 1, delayMaxSeconds: 2 } });
    const attempts: number[] = [];
    const threwAt: number[] = [];
    await q.work<{ n: number }>(
      'orders',
      handler((job) => {
        attempts.push(job.attempt);
        if (job.attempt < 3) {
          threwAt.push(Date.now());
          throw new RetryableError('Odoo answered 503');
        }
      }),
    );
    const { id } = await q.send('orders', { n: 1 }, { key: order(1) });
    // pg-boss settles a failed attempt a moment after the handler throws and sets start_after to
    // settle time + backoff. The settle time lies between the throw and the moment the job is seen
    // waiting for its retry, so the backoff lies in [start_after - seen, start_after - threw].
    const backoff: Array<{ min: number; max: number }> = [];
    for (const retry of [1, 2]) {
      let seen: { startAfter: number; seenAt: number } | undefined;
      await waitFor(`retry ${retry} scheduled`, async () => {
        const { rows } = await h.sql.query(`SELECT state, retry_count, start_after FROM ${SCHEMA}.job WHERE id = $1`, [id]);
        // retry_count counts attempts that were retried; pg-boss raises it when it fetches the retry.
        if (rows[0]?.state === 'retry' && rows[0].retry_count === retry - 1)
          seen = { startAfter: rows[0].start_after.getTime(), seenAt: Date.now() };
        return seen !== undefined;
      });
      backoff.push({ min: seen!.startAfter - seen!.seenAt, max: seen!.startAfter - threwAt[retry - 1]! });
    }
    await waitFor('completion', async () => (await h.jobs('orders'))[0]?.state === 'completed');
    assert.deepEqual(attempts, [1, 2, 3]);
    // First retry: retryDelay * (1 + random) = 1–2 s. Second: 2–4 s uncapped, capped to exactly 2 s.
    // 5 ms of slack for timestamps rounded to the millisecond.
    const [first, second] = backoff as [{ min: number; max: number }, { min: number; max: number }];
    assert.ok(first.max >= 995 && first.min <= 2005, `first backoff within [${first.min}, ${first.max}] ms`);
    assert.ok(second.max >= 1995 && second.min <= 2005, `second backoff within [${second.min}, ${second.max}] ms`);
    const [job] = await h.jobs('orders');
    assert.equal(job?.id, id);
    assert.equal(job?.retry_count, 2);
  });

  it('dead-letters a job with its last reason when the retry limit is exhausted', async () => {
    h = await harness('queue_exhausted');
    const q = await h.open({ retry: { limit: 1, delaySeconds: 1, delayMaxSeconds: 1 } });
    let attempts = 0;
    await q.work(
      'orders',
      handler((job) => {
        attempts += 1;
        throw new RetryableError(`Odoo answered 503 (attempt ${job.attempt})`);
      }),
    );
    const key = order(2);
    const { id } = await q.send('orders', { note: 'x' }, { key, correlationId: 'wh-42' });
    await waitFor('dead letter', async () => (await q.listDeadLetters('orders')).length === 1);
    const [letter] = await q.listDeadLetters('orders');
    assert.equal(attempts, 2);
    assert.equal(letter?.sourceJobId, id);
    assert.equal(letter?.key, key);
    assert.equal(letter?.kind, 'retryable');
    assert.equal(letter?.reason, 'RetryableError: Odoo answered 503 (attempt 2)');
    assert.equal(letter?.attempts, 2);
    assert.equal(letter?.correlationId, 'wh-42');
    assert.deepEqual(letter?.data, { note: 'x' });
    assert.equal((await h.jobs('orders'))[0]?.state, 'failed');
  });

  it('sends a permanent error straight to the dead-letter queue on the first attempt, with no retry', async () => {
    h = await harness('queue_permanent');
    const q = await h.open({ retry: { limit: 5, delaySeconds: 1, delayMaxSeconds: 1 } });
    let attempts = 0;
    await q.work(
      'orders',
      handler(() => {
        attempts += 1;
        throw new PermanentError('Shopify userErrors: Quantity must be positive', {
          details: { userErrors: [{ field: ['quantity'], message: 'Quantity must be positive' }] },
        });
      }),
    );
    await q.send('orders', {}, { key: order(3) });
    await waitFor('dead letter', async () => (await q.listDeadLetters('orders')).length === 1);
    assert.equal(attempts, 1);
    // Terminal at once: `failed` with retry_count 0 is never fetched again, though 5 retries remained.
    const [job] = await h.jobs('orders');
    assert.equal(job?.state, 'failed');
    assert.equal(job?.retry_count, 0);
    const [letter] = await q.listDeadLetters('orders');
    assert.equal(letter?.kind, 'permanent');
    assert.equal(letter?.attempts, 1);
    assert.equal(letter?.reason, 'PermanentError: Shopify userErrors: Quantity must be positive');
    const inspected = await q.inspectDeadLetter('orders', letter.id);
    assert.equal(inspected?.sourceState, 'failed');
    assert.deepEqual((inspected?.output as { details: unknown }).details, {
      userErrors: [{ field: ['quantity'], message: 'Quantity must be positive' }],
    });
  });

  it('dead-letters a configuration error without retrying and reports it loudly', async () => {
    h = await harness('queue_configuration');
    const reported: string[] = [];
    const q = await h.open({ onConfigurationError: ({ reason }) => reported.push(reason) });
    await q.work(
      'orders',
      handler(() => {
        throw new ConfigurationError('Odoo rejected the API key (AccessDenied)');
      }),
    );
    await q.send('orders', {}, { key: order(4) });
    await waitFor('dead letter', async () => (await q.listDeadLetters('orders')).length === 1);
    assert.deepEqual(reported, ['ConfigurationError: Odoo rejected the API key (AccessDenied)']);
    assert.ok(h.memory.lines.some((l) => l.level === 'error' && String(l.message).startsWith('CONFIGURATION ERROR')));
    assert.equal((await q.listDeadLetters('orders'))[0]?.kind, 'configuration');
  });

  it('logs one line per attempt with flow, key, attempt, outcome, duration and the correlation id', async () => {
    h = await harness('queue_logging');
    const q = await h.open();
    const contexts: LogContext[] = [];
    await q.work(
      'orders',
      handler((job) => {
        contexts.push(currentLogContext()); // what the flow's own log lines (Odoo, Shopify calls) carry
        if (job.attempt === 1) throw new RetryableError('socket hang up');
      }),
    );
    const key = order(5);
    await q.send('orders', {}, { key, correlationId: 'wh-abc' });
    await waitFor('two attempts logged', () => h.memory.lines.filter((l) => l.message === 'sync attempt').length === 2);
    const [first, second] = h.memory.lines.filter((l) => l.message === 'sync attempt');
    assert.equal(first?.correlationId, 'wh-abc');
    assert.equal(first?.flow, 'orders');
    assert.equal(first?.key, key);
    assert.equal(first?.attempt, 1);
    assert.equal(first?.outcome, 'retry');
    assert.equal(first?.error, 'RetryableError: socket hang up');
    assert.equal(typeof first?.durationMs, 'number');
    assert.equal(second?.outcome, 'completed');
    assert.equal(second?.attempt, 2);
    assert.equal(second?.jobId, first?.jobId);
    assert.deepEqual(contexts[0], { correlationId: 'wh-abc', flow: 'orders', jobId: first?.jobId });
  });

  it('runs the jobs of one key strictly in order, one at a time, while other keys proceed', async () => {
    h = await harness('queue_fifo');
    const q = await h.open({ batchSize: 10 });
    const ran: Record<string, number[]> = {};
    const active = new Set<string>();
    let overlap = false;
    await q.work<{ seq: number }>('orders', async (job) => {
      if (active.has(job.key!)) overlap = true;
      active.add(job.key!);
      await sleep(Math.floor(Math.random() * 15));
      (ran[job.key!] ??= []).push(job.data.seq);
      active.delete(job.key!);
    });
    const keysUsed = [order(10), order(11), order(12)];
    for (let seq = 0; seq < 6; seq++) {
      for (const key of keysUsed) await q.send('orders', { seq }, { key });
    }
    await waitFor('18 jobs', () => Object.values(ran).flat().length === 18);
    for (const key of keysUsed) assert.deepEqual(ran[key], [0, 1, 2, 3, 4, 5], key);
    assert.equal(overlap, false);
  });

  it('lets a failing key block only itself and reports it in blockedKeys', async () => {
    h = await harness('queue_blocked');
    const q = await h.open();
    const [stuck, fine, later] = [order(20), order(21), order(22)];
    const ran: string[] = [];
    await q.work<{ seq: number }>(
      'orders',
      handler((job) => {
        if (job.key === stuck && job.data.seq === 0) throw new PermanentError('Odoo ValidationError: no tax mapping');
        ran.push(`${job.key === stuck ? 'stuck' : job.key === fine ? 'fine' : 'later'}#${job.data.seq}`);
      }),
    );
    for (let seq = 0; seq < 3; seq++) {
      await q.send('orders', { seq }, { key: stuck });
      await q.send('orders', { seq }, { key: fine });
    }
    await waitFor('the healthy key and the dead letter', async () => ran.length === 3 && (await q.listDeadLetters('orders')).length === 1);
    // Jobs are fetched oldest first: once a job sent after the stuck key's successors has run, a
    // fetch that would have handed them out has happened, so their absence is not a matter of time.
    const { id } = await q.send('orders', { seq: 0 }, { key: later });
    await waitFor('the later job', async () => (await h.jobs('orders')).find((j) => j.id === id)?.state === 'completed');
    assert.deepEqual(ran, ['fine#0', 'fine#1', 'fine#2', 'later#0']);
    assert.deepEqual(await q.blockedKeys('orders'), [stuck]);
  });

  it('retrying a dead letter re-runs the failed job first, then its key’s successors, and unblocks the key', async () => {
    h = await harness('queue_dlq_retry');
    const q = await h.open();
    const key = order(30);
    let broken = true;
    const ran: number[] = [];
    await q.work<{ seq: number }>(
      'orders',
      handler((job) => {
        if (broken && job.data.seq === 0) throw new PermanentError('Odoo UserError: product archived');
        ran.push(job.data.seq);
      }),
    );
    for (let seq = 0; seq < 3; seq++) await q.send('orders', { seq }, { key });
    await waitFor('dead letter', async () => (await q.listDeadLetters('orders')).length === 1);
    assert.deepEqual(await q.blockedKeys('orders'), [key]);
    broken = false; // the operator fixed the product in Odoo
    const [letter] = await q.listDeadLetters('orders');
    assert.equal(await q.retryDeadLetter('orders', letter!.id), 'retried');
    await waitFor('all three', () => ran.length === 3);
    assert.deepEqual(ran, [0, 1, 2]);
    assert.deepEqual(await q.blockedKeys('orders'), []);
    assert.deepEqual(await q.listDeadLetters('orders'), []);
  });

  it('retrying a dead letter whose source job was already deleted sends its payload again under the same key', async () => {
    h = await harness('queue_dlq_resend');
    const q = await h.open();
    const key = order(32);
    let broken = true;
    const ran: unknown[] = [];
    await q.work<{ v: number }>(
      'orders',
      handler((job) => {
        if (broken) throw new PermanentError('invalid');
        ran.push({ data: job.data, key: job.key, correlationId: job.correlationId });
      }),
    );
    const { id } = await q.send('orders', { v: 7 }, { key, correlationId: 'wh-7' });
    await waitFor('dead letter', async () => (await q.listDeadLetters('orders')).length === 1);
    await h.sql.query(`DELETE FROM ${SCHEMA}.job WHERE id = $1`, [id]); // as deleteAfterSeconds would
    broken = false;
    const [letter] = await q.listDeadLetters('orders');
    assert.equal(await q.retryDeadLetter('orders', letter!.id), 'resent');
    await waitFor('the resent job', () => ran.length === 1);
    assert.deepEqual(ran, [{ data: { v: 7 }, key, correlationId: 'wh-7' }]);
    assert.deepEqual(await q.listDeadLetters('orders'), []);
  });

  it('discarding a dead letter deletes the failed job, so its key moves on', async () => {
    h = await harness('queue_dlq_discard');
    const q = await h.open();
    const key = order(31);
    const ran: number[] = [];
    await q.work<{ seq: number }>(
      'orders',
      handler((job) => {
        if (job.data.seq === 0) throw new PermanentError('invalid');
        ran.push(job.data.seq);
      }),
    );
    for (let seq = 0; seq < 2; seq++) await q.send('orders', { seq }, { key });
    await waitFor('dead letter', async () => (await q.listDeadLetters('orders')).length === 1);
    const [letter] = await q.listDeadLetters('orders');
    await q.discardDeadLetter('orders', letter!.id);
    await waitFor('the successor', () => ran.length === 1);
    assert.deepEqual(ran, [1]);
    assert.deepEqual(await q.blockedKeys('orders'), []);
    assert.equal(await q.inspectDeadLetter('orders', letter!.id), null);
  });

  it('collapses a job sent twice with the same id into one job that runs once', async () => {
    h = await harness('queue_dedupe');
    const q = await h.open();
    const key = order(40);
    const webhookId = 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043-not-a-uuid';
    const first = await q.send('orders', { v: 1 }, { key, id: webhookId });
    const second = await q.send('orders', { v: 2 }, { key, id: webhookId });
    assert.deepEqual(first, { id: deterministicJobId(webhookId), created: true });
    assert.deepEqual(second, { id: first.id, created: false });
    const runs: unknown[] = [];
    await q.work(
      'orders',
      handler((job) => {
        runs.push(job.data);
      }),
    );
    await waitFor('the job', async () => (await h.jobs('orders'))[0]?.state === 'completed');
    assert.deepEqual(runs, [{ v: 1 }]);
    assert.equal((await h.jobs('orders')).length, 1);
  });

  it('leaves no job when the sending transaction rolls back, and one job when it commits', async () => {
    h = await harness('queue_transaction');
    const q = await h.open();
    const client = await h.sql.connect();
    try {
      await client.query('BEGIN');
      await q.sendInTransaction(client, 'orders', { v: 'rolled back' }, { key: order(50), id: 'outbox:1' });
      await client.query('ROLLBACK');
      assert.equal((await h.jobs('orders')).length, 0);
      await client.query('BEGIN');
      const sent = await q.sendInTransaction(client, 'orders', { v: 'committed' }, { key: order(50), id: 'outbox:1' });
      assert.equal((await h.jobs('orders')).length, 0, 'not visible before commit');
      await client.query('COMMIT');
      const jobs = await h.jobs('orders');
      assert.deepEqual(
        jobs.map((j) => j.id),
        [sent.id],
      );
    } finally {
      client.release();
    }
  });

  it("queues many jobs in the caller's transaction as send does: its ids, keys and envelope, none after a rollback", async () => {
    h = await harness('queue_send_many', ['orders', 'refunds']);
    const q = await h.open();
    const jobs = [
      { queue: 'orders' as const, data: { v: 1 }, options: { key: order(60), id: 'webhook:a', correlationId: 'a' } },
      { queue: 'refunds' as const, data: { v: 2 }, options: { key: keys.refund(SHOP, 'gid://shopify/Order/61'), id: 'webhook:b' } },
      { queue: 'orders' as const, data: { v: 3 }, options: { key: order(62), id: 'webhook:c' } },
    ];
    const client = await h.sql.connect();
    try {
      await client.query('BEGIN');
      await q.sendManyInTransaction(client, jobs);
      await client.query('ROLLBACK');
      assert.equal((await h.jobs('orders')).length, 0);
      await client.query('BEGIN');
      await q.sendManyInTransaction(client, jobs);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    // The same rows send() writes for these options.
    await q.send('orders', { v: 4 }, { key: order(63), id: 'webhook:d', correlationId: 'd' });
    type Row = { name: string; id: string; key: string; data: { payload: unknown; correlationId: string }; retry_limit: number };
    const { rows } = await h.sql.query<Row>(
      `SELECT name, id, singleton_key AS key, data, retry_limit FROM ${SCHEMA}.job WHERE name IN ('orders', 'refunds') ORDER BY singleton_key`,
    );
    const expected: [string, string, { v: number }][] = [
      ['orders', order(60), { v: 1 }],
      ['orders', order(62), { v: 3 }],
      ['orders', order(63), { v: 4 }],
      ['refunds', keys.refund(SHOP, 'gid://shopify/Order/61'), { v: 2 }],
    ];
    expected.sort((a, b) => a[1].localeCompare(b[1], 'en'));
    assert.deepEqual(
      rows.map((r) => [r.name, r.key, r.data.payload]),
      expected,
    );
    const viaSend = rows.find((r) => r.key === order(63))!;
    for (const row of rows) assert.equal(row.retry_limit, viaSend.retry_limit, row.key);
    const first = rows.find((r) => r.key === order(60))!;
    assert.deepEqual([first.id, first.data.correlationId], [deterministicJobId('webhook:a'), 'a']);
  });

  it('keeps send order for one key when several jobs are sent in one transaction', async () => {
    h = await harness('queue_transaction_order');
    const q = await h.open({ batchSize: 10 });
    const key = order(51);
    const client = await h.sql.connect();
    try {
      await client.query('BEGIN');
      for (let seq = 0; seq < 12; seq++) {
        await q.sendInTransaction(client, 'orders', { seq }, { key, id: `outbox:${1000 + seq}`, sequence: 1000 + seq });
      }
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const ran: number[] = [];
    await q.work<{ seq: number }>(
      'orders',
      handler((job) => {
        ran.push(job.data.seq);
      }),
    );
    await waitFor('12 jobs', () => ran.length === 12);
    assert.deepEqual(ran, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('finishes an in-flight job during a graceful stop when it ends within the timeout', async () => {
    h = await harness('queue_stop_finish');
    const q = await h.open();
    let started = false;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await q.work('orders', async () => {
      started = true;
      await held;
    });
    await q.send('orders', {}, { key: order(60) });
    await waitFor('the handler', () => started);
    // SIGTERM twice: both wait for the one shutdown, which is under way before the job ends.
    const stopping = Promise.all([q.stop({ timeoutMs: 5000 }), q.stop({ timeoutMs: 5000 })]);
    release();
    const [result, again] = await stopping;
    assert.deepEqual(result, { finished: 1, returned: 0 });
    assert.deepEqual(again, result);
    assert.equal((await h.jobs('orders'))[0]?.state, 'completed');
  });

  it('returns a job still running at the stop timeout, without spending an attempt, and another instance completes it', async () => {
    h = await harness('queue_stop_return');
    // retryLimit 0: had the shutdown spent an attempt, the job would now be dead-lettered.
    const retry = { limit: 0, delaySeconds: 1, delayMaxSeconds: 1 };
    const first = await h.open({ retry });
    let aborted = false;
    let started = false;
    await first.work('orders', async (job) => {
      started = true;
      await new Promise<void>((resolve) => job.signal.addEventListener('abort', () => resolve(), { once: true }));
      aborted = true;
    });
    const { id } = await first.send('orders', { v: 1 }, { key: order(61) });
    await waitFor('the handler', () => started);
    const result = await first.stop({ timeoutMs: 300 });
    assert.deepEqual(result, { finished: 0, returned: 1 });
    assert.equal(aborted, true, 'the handler was told to stop');
    const [returned] = await h.jobs('orders');
    assert.equal(returned?.state, 'created');
    assert.equal(returned?.retry_count, 0);

    const second = await h.open({ retry });
    const attempts: JobContext<unknown>[] = [];
    await second.work(
      'orders',
      handler((job) => {
        attempts.push(job);
      }),
    );
    await waitFor('the second instance', async () => (await h.jobs('orders'))[0]?.state === 'completed');
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0]?.jobId, id);
    assert.equal(attempts[0]?.attempt, 1);
    assert.deepEqual(await second.listDeadLetters('orders'), []);
  });

  it('never runs a job twice when two instances work one database (200 jobs)', async () => {
    h = await harness('queue_two_instances');
    const [a, b] = await Promise.all([h.open({ batchSize: 10 }), h.open({ batchSize: 10 })]);
    const runs = new Map<string, string[]>();
    const record = (who: string) => async (job: JobContext<unknown>) => {
      runs.set(job.jobId, [...(runs.get(job.jobId) ?? []), who]);
      await sleep(2);
    };
    await a.work('orders', record('a'));
    await b.work('orders', record('b'));
    for (let i = 0; i < 200; i++) await (i % 2 ? a : b).send('orders', { i }, { key: order(1000 + (i % 40)) });
    await waitFor('200 jobs', async () => (await h.jobs('orders')).every((j) => j.state === 'completed'), 25_000);
    assert.equal(runs.size, 200);
    const twice = [...runs.values()].filter((who) => who.length !== 1);
    assert.deepEqual(twice, []);
    const byA = [...runs.values()].filter((who) => who[0] === 'a').length;
    assert.ok(byA > 0 && byA < 200, `instance a ran ${byA} of 200`);
  });

  it('reports depth, deferred, active, failed, blocked keys and DLQ depth per queue', async () => {
    h = await harness('queue_stats', ['orders', 'customers']);
    // Fetches of one, so x1's dead letter is not held until y1's batch ends (pg-boss settles a
    // perJobResults batch when its last handler returns).
    const q = await h.open({ batchSize: 1, localConcurrency: 2, fetchSize: 1 });
    const [x, y, z] = [order(70), order(71), order(72)];
    await q.send('orders', { n: 'x1' }, { key: x });
    await q.send('orders', { n: 'x2' }, { key: x });
    await q.send('orders', { n: 'y1' }, { key: y });
    await q.send('orders', { n: 'z1' }, { key: z, startAfterSeconds: 600 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    await q.work<{ n: string }>('orders', async (job) => {
      if (job.data.n === 'x1') throw new PermanentError('invalid');
      holding = true;
      await held;
    });
    await waitFor('x1 dead-lettered and y1 active', async () => holding && (await q.listDeadLetters('orders')).length === 1);
    const stats = await q.queueStats();
    assert.deepEqual(stats, [
      { queue: 'orders', queued: 2, ready: 1, deferred: 1, active: 1, failed: 1, blockedKeys: 1, dlq: 1 },
      { queue: 'customers', queued: 0, ready: 0, deferred: 0, active: 0, failed: 0, blockedKeys: 0, dlq: 0 },
    ]);
    release();
  });

  it('goes on fetching while one batch waits for a slow job (two fetch loops per queue by default)', async () => {
    h = await harness('queue_two_loops', ['orders']);
    const q = await h.open();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let slowRunning = false;
    const done: string[] = [];
    await q.work<{ n: string }>('orders', async (job) => {
      if (job.data.n === 'slow') {
        slowRunning = true;
        await held;
      }
      done.push(job.data.n);
    });
    await q.send('orders', { n: 'slow' }, { key: order(60) });
    await waitFor('the slow job running', () => slowRunning);
    // Sent after the slow job's batch was fetched: one loop would not fetch it before that batch
    // settles (as jobs put back from a dead replica were not, in the chaos run).
    await q.send('orders', { n: 'next' }, { key: order(61) });
    await waitFor('the next job done while the slow one still runs', () => done.includes('next'));
    assert.deepEqual(done, ['next']);
    release();
    await waitFor('the slow job done', () => done.includes('slow'));
  });

  it('writes each job’s completion when it ends, so its key’s next job runs while a batch mate is still running', async () => {
    h = await harness('queue_complete_each', ['orders']);
    const sender = await h.open();
    const first = await sender.send('orders', { n: 'a1' }, { key: order(70) });
    await sender.send('orders', { n: 'a2' }, { key: order(70) });
    await sender.send('orders', { n: 'slow' }, { key: order(71) });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let slowRunning = false;
    const done: string[] = [];
    const body: JobHandler<{ n: string }> = async (job) => {
      if (job.data.n === 'slow') {
        slowRunning = true;
        await held;
      }
      done.push(job.data.n);
    };
    // One loop: its first fetch takes a1 and slow together (one job per key), a2 waits behind a1.
    const replica = await h.open();
    await replica.work('orders', body, { localConcurrency: 1 });
    await waitFor('a1 done while the slow job runs', () => slowRunning && done.includes('a1'));
    const state = async (id: string) => (await h.jobs('orders')).find((j) => j.id === id)?.state;
    // Before, the whole batch settled when slow ended: a1 stayed active (a kill now would run it
    // again) and a2 could not be fetched by anyone.
    await waitFor('a1 written completed', async () => (await state(first.id)) === 'completed');
    const other = await h.open();
    await other.work('orders', body);
    await waitFor('a2 done by another replica while slow still runs', () => done.includes('a2'));
    assert.deepEqual(done, ['a1', 'a2']);
    release();
    await waitFor('the slow job done', () => done.includes('slow'));
  });

  it('summarises completed, retried and dead jobs with their latency since a point in time', async () => {
    h = await harness('queue_summary', ['orders', 'customers']);
    const since = new Date(Date.now() - 1000);
    const q = await h.open({ batchSize: 5 });
    let firstTry = true;
    await q.work<{ n: number }>(
      'orders',
      handler((job) => {
        if (job.data.n === 3) throw new PermanentError('invalid order');
        if (job.data.n === 2 && firstTry) {
          firstTry = false;
          throw new RetryableError('connection reset');
        }
      }),
    );
    for (const n of [1, 2, 3]) await q.send('orders', { n }, { key: order(90 + n) });
    await waitFor(
      'two completed, one dead',
      async () => {
        const [orders] = await q.jobSummary(since);
        return orders!.completed === 2 && orders!.failed === 1;
      },
      20_000,
    );
    const [orders, customers] = await q.jobSummary(since);
    assert.equal(orders!.retried, 1);
    assert.ok(orders!.p50Ms !== null && orders!.p50Ms >= 0 && orders!.p95Ms! >= orders!.p50Ms);
    assert.deepEqual(customers, { queue: 'customers', completed: 0, retried: 0, failed: 0, p50Ms: null, p95Ms: null });
  });

  it('tells a handler whether a later job for its key is waiting, so bursts collapse', async () => {
    h = await harness('queue_later_job', ['orders']);
    const q = await h.open({ batchSize: 1 });
    const seen: Array<{ n: number; later: boolean }> = [];
    const key = order(80);
    for (const n of [1, 2, 3]) await q.send('orders', { n }, { key });
    await q.send('orders', { n: 9 }, { key: order(81) });
    await q.work<{ n: number }>('orders', async (job) => {
      seen.push({ n: job.data.n, later: await q.hasLaterJob('orders', job.key!, job.jobId) });
    });
    await waitFor('four jobs', () => seen.length === 4);
    assert.deepEqual(
      seen.filter((s) => s.n !== 9),
      [
        { n: 1, later: true },
        { n: 2, later: true },
        { n: 3, later: false },
      ],
    );
    assert.deepEqual(
      seen.find((s) => s.n === 9),
      { n: 9, later: false },
    );
  });

  it('refuses an entity job without a key, or with a key of another kind', async () => {
    h = await harness('queue_keys');
    const q = await h.open();
    await assert.rejects(q.send('orders', {}), /orders jobs need an entity key/);
    await assert.rejects(q.send('orders', {}, { key: keys.customer(SHOP, 'gid://shopify/Customer/1') }), /orders takes order:… keys/);
  });

  it('claims fetchSize jobs per fetch but runs at most batchSize × localConcurrency of them at once', async () => {
    h = await harness('queue_fetch_size');
    const q = await h.open({ batchSize: 2, localConcurrency: 1, fetchSize: 10 });
    for (let i = 0; i < 20; i++) await q.send('orders', { i }, { key: order(300 + i) });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let running = 0;
    let most = 0;
    await q.work('orders', async () => {
      running += 1;
      most = Math.max(most, running);
      await held;
      running -= 1;
    });
    await waitFor('two handlers running', () => running === 2);
    // One fetch claimed ten jobs (active in pg-boss), of which two run and eight wait for a slot.
    const active = (await h.jobs('orders')).filter((j) => j.state === 'active').length;
    assert.equal(active, 10);
    release();
    await waitFor('20 jobs', async () => (await h.jobs('orders')).every((j) => j.state === 'completed'));
    assert.equal(most, 2);
  });

  it('keeps each key in order when one fetch claims more jobs than it runs at once', async () => {
    h = await harness('queue_fetch_size_fifo');
    const q = await h.open({ batchSize: 2, localConcurrency: 2, fetchSize: 10 });
    const ran: Record<string, number[]> = {};
    const active = new Set<string>();
    let overlap = false;
    await q.work<{ seq: number }>('orders', async (job) => {
      if (active.has(job.key!)) overlap = true;
      active.add(job.key!);
      await sleep(Math.floor(Math.random() * 5));
      (ran[job.key!] ??= []).push(job.data.seq);
      active.delete(job.key!);
    });
    const keysUsed = Array.from({ length: 12 }, (_, k) => order(400 + k));
    for (let seq = 0; seq < 4; seq++) {
      for (const key of keysUsed) await q.send('orders', { seq }, { key });
    }
    await waitFor('48 jobs', () => Object.values(ran).flat().length === 48, 20_000);
    for (const key of keysUsed) assert.deepEqual(ran[key], [0, 1, 2, 3], key);
    assert.equal(overlap, false);
  });

  it('puts a claimed job back unrun, without spending an attempt, when it waited for a slot past a quarter of its expiry', async () => {
    h = await harness('queue_fetch_size_late');
    // orders expire after 2 s here: a job that waited over 0.5 s for the one slot goes back. Run
    // one after the other in one fetch, the three 1.2 s jobs would outlast pg-boss's 2 s limit for
    // the batch, which fails it and spends an attempt of each.
    const q = await h.open({ batchSize: 1, localConcurrency: 1, fetchSize: 5, expireInSeconds: { orders: 2 } });
    for (let i = 0; i < 3; i++) await q.send('orders', { i }, { key: order(500 + i) });
    const attempts: number[] = [];
    await q.work('orders', async (job) => {
      attempts.push(job.attempt);
      await sleep(1200);
    });
    await waitFor('3 jobs', async () => (await h.jobs('orders')).every((j) => j.state === 'completed'), 20_000);
    const jobs = await h.jobs('orders');
    assert.deepEqual(
      jobs.map((j) => j.retry_count),
      [0, 0, 0],
    );
    assert.deepEqual(attempts, [1, 1, 1]);
    assert.ok(
      h.memory.lines.some(
        (l) => l.message === 'queue: a claimed job waited too long for a slot and goes back unrun' && l.queue === 'orders',
      ),
    );
  });
});

describe('deterministicJobId', () => {
  it('maps one webhook or outbox id to one uuid, and keeps a uuid as it is', () => {
    assert.equal(deterministicJobId('webhook:abc'), deterministicJobId('webhook:abc'));
    assert.notEqual(deterministicJobId('webhook:abc'), deterministicJobId('webhook:abd'));
    assert.match(deterministicJobId('webhook:abc'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(deterministicJobId('B54557E4-BDD9-4B37-8A5F-BF7D70BCD043'), 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043');
  });

  it('sorts sequenced ids in sequence order', () => {
    const ids = [9, 10, 255, 256, 70_000, 2 ** 40].map((n) => deterministicJobId(`outbox:${n}`, n));
    assert.deepEqual([...ids].sort(), ids);
    assert.match(ids[0]!, /^00000000-0009-8[0-9a-f]{3}-[89ab]/);
    assert.throws(() => deterministicJobId('x', 2n ** 48n), RangeError);
  });
});

describe('pg-boss 12.38 behaviour this module relies on', function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(async () => h?.close());

  it('pg-boss’s own stop timeout fails a running job, which on its last attempt dead-letters it', async () => {
    // Why SyncQueue.stop returns unfinished jobs itself instead of leaving them to pg-boss.
    h = await harness('pgboss_native_stop');
    await (await h.open({ retry: { limit: 0, delaySeconds: 1, delayMaxSeconds: 1 } })).stop();
    const boss = new PgBoss({ connectionString: h.url, schema: SCHEMA, max: 2 });
    boss.on('error', () => undefined);
    await boss.start();
    let started = false;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The handler runs until the test releases it, so it is still running when the stop times out.
    await boss.work('orders', { pollingIntervalSeconds: 0.5 }, async () => {
      started = true;
      await held;
    });
    await boss.send('orders', {}, { singletonKey: order(80) });
    await waitFor('the handler', () => started);
    await boss.stop({ timeout: 1000 });
    release();
    const [job] = await h.jobs('orders');
    assert.equal(job?.state, 'failed');
    assert.match(JSON.stringify(job?.output), /pg-boss shut down while active/);
    assert.equal((await h.jobs('orders.dlq')).length, 1);
  });

  it('a job whose process died is retried by another instance once it expires', async () => {
    h = await harness('pgboss_expiry');
    const settings = { expireInSeconds: { orders: 1 }, superviseIntervalSeconds: 1 } as const;
    const q = await h.open(settings);
    const { id } = await q.send('orders', {}, { key: order(81) });
    // A process that claimed the job and died: a bare fetch that is never completed.
    const crashed = new PgBoss({ connectionString: h.url, schema: SCHEMA, max: 1 });
    crashed.on('error', () => undefined);
    await crashed.start();
    assert.equal((await crashed.fetch('orders')).length, 1);
    await crashed.stop({ graceful: false });
    const attempts: number[] = [];
    await q.work(
      'orders',
      handler((job) => {
        attempts.push(job.attempt);
      }),
    );
    await waitFor('the retry', async () => (await h.jobs('orders'))[0]?.state === 'completed', 15_000);
    assert.deepEqual(attempts, [2]);
    assert.equal((await h.jobs('orders'))[0]?.id, id);
  });
});
