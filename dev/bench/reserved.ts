/**
 * When each imported order's delivery is reserved in a real Odoo (docs/operations.md, "Benchmark"):
 * the addon reserves right after the import, in a scheduled action of its own (docs/flows.md,
 * "Reserving stock right after the import"), so the order latency rows also say how long after the
 * storefront order the delivery was ready. Read in Odoo's own database (ODOO_DATABASE_URL) rather
 * than asked of Odoo: the merchant's JSON-RPC pays a password check per call, and the integration
 * user may not read deliveries.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';

/** The orders (by Shopify GID) with a delivery Odoo shows as Ready (`assigned`). */
const RESERVED_SQL = `
  SELECT o.shopify_gid AS gid
    FROM sale_order o
   WHERE o.shopify_gid = ANY($1::text[])
     AND EXISTS (SELECT 1 FROM stock_picking p WHERE p.sale_id = o.id AND p.state = 'assigned')`;

export interface ReservationProbe {
  /** One read for the orders given that are not known reserved yet; records the time of each found. */
  poll(orderGids: Iterable<string>): Promise<void>;
  /** Shopify order GID → performance.now() of the poll that found its delivery reserved. */
  readonly reservedAt: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

export async function reservationProbe(databaseUrl: string): Promise<ReservationProbe> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const reservedAt = new Map<string, number>();
  return {
    reservedAt,
    async poll(orderGids) {
      const waiting = [...orderGids].filter((gid) => !reservedAt.has(gid));
      if (waiting.length === 0) return;
      const { rows } = await client.query<{ gid: string }>(RESERVED_SQL, [waiting]);
      const now = performance.now();
      for (const row of rows) reservedAt.set(row.gid, now);
    },
    close: () => client.end(),
  };
}
