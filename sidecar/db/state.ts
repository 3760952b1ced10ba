/**
 * Named JSON state in `<appSchema>.sidecar_state` (migration 021), shared by every replica:
 * the last onboarding report, the last webhook subscription check.
 */
import type pg from 'pg';
import { quoteIdent } from './migrate.js';

export async function readState<T>(pool: pg.Pool, schema: string, key: string): Promise<{ value: T; updatedAt: Date } | null> {
  const { rows } = await pool.query(`SELECT value, updated_at FROM ${quoteIdent(schema)}.sidecar_state WHERE key = $1`, [key]);
  const row = rows[0] as { value: T; updated_at: Date } | undefined;
  return row ? { value: row.value, updatedAt: row.updated_at } : null;
}

export async function writeState(pool: pg.Pool, schema: string, key: string, value: unknown): Promise<void> {
  await pool.query(
    `INSERT INTO ${quoteIdent(schema)}.sidecar_state (key, value, updated_at) VALUES ($1, $2::jsonb, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
    [key, JSON.stringify(value)],
  );
}
