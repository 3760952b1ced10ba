/** The sidecar's PostgreSQL pool for its own tables (pg-boss keeps its own pool). */
import pg from 'pg';
import type { Logger } from '../observability/logger.js';

/**
 * A pool whose connections' errors are logged, never thrown. PostgreSQL ends connections itself
 * when it restarts or an administrator terminates them (57P01); the client then emits `error`,
 * and an `error` event nobody listens to crashes the process. pg-pool listens only while a client
 * is idle, so every client gets its own listener when it connects, which also covers clients
 * checked out by a transaction (their query fails as well, and the caller handles that). The pool
 * drops a broken client, idle or released, and the next query opens a new connection. Tests that
 * pass no logger get the same listeners, silent.
 */
export function createPool(url: string, max: number, logger?: Logger, applicationName = 'shopify-odoo-sidecar'): pg.Pool {
  // A database that does not answer fails a checkout within 3 s, so the webhook intake answers 503
  // inside Shopify's 5 s delivery timeout instead of hanging on a connect.
  const pool = new pg.Pool({ connectionString: url, max, application_name: applicationName, connectionTimeoutMillis: 3000 });
  pool.on('connect', (client) => {
    client.on('error', (error) => logger?.warn('database: the server closed a connection; the next query reconnects', { error }));
  });
  // pg-pool re-emits an idle client's error here; the client's own listener above has logged it.
  pool.on('error', () => undefined);
  return pool;
}
