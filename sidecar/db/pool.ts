/** The sidecar's PostgreSQL pool for its own tables (pg-boss keeps its own pool). */
import pg from 'pg';
import type { Logger } from '../observability/logger.js';

/**
 * A pool whose idle clients' errors are logged, never thrown: without an `error` listener, a
 * connection the server ends (57P01 when PostgreSQL restarts or an administrator terminates it)
 * would crash the process. The pool drops that client and the next query opens a new connection;
 * a client checked out when its connection dies fails its query instead, which the caller
 * handles. Tests that pass no logger get the same listener, silent.
 */
export function createPool(url: string, max: number, logger?: Logger, applicationName = 'shopify-odoo-sidecar'): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, application_name: applicationName });
  pool.on('error', (error) => logger?.warn('database: the server closed an idle connection; the next query reconnects', { error }));
  return pool;
}
