/**
 * The fulfillments flow's journal `<appSchema>.fulfillment_intent` (migration 011), one row per
 * Odoo picking: fulfillments known on the order before our first write, fulfillments created for
 * the picking, and the write in flight. fulfillmentCreate has no idempotency key, so this journal
 * is what lets a retry read back instead of writing twice (docs/flows.md, "Timeout resolution").
 */
import type pg from 'pg';
import { quoteIdent } from '../../db/migrate.js';
import type { SentFulfillment } from './map.js';

export interface FulfillmentIntent {
  picking_id: number;
  order_gid: string;
  known_fulfillments: string[];
  claimed: string[];
  pending: SentFulfillment | null;
}

export function createFulfillmentStore(pool: pg.Pool, schema: string) {
  const table = `${quoteIdent(schema)}.fulfillment_intent`;
  const columns = 'picking_id, order_gid, known_fulfillments, claimed, pending';
  return {
    async get(pickingId: number): Promise<FulfillmentIntent | undefined> {
      const { rows } = await pool.query<FulfillmentIntent>(`SELECT ${columns} FROM ${table} WHERE picking_id = $1`, [pickingId]);
      return rows[0];
    },
    /** Creates the row once; an existing row (an earlier attempt) is returned unchanged. */
    async open(pickingId: number, orderGid: string, known: string[], claimed: string[]): Promise<FulfillmentIntent> {
      const { rows } = await pool.query<FulfillmentIntent>(
        `INSERT INTO ${table} (picking_id, order_gid, known_fulfillments, claimed) VALUES ($1, $2, $3, $4)
         ON CONFLICT (picking_id) DO UPDATE SET updated_at = ${table}.updated_at RETURNING ${columns}`,
        [pickingId, orderGid, known, claimed],
      );
      return rows[0]!;
    },
    async setPending(pickingId: number, pending: SentFulfillment | null): Promise<void> {
      await pool.query(`UPDATE ${table} SET pending = $2, updated_at = now() WHERE picking_id = $1`, [
        pickingId,
        pending === null ? null : JSON.stringify(pending),
      ]);
    },
    /** What this flow created for the order's pickings, and whether a write is still unanswered. */
    async ofOrder(orderGid: string): Promise<{ claimed: Set<string>; pending: boolean }> {
      const { rows } = await pool.query<{ claimed: string[]; pending: boolean }>(
        `SELECT claimed, pending IS NOT NULL AS pending FROM ${table} WHERE order_gid = $1`,
        [orderGid],
      );
      return { claimed: new Set(rows.flatMap((r) => r.claimed)), pending: rows.some((r) => r.pending) };
    },
    /** The pending write happened and produced `gid`. */
    async claim(pickingId: number, gid: string): Promise<void> {
      await pool.query(
        `UPDATE ${table} SET claimed = CASE WHEN $2 = ANY(claimed) THEN claimed ELSE array_append(claimed, $2) END, pending = NULL, updated_at = now()
          WHERE picking_id = $1`,
        [pickingId, gid],
      );
    },
  };
}

export type FulfillmentStore = ReturnType<typeof createFulfillmentStore>;
