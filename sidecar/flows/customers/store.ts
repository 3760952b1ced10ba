/**
 * The customers flow's own table `<appSchema>.customer_sync` (migration 011): per partner, the GID
 * and the comparable hash of what Shopify holds. It is the echo guard for Shopify → Odoo: a
 * customers/create|update webhook whose customer hashes to the stored value is our own write
 * coming back (or a duplicate), and is not written to Odoo again.
 */
import type pg from 'pg';
import { quoteIdent } from '../../db/migrate.js';

export interface CustomerSyncRow {
  partner_id: number;
  customer_gid: string | null;
  shopify_hash: string;
}

export function createCustomerSyncStore(pool: pg.Pool, schema: string) {
  const table = `${quoteIdent(schema)}.customer_sync`;
  return {
    /** The row bound to `gid`, else a row whose first push is in flight with this exact content. */
    async find(gid: string, hash: string): Promise<CustomerSyncRow | undefined> {
      const { rows } = await pool.query<CustomerSyncRow>(
        `SELECT partner_id, customer_gid, shopify_hash FROM ${table}
          WHERE customer_gid = $1 OR (customer_gid IS NULL AND shopify_hash = $2)
          ORDER BY (customer_gid = $1) DESC NULLS LAST LIMIT 1`,
        [gid, hash],
      );
      return rows[0];
    },
    async byGid(gid: string): Promise<CustomerSyncRow | undefined> {
      const { rows } = await pool.query<CustomerSyncRow>(
        `SELECT partner_id, customer_gid, shopify_hash FROM ${table} WHERE customer_gid = $1`,
        [gid],
      );
      return rows[0];
    },
    /** Records what Shopify holds for the partner; a GID moves to this partner if another row had it. */
    async save(partnerId: number, gid: string | null, hash: string): Promise<void> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        if (gid)
          await client.query(`UPDATE ${table} SET customer_gid = NULL WHERE customer_gid = $1 AND partner_id <> $2`, [gid, partnerId]);
        await client.query(
          `INSERT INTO ${table} (partner_id, customer_gid, shopify_hash, updated_at) VALUES ($1, $2, $3, now())
           ON CONFLICT (partner_id) DO UPDATE
             SET customer_gid = COALESCE(EXCLUDED.customer_gid, ${table}.customer_gid), shopify_hash = EXCLUDED.shopify_hash, updated_at = now()`,
          [partnerId, gid, hash],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

export type CustomerSyncStore = ReturnType<typeof createCustomerSyncStore>;
