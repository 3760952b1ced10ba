/**
 * The returns flow's journal `<appSchema>.return_intent` (migration 031), one row per Odoo return
 * picking created in Shopify as a return: the order's returns known before the first write,
 * whether a returnCreate is in flight, and the return it became. returnCreate has no idempotency
 * key, so a call without answer is resolved by reading the order's returns back (docs/flows.md,
 * "Returns").
 */
import type pg from 'pg';
import { quoteIdent } from '../../db/migrate.js';

export interface ReturnIntent {
  picking_id: number;
  order_gid: string;
  known_returns: string[];
  pending: boolean;
  return_gid: string | null;
}

export function createReturnStore(pool: pg.Pool, schema: string) {
  const table = `${quoteIdent(schema)}.return_intent`;
  const columns = 'picking_id, order_gid, known_returns, pending, return_gid';
  return {
    async get(pickingId: number): Promise<ReturnIntent | undefined> {
      const { rows } = await pool.query<ReturnIntent>(`SELECT ${columns} FROM ${table} WHERE picking_id = $1`, [pickingId]);
      return rows[0];
    },
    async open(pickingId: number, orderGid: string, known: string[]): Promise<ReturnIntent> {
      const { rows } = await pool.query<ReturnIntent>(
        `INSERT INTO ${table} (picking_id, order_gid, known_returns) VALUES ($1, $2, $3)
         ON CONFLICT (picking_id) DO UPDATE SET updated_at = ${table}.updated_at RETURNING ${columns}`,
        [pickingId, orderGid, known],
      );
      return rows[0]!;
    },
    async setPending(pickingId: number, pending: boolean): Promise<void> {
      await pool.query(`UPDATE ${table} SET pending = $2, updated_at = now() WHERE picking_id = $1`, [pickingId, pending]);
    },
    async claim(pickingId: number, returnGid: string): Promise<void> {
      await pool.query(`UPDATE ${table} SET return_gid = $2, pending = false, updated_at = now() WHERE picking_id = $1`, [
        pickingId,
        returnGid,
      ]);
    },
  };
}

export type ReturnStore = ReturnType<typeof createReturnStore>;
