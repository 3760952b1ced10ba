import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { createLogger } from '../observability/logger.js';
import { MemoryTransport } from '../../dev/testing/memory-transport.js';
import { createQueue } from './queue.js';

const run = promisify(execFile);

/**
 * Rounds of the race until an error goes unheard (at most `rounds`). Whether a round loses it
 * depends on when the 57P01 reaches the client, so pg-boss's own client is given up to 60 rounds
 * to show it (8 were once not enough under faketime); ResilientBossDb must lose none in as many.
 */
async function race(kind: 'pg-boss' | 'resilient', url: string, rounds = 60): Promise<number> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'dev/testing/listen-race.ts', kind, url, String(rounds)], {
    timeout: 120_000,
  });
  return (JSON.parse(stdout.trim().split('\n').pop()!) as { uncaught: number }).uncaught;
}

describe('the queue survives PostgreSQL ending its connections', () => {
  it("pg-boss 12.38's own LISTEN client leaves the error of a session terminated while it closes unheard (why boss-db.ts exists)", async () => {
    const url = await testDatabase('listen_race_pgboss');
    assert.ok((await race('pg-boss', url)) > 0);
  });

  it('ResilientBossDb hears every error of its LISTEN client, also while it closes', async () => {
    const url = await testDatabase('listen_race_resilient');
    assert.equal(await race('resilient', url), 0);
  });

  it('keeps working when every connection is terminated mid-work, and stops cleanly while they are', async () => {
    const url = await testDatabase('queue_terminated_sessions');
    const logs = new MemoryTransport();
    const logger = createLogger({ level: 'debug', transports: [logs] });
    const app = `queue-terminated-${process.pid}`;
    const queue = createQueue({
      connectionString: url,
      schema: 'q_terminated',
      logger,
      applicationName: app,
      queues: ['orders'],
      retry: { limit: 5, delaySeconds: 1, delayMaxSeconds: 1 },
      pollingIntervalSeconds: 0.5,
    });
    await queue.start();
    const done = new Set<number>();
    await queue.work<{ n: number }>('orders', async ({ data }) => {
      done.add(data.n);
      await Promise.resolve();
    });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const terminate = () => admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [app]);
    try {
      for (let n = 0; n < 30; n++) {
        // Sends fail while their connection is being terminated; the caller retries, as the intake's Shopify does.
        for (;;) {
          try {
            await queue.send('orders', { n }, { key: `order:t.myshopify.com:gid://shopify/Order/${n + 1}`, id: `t-${n}` });
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        if (n % 10 === 0) await terminate();
      }
      const deadline = Date.now() + 30_000;
      while (done.size < 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(done.size, 30);
      assert.ok(
        logs.lines.some((e) => e.message === 'queue: pg-boss error'),
        'the terminated sessions were reported',
      );
      // Stop while PostgreSQL terminates the sessions again.
      await Promise.all([queue.stop({ timeoutMs: 2000 }), terminate()]);
    } finally {
      await admin.end();
    }
  });
});
