/**
 * The fulfilments flow's journal `<appSchema>.fulfilment_intent` (migration 011), one row per
 * Odoo picking: fulfilments known on the order before our first write, fulfilments created for
 * the picking, and the write in flight. fulfillmentCreate has no idempotency key, so this journal
 * is what lets a retry read back instead of writing twice (BRIEF decision 5).
 */
import type pg from 'pg';
import { quoteIdent } from '../../db/migrate.js';
import type { SentFulfilment } from './plan.js';

export interface FulfilmentIntent {
  picking_id: number;
  order_gid: string;
  known_fulfillments: string[];
  claimed: string[];
  pending: SentFulfilment | null;
}

export function createFulfilmentStore(pool: pg.Pool, schema: string) {
  const table = `${quoteIdent(schema)}.fulfilment_intent`;
  const columns = 'picking_id, order_gid, known_fulfillments, claimed, pending';
  return {
    async get(pickingId: number): Promise<FulfilmentIntent | undefined> {
      const { rows } = await pool.query<FulfilmentIntent>(`SELECT ${columns} FROM ${table} WHERE picking_id = $1`, [pickingId]);
      return rows[0];
    },
    /** Creates the row once; an existing row (an earlier attempt) is returned unchanged. */
    async open(pickingId: number, orderGid: string, known: string[], claimed: string[]): Promise<FulfilmentIntent> {
      const { rows } = await pool.query<FulfilmentIntent>(
        `INSERT INTO ${table} (picking_id, order_gid, known_fulfillments, claimed) VALUES ($1, $2, $3, $4)
         ON CONFLICT (picking_id) DO UPDATE SET updated_at = ${table}.updated_at RETURNING ${columns}`,
        [pickingId, orderGid, known, claimed],
      );
      return rows[0]!;
    },
    async setPending(pickingId: number, pending: SentFulfilment | null): Promise<void> {
      await pool.query(`UPDATE ${table} SET pending = $2, updated_at = now() WHERE picking_id = $1`, [pickingId, pending === null ? null : JSON.stringify(pending)]);
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

export type FulfilmentStore = ReturnType<typeof createFulfilmentStore>;
