/** The sidecar's PostgreSQL pool for its own tables (pg-boss keeps its own pool). */
import pg from 'pg';

export function createPool(url: string, max: number, applicationName = 'shopify-odoo-sidecar'): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, application_name: applicationName });
  // An idle client's error (e.g. the server restarted) must not crash the process; the next
  // query reconnects.
  pool.on('error', () => {});
  return pool;
}
