/**
 * defineFlow on a real queue (pg-boss on a throwaway PostgreSQL) and a real inbox table: the rows
 * it ends, the one outcome line per job, retry versus last attempt, and the schedules it registers.
 */
import assert from 'node:assert/strict';
import type pg from 'pg';
import { loadConfig } from '../config/index.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import type { QueueJobs, WebhookJob } from '../jobs.js';
import { createLogger } from '../observability/logger.js';
import { PermanentError, RetryableError, WaitingError } from '../queue/errors.js';
import { keys } from '../queue/names.js';
import { createQueue, type SyncQueue } from '../queue/queue.js';
import { testEnv } from '../../dev/testing/env.js';
import { MemoryTransport } from '../../dev/testing/memory-transport.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import type { FailureReport } from '../odoo/contract.js';
import type { RegistrationContext } from './context.js';
import { defineFlow, ignored, triggerOf } from './define-flow.js';

const SHOP = 'test-shop.myshopify.com';
const APP = 'app';

describe('defineFlow (real queue and inbox)', function () {
  this.timeout(30_000);
  let pool: pg.Pool;
  let queue: SyncQueue;
  let memory: MemoryTransport;
  let ctx: RegistrationContext;
  const attempts = new Map<string, number>();
  /** What defineFlow told Odoo (contract report_failure) of jobs that failed for good. */
  const reports: FailureReport[] = [];

  const flow = defineFlow<RegistrationContext>({
    name: 'test-customers',
    queues: {
      customers: {
        entity: (job) => (job.source === 'webhook' ? { type: 'Customer', id: job.entityGid } : { type: 'res.partner', id: job.resId }),
        handle(_ctx, job) {
          const id = job.data.source === 'webhook' ? job.data.webhookId : job.data.eventUuid;
          attempts.set(id, (attempts.get(id) ?? 0) + 1);
          if (id.startsWith('perm-')) return Promise.reject(new PermanentError('test: refused for good'));
          if (id.startsWith('down-')) return Promise.reject(new PermanentError('test: refused, odoo down'));
          if (id.startsWith('retry-')) return Promise.reject(new RetryableError('test: Odoo busy'));
          if (id.startsWith('wait-'))
            return Promise.reject(
              new WaitingError('order gid://shopify/Order/7 in Odoo', 'test: order gid://shopify/Order/7 not imported yet'),
            );
          if (id.startsWith('ignore-')) return Promise.resolve(ignored('echo', 'same content as last time', { fields: { partnerId: 7 } }));
          return Promise.resolve({ outcome: 'updated', message: 'test: customer updated', fields: { partnerId: 7 } });
        },
        // What the flow adds to a failure report beyond the job's own ids.
        failure: (_ctx, job) => Promise.resolve(job.source === 'webhook' ? { customer_name: 'Test Customer' } : undefined),
      },
      'webhooks.purge': {
        schedule: () => '17 * * * *',
        handle: (_ctx, job) =>
          (job.data as { fail?: boolean }).fail
            ? Promise.reject(new PermanentError('test: purge refused'))
            : Promise.resolve({ outcome: 'purged' }),
      },
    },
  });

  before(async () => {
    const url = await testDatabase('define_flow');
    pool = createPool(url, 4);
    await migrate(pool, APP);
    memory = new MemoryTransport();
    const logger = createLogger({ transports: [memory] });
    // Two attempts per job: the second is the last.
    queue = createQueue({
      connectionString: url,
      schema: 'q',
      logger,
      retry: { limit: 1, delaySeconds: 1, delayMaxSeconds: 1 },
      pollingIntervalSeconds: 0.5,
    });
    await queue.start();
    ctx = {
      config: loadConfig(testEnv({ DATABASE_URL: url, SHOPIFY_SHOP_DOMAIN: SHOP, APP_SCHEMA: APP })),
      logger,
      pool,
      queue,
      clock: Date.now,
    };
    // Odoo as the failure reports see it; a report for a "down-" webhook fails like an absent Odoo.
    const odoo = {
      reportFailure(doc: FailureReport) {
        if (doc.message.includes('odoo down')) return Promise.reject(new Error('connect ECONNREFUSED'));
        reports.push(doc);
        return Promise.resolve({ failure_id: reports.length, state: 'open' as const });
      },
    };
    await flow.register(Object.assign(ctx, { odoo }));
  });
  after(async () => {
    await queue?.stop({ timeoutMs: 1000 });
    await pool?.end();
  });

  async function webhook(webhookId: string): Promise<void> {
    const gid = `gid://shopify/Customer/${1000 + attempts.size + Math.floor(Math.random() * 1e6)}`;
    await pool.query(
      `INSERT INTO ${APP}.webhook_inbox (webhook_id, topic, shop_domain, status) VALUES ($1, 'customers/update', $2, 'queued')`,
      [webhookId, SHOP],
    );
    const job: WebhookJob<'customers/update'> = {
      source: 'webhook',
      topic: 'customers/update',
      webhookId,
      entityGid: gid,
      triggeredAt: null,
    };
    await queue.send<QueueJobs['customers']>('customers', job, { key: keys.customer(SHOP, gid), id: `webhook:${webhookId}` });
  }

  const row = async (webhookId: string) =>
    (
      await pool.query<{ status: string; reason: string | null }>(`SELECT status, reason FROM ${APP}.webhook_inbox WHERE webhook_id = $1`, [
        webhookId,
      ])
    ).rows[0];
  const until = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const linesOf = (entityId: string | number) => memory.lines.filter((l) => l.entityId === entityId && l.outcome !== undefined);

  it('knows the queues it works and what triggered a job', () => {
    assert.deepEqual(flow.queues, ['customers', 'webhooks.purge']);
    assert.equal(triggerOf({ source: 'webhook', topic: 'orders/paid' }), 'orders/paid');
    assert.equal(triggerOf({ source: 'outbox', type: 'customer.changed' }), 'customer.changed');
    assert.equal(triggerOf({ source: 'pull' }), 'pull');
    assert.equal(triggerOf({}), 'schedule');
  });

  it('ends a webhook row processed and logs one outcome line with the shared fields', async () => {
    await webhook('ok-1');
    const ended = await until('the row processed', async () => ((await row('ok-1'))?.status === 'processed' ? row('ok-1') : undefined));
    assert.deepEqual(ended, { status: 'processed', reason: null });
    const line = memory.lines.find((l) => l.message === 'test: customer updated');
    assert.ok(line);
    assert.deepEqual(
      {
        flow: line.flow,
        entityType: line.entityType,
        trigger: line.trigger,
        outcome: line.outcome,
        partnerId: line.partnerId,
        level: line.level,
      },
      { flow: 'test-customers', entityType: 'Customer', trigger: 'customers/update', outcome: 'updated', partnerId: 7, level: 'info' },
    );
    assert.equal(linesOf(line.entityId as string).length, 1, 'one outcome line per job');
  });

  it('ends a row ignored with the reason when the flow had nothing to do', async () => {
    await webhook('ignore-1');
    const ended = await until('the row ignored', async () => ((await row('ignore-1'))?.status === 'ignored' ? row('ignore-1') : undefined));
    assert.deepEqual(ended, { status: 'ignored', reason: 'same content as last time' });
    assert.ok(
      memory.lines.some((l) => l.outcome === 'echo' && l.reason === 'same content as last time' && l.message === 'test-customers: echo'),
    );
  });

  it('ends a row failed at once on a permanent error, with the classified reason', async () => {
    await webhook('perm-1');
    const ended = await until('the row failed', async () => ((await row('perm-1'))?.status === 'failed' ? row('perm-1') : undefined));
    assert.deepEqual(ended, { status: 'failed', reason: 'PermanentError: test: refused for good' });
    assert.equal(attempts.get('perm-1'), 1, 'not retried');
    const line = memory.lines.find((l) => l.message === 'test-customers: failed' && l.reason === 'PermanentError: test: refused for good');
    assert.deepEqual(
      { outcome: line?.outcome, errorKind: line?.errorKind, level: line?.level },
      { outcome: 'failed', errorKind: 'permanent', level: 'error' },
    );
  });

  it('leaves a row queued while a retryable error has attempts left, and ends it failed on the last one', async () => {
    await webhook('retry-1');
    await until('the first attempt', () => (attempts.get('retry-1') === 1 ? true : undefined));
    await until('its retry line', () =>
      memory.lines.some((l) => l.outcome === 'retry' && l.errorKind === 'retryable') ? true : undefined,
    );
    // Between the attempts the row is still queued: read before the second attempt started (the
    // retry comes after a 1 s backoff), it must say so.
    const between = (await row('retry-1'))?.status;
    if (attempts.get('retry-1') === 1) assert.equal(between, 'queued');
    const ended = await until('the row failed', async () => ((await row('retry-1'))?.status === 'failed' ? row('retry-1') : undefined));
    assert.deepEqual(ended, { status: 'failed', reason: 'RetryableError: test: Odoo busy' });
    assert.equal(attempts.get('retry-1'), 2);
  });

  it('logs an expected wait at info as a wait while attempts remain, and fails it like any other on the last one', async () => {
    await webhook('wait-1');
    const waitLine = await until('the wait line', () =>
      memory.lines.find((l) => l.outcome === 'waiting' && l.flow === 'test-customers' && l.message !== 'sync attempt'),
    );
    assert.deepEqual(
      {
        message: waitLine.message,
        level: waitLine.level,
        waitingFor: waitLine.waitingFor,
        reason: waitLine.reason,
        trigger: waitLine.trigger,
      },
      {
        message: 'test-customers: waiting for order gid://shopify/Order/7 in Odoo',
        level: 'info',
        waitingFor: 'order gid://shopify/Order/7 in Odoo',
        reason: 'WaitingError: test: order gid://shopify/Order/7 not imported yet',
        trigger: 'customers/update',
      },
    );
    const entityId = waitLine.entityId as string;
    // The queue's own attempt line says the same, at info.
    const attemptLine = memory.lines.find((l) => l.message === 'sync attempt' && l.outcome === 'waiting' && l.error === waitLine.reason);
    assert.deepEqual(
      { level: attemptLine?.level, waitingFor: attemptLine?.waitingFor },
      { level: 'info', waitingFor: 'order gid://shopify/Order/7 in Odoo' },
    );
    if (attempts.get('wait-1') === 1) assert.equal((await row('wait-1'))?.status, 'queued');
    // Retried with the same budget: the second attempt is the last, and fails as any retryable error.
    const ended = await until('the row failed', async () => ((await row('wait-1'))?.status === 'failed' ? row('wait-1') : undefined));
    assert.deepEqual(ended, { status: 'failed', reason: 'WaitingError: test: order gid://shopify/Order/7 not imported yet' });
    assert.equal(attempts.get('wait-1'), 2);
    const lines = linesOf(entityId).map((l) => [l.outcome, l.level]);
    assert.deepEqual(lines, [
      ['waiting', 'info'],
      ['failed', 'error'],
    ]);
    assert.ok(!memory.lines.some((l) => l.level === 'warn' && l.error === waitLine.reason), 'no warn line for a wait');
    const report = await until('the report', () => reports.find((r) => r.message === waitLine.reason));
    assert.deepEqual([report.kind, report.attempt], ['retryable', 2]);
  });

  it('handles a job that is not a webhook without touching the inbox', async () => {
    const before = (await pool.query(`SELECT count(*)::int AS n FROM ${APP}.webhook_inbox`)).rows[0].n as number;
    await queue.send<QueueJobs['customers']>(
      'customers',
      {
        source: 'outbox',
        eventUuid: 'outbox-1',
        type: 'customer.changed',
        model: 'res.partner',
        resId: 42,
        payload: {},
        createdAt: '2026-01-01T00:00:00Z',
      },
      { key: keys.customer(SHOP, 'odoo:res.partner:42') },
    );
    const line = await until('the outcome line', () => linesOf(42)[0]);
    assert.deepEqual(
      { entityType: line.entityType, trigger: line.trigger, outcome: line.outcome },
      { entityType: 'res.partner', trigger: 'customer.changed', outcome: 'updated' },
    );
    assert.equal((await pool.query(`SELECT count(*)::int AS n FROM ${APP}.webhook_inbox`)).rows[0].n, before);
  });

  it('registers the schedule of a scheduled queue, and refuses to define one on an entity queue', async () => {
    const { rows } = await pool.query("SELECT name, cron FROM q.schedule WHERE name = 'webhooks.purge'");
    assert.deepEqual(rows, [{ name: 'webhooks.purge', cron: '17 * * * *' }]);
    assert.throws(
      () =>
        defineFlow<RegistrationContext>({
          name: 'wrong',
          queues: { products: { schedule: () => '* * * * *', handle: () => Promise.resolve({ outcome: 'never' }) } },
        }),
      /wrong: products is an entity queue; only scheduled queues take a schedule/,
    );
  });
  it('tells Odoo about a job that failed for good, with its ids and what the flow adds, once', async () => {
    await webhook('perm-report');
    await until('the row failed', async () => ((await row('perm-report'))?.status === 'failed' ? true : undefined));
    const report = await until('the report', () => reports.find((r) => r.message === 'PermanentError: test: refused for good'));
    assert.deepEqual(
      { queue: report.queue, kind: report.kind, attempt: report.attempt, customer: report.customer_name },
      { queue: 'customers', kind: 'permanent', attempt: 1, customer: 'Test Customer' },
    );
    assert.match(String(report.shopify_gid), /^gid:\/\/shopify\/Customer\/\d+$/);
    assert.equal(report.key, keys.customer(SHOP, report.shopify_gid!));
    assert.ok(!Number.isNaN(Date.parse(report.failed_at)));
  });

  it('reports a scheduled job that fails for good too, by its job id (it has no key)', async () => {
    const sent = await queue.send('webhooks.purge', { fail: true }, { id: 'purge-run-1' });
    const report = await until('the report', () => reports.find((r) => r.message === 'PermanentError: test: purge refused'));
    assert.deepEqual(
      { queue: report.queue, key: report.key, jobId: report.job_id, kind: report.kind, gid: report.shopify_gid ?? null },
      { queue: 'webhooks.purge', key: null, jobId: sent.id, kind: 'permanent', gid: null },
    );
  });

  it('reports a retried job once, on its last attempt, and a failed report changes nothing for the job', async () => {
    const retried = reports.filter((r) => r.message === 'RetryableError: test: Odoo busy');
    assert.deepEqual(
      retried.map((r) => [r.kind, r.attempt]),
      [['retryable', 2]],
    );
    await webhook('down-1');
    const ended = await until('the row failed', async () => ((await row('down-1'))?.status === 'failed' ? row('down-1') : undefined));
    assert.deepEqual(ended, { status: 'failed', reason: 'PermanentError: test: refused, odoo down' });
    await until('the warning', () =>
      memory.lines.some((l) => l.message === 'failure report to Odoo failed; the dead letter is only in the sidecar') ? true : undefined,
    );
  });
});
