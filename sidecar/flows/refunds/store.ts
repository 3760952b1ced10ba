/**
 * The refunds flow's journal `<appSchema>.refund_intent` (migration 031), one row per Odoo credit
 * note sent to Shopify: the order's refunds known before our first write, the write in flight and
 * the refund it became. It is what lets a retry after a refundCreate without answer read Shopify
 * back instead of writing again (docs/flows.md, "Refunds").
 */
import type pg from 'pg';
import { quoteIdent } from '../../db/migrate.js';
import type { SentRefund } from './map.js';

export interface RefundIntent {
  move_id: number;
  order_gid: string;
  known_refunds: string[];
  pending: SentRefund | null;
  refund_gid: string | null;
}

export function createRefundStore(pool: pg.Pool, schema: string) {
  const table = `${quoteIdent(schema)}.refund_intent`;
  const columns = 'move_id, order_gid, known_refunds, pending, refund_gid';
  return {
    async get(moveId: number): Promise<RefundIntent | undefined> {
      const { rows } = await pool.query<RefundIntent>(`SELECT ${columns} FROM ${table} WHERE move_id = $1`, [moveId]);
      return rows[0];
    },
    /** Creates the row once; an existing row (an earlier attempt) is returned unchanged. */
    async open(moveId: number, orderGid: string, known: string[]): Promise<RefundIntent> {
      const { rows } = await pool.query<RefundIntent>(
        `INSERT INTO ${table} (move_id, order_gid, known_refunds) VALUES ($1, $2, $3)
         ON CONFLICT (move_id) DO UPDATE SET updated_at = ${table}.updated_at RETURNING ${columns}`,
        [moveId, orderGid, known],
      );
      return rows[0]!;
    },
    async setPending(moveId: number, pending: SentRefund | null): Promise<void> {
      await pool.query(`UPDATE ${table} SET pending = $2, updated_at = now() WHERE move_id = $1`, [
        moveId,
        pending === null ? null : JSON.stringify(pending),
      ]);
    },
    /** The write happened and produced `refundGid`. */
    async claim(moveId: number, refundGid: string): Promise<void> {
      await pool.query(`UPDATE ${table} SET refund_gid = $2, pending = NULL, updated_at = now() WHERE move_id = $1`, [moveId, refundGid]);
    },
    /** The credit note a Shopify refund was made from, when the sidecar made it. */
    async moveFor(refundGid: string): Promise<number | undefined> {
      const { rows } = await pool.query<{ move_id: number }>(`SELECT move_id FROM ${table} WHERE refund_gid = $1`, [refundGid]);
      return rows[0]?.move_id;
    },
  };
}

export type RefundStore = ReturnType<typeof createRefundStore>;
