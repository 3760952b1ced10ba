/**
 * Crash recovery and pausing (docs/queues.md, "Crash recovery", "Retries and outages"): a job whose
 * worker process was SIGKILLed is run again by another worker once its heartbeat is missed — not
 * after its expiry, and without the retry backoff — and a paused queue runs nothing until resumed,
 * when its waiting retries become due at once. Timing goals are measured by `make chaos`, not here.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { MemoryTransport } from '../../dev/testing/memory-transport.js';
import { createLogger } from '../observability/logger.js';
import { createQueue } from './queue.js';
import type { SyncQueue } from './types.js';

const KEY = (n: number) => `order:r.myshopify.com:gid://shopify/Order/${n}`;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('queue crash recovery and pausing (pg-boss 12.38 heartbeats, real PostgreSQL)', function () {
  this.timeout(120_000);

  it('runs the job of a SIGKILLed worker process again in another worker once its heartbeat is missed, without backoff', async () => {
    const url = await testDatabase('queue_recovery_sigkill');
    const schema = 'q_recovery';
    const child = spawn(process.execPath, ['--import', 'tsx', 'dev/testing/queue-worker.ts', url, schema], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const logs = new MemoryTransport();
    let queue: SyncQueue | undefined;
    try {
      await waitFor('the child worker', () => (output.includes('ready') ? true : undefined));
      // Retry delays of 30 s: a recovery through pg-boss's own retry path would take that long.
      queue = createQueue({
        connectionString: url,
        schema,
        logger: createLogger({ transports: [logs] }),
        queues: ['orders'],
        retry: { limit: 3, delaySeconds: 30, delayMaxSeconds: 60 },
        pollingIntervalSeconds: 0.5,
        reclaimIntervalSeconds: 1,
      });
      await queue.start();
      const { id } = await queue.send('orders', { n: 1 }, { key: KEY(1) });
      await waitFor('the job running in the child', () => (output.includes(`running ${id}`) ? true : undefined));
      child.kill('SIGKILL');
      const killedAt = Date.now();
      const attempts: number[] = [];
      await queue.work('orders', async ({ attempt }) => {
        attempts.push(attempt);
        await Promise.resolve();
      });
      await waitFor('the job completed by the surviving worker', () => (attempts.length > 0 ? true : undefined));
      const seconds = (Date.now() - killedAt) / 1000;
      // The reclaimed claim is a new attempt, so the dead worker's late settle would be fenced off.
      assert.deepEqual(attempts, [2]);
      assert.ok(logs.lines.some((l) => l.message === 'queue: jobs of a worker that stopped are run again'));
      // Informational: the heartbeat is 10 s; measured figures are in docs/operations.md.
      console.log(`      recovered ${seconds.toFixed(1)} s after SIGKILL`);
      assert.ok(seconds < 60, 'recovered well before the retry backoff and expiry would have allowed');
    } finally {
      child.kill('SIGKILL');
      await queue?.stop({ timeoutMs: 1000 });
    }
  });

  it('runs a reclaimed job again before the jobs queued behind it on its key', async () => {
    const url = await testDatabase('queue_recovery_successors');
    const schema = 'q_recovery_successors';
    const child = spawn(process.execPath, ['--import', 'tsx', 'dev/testing/queue-worker.ts', url, schema], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let queue: SyncQueue | undefined;
    try {
      await waitFor('the child worker', () => (output.includes('ready') ? true : undefined));
      queue = createQueue({
        connectionString: url,
        schema,
        logger: createLogger({ transports: [new MemoryTransport()] }),
        queues: ['orders'],
        retry: { limit: 3, delaySeconds: 30, delayMaxSeconds: 60 },
        pollingIntervalSeconds: 0.5,
        reclaimIntervalSeconds: 1,
      });
      await queue.start();
      const first = await queue.send('orders', { n: 1 }, { key: KEY(1) });
      await waitFor('the job running in the child', () => (output.includes(`running ${first.id}`) ? true : undefined));
      // Queued behind it while it runs: the same key twice (the chaos run's inventory keys).
      await queue.send('orders', { n: 2 }, { key: KEY(1) });
      await queue.send('orders', { n: 3 }, { key: KEY(1) });
      child.kill('SIGKILL');
      const ran: Array<{ n: number; attempt: number }> = [];
      await queue.work<{ n: number }>('orders', async ({ data, attempt }) => {
        ran.push({ n: data.n, attempt });
        await Promise.resolve();
      });
      await waitFor('all three jobs run', () => (ran.length === 3 ? true : undefined));
      assert.deepEqual(ran, [
        { n: 1, attempt: 2 },
        { n: 2, attempt: 1 },
        { n: 3, attempt: 1 },
      ]);
    } finally {
      child.kill('SIGKILL');
      await queue?.stop({ timeoutMs: 1000 });
    }
  });

  it('runs nothing on a paused queue, keeps a queue worked later paused, and on resume makes waiting retries due at once', async () => {
    const url = await testDatabase('queue_pause_resume');
    const queue = createQueue({
      connectionString: url,
      schema: 'q_pause',
      logger: createLogger({ transports: [new MemoryTransport()] }),
      queues: ['orders', 'customers'],
      // A 60 s backoff: only the resume can make the retry due within the test.
      retry: { limit: 3, delaySeconds: 60, delayMaxSeconds: 60 },
      pollingIntervalSeconds: 0.5,
    });
    await queue.start();
    try {
      const ran: string[] = [];
      let failOnce = true;
      await queue.work<{ n: number }>('orders', async ({ data }) => {
        if (data.n === 1 && failOnce) {
          failOnce = false;
          throw new Error('connect ECONNREFUSED 127.0.0.1:8069');
        }
        ran.push(`orders:${data.n}`);
        await Promise.resolve();
      });
      await queue.send('orders', { n: 1 }, { key: KEY(1) });
      await waitFor('the first attempt failed into its backoff', async () =>
        (await queue.queueStats()).find((s) => s.queue === 'orders')?.deferred === 1 ? true : undefined,
      );
      await queue.pause(['orders', 'customers']);
      assert.deepEqual(queue.paused().sort(), ['customers', 'orders']);
      await queue.work<{ n: number }>('customers', async ({ data }) => {
        ran.push(`customers:${data.n}`);
        await Promise.resolve();
      });
      await queue.send('orders', { n: 2 }, { key: KEY(2) });
      await queue.send('customers', { n: 3 }, { key: 'customer:r.myshopify.com:gid://shopify/Customer/3' });
      await new Promise((r) => setTimeout(r, 2000));
      assert.deepEqual(ran, [], 'nothing runs while paused');
      await queue.resume(['orders', 'customers']);
      await waitFor('every job after the resume', () => (ran.length === 3 ? true : undefined), 20_000);
      assert.deepEqual(ran.sort(), ['customers:3', 'orders:1', 'orders:2']);
      assert.deepEqual(queue.paused(), []);
    } finally {
      await queue.stop({ timeoutMs: 1000 });
    }
  });
});
