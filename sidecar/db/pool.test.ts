/**
 * The sidecar's pool against a real PostgreSQL: a connection the server terminates (57P01, as
 * when PostgreSQL restarts) is logged, never an unhandled `error` event, and the next query
 * reconnects.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import { MemoryTransport } from '../../dev/testing/memory-transport.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { createLogger } from '../observability/logger.js';
import { createPool } from './pool.js';

const LOST = 'database: the server closed a connection; the next query reconnects';

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('database pool', () => {
  let url: string;
  let admin: pg.Client;
  before(async () => {
    url = await testDatabase('pool_termination');
    admin = new pg.Client({ connectionString: url });
    admin.on('error', () => undefined);
    await admin.connect();
  });
  after(async () => {
    await admin.end();
  });

  const terminate = async (pid: number) => {
    const { rows } = await admin.query<{ done: boolean }>('SELECT pg_terminate_backend($1) AS done', [pid]);
    assert.equal(rows[0]?.done, true);
  };

  it('logs a server-side termination of an idle connection and reconnects on the next query', async () => {
    const memory = new MemoryTransport();
    const pool = createPool(url, 2, createLogger({ transports: [memory] }));
    try {
      const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await terminate(rows[0]!.pid);
      await until('the logged termination', () => memory.lines.some((l) => l.message === LOST));
      const line = memory.lines.find((l) => l.message === LOST)!;
      assert.equal(line.level, 'warn');
      assert.match(JSON.stringify(line.error), /57P01|terminating connection/);
      const again = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      assert.notEqual(again.rows[0]!.pid, rows[0]!.pid);
    } finally {
      await pool.end();
    }
  });

  it('logs the termination of a connection checked out by a transaction; the query fails and the pool moves on', async () => {
    const memory = new MemoryTransport();
    const pool = createPool(url, 1, createLogger({ transports: [memory] }));
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await client.query('BEGIN');
      await terminate(rows[0]!.pid);
      await until('the logged termination', () => memory.lines.some((l) => l.message === LOST));
      await assert.rejects(client.query('SELECT 1'));
      client.release();
      const again = await pool.query<{ ok: number }>('SELECT 1 AS ok');
      assert.equal(again.rows[0]!.ok, 1);
    } finally {
      await pool.end();
    }
  });
});
