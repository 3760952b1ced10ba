/**
 * Resync (operator tools): Odoo-side records go through the contract's `request_resync`, i.e. the
 * methods behind Odoo's Resync buttons, so the outbox relay enqueues the usual OutboxJobs on the
 * usual keys; orders are read from Shopify and enqueued as `{source: 'resync', orderGid}` on the
 * orders queue with `keys.order` (docs/flows.md "Resync jobs").
 */
import type { OdooContract, ResyncModel } from '../odoo/contract.js';
import { keys } from '../queue/names.js';
import type { SyncQueue } from '../queue/queue.js';
import type { OrderRepairJob } from '../jobs.js';
import type { Progress } from '../reports/store.js';
import type { OrdersCreatedSinceQuery, ShopifyClient } from '../shopify/index.js';

export const RESYNC_KINDS: Record<string, ResyncModel> = {
  products: 'product.template',
  stock: 'product.product',
  customers: 'res.partner',
};

export async function resyncOdooRecords(odoo: OdooContract, kind: string, ids: number[] | 'all') {
  const model = RESYNC_KINDS[kind];
  if (!model) throw new RangeError(`resync: kind must be one of ${Object.keys(RESYNC_KINDS).join(', ')}, orders (got "${kind}")`);
  return odoo.requestResync(ids === 'all' ? { model } : { model, ids });
}

/** Enqueues a resync job for every Shopify order created since `since` (and before `until`). */
export async function resyncOrdersSince(
  deps: { shopify: ShopifyClient; queue: SyncQueue; shop: string },
  since: Date,
  until: Date | undefined,
  progress?: Progress,
): Promise<{ orders: number; enqueued: number }> {
  const query = `created_at:>='${since.toISOString()}'` + (until ? ` AND created_at:<'${until.toISOString()}'` : '');
  let after: string | null = null;
  let orders = 0;
  let enqueued = 0;
  const batch = Date.now();
  for (;;) {
    const page: OrdersCreatedSinceQuery = await deps.shopify.request(
      'OrdersCreatedSince',
      { query, first: 10, after },
      { lane: 'catalog' },
    );
    for (const node of page.orders.nodes) {
      const job: OrderRepairJob = { source: 'resync', orderGid: node.id };
      const sent = await deps.queue.send('orders', job, {
        key: keys.order(deps.shop, node.id),
        id: `resync:${batch}:${node.id}`,
        correlationId: `resync:${batch}`,
      });
      orders++;
      if (sent.created) enqueued++;
    }
    await progress?.update(orders, page.orders.pageInfo.hasNextPage ? null : orders, 'enqueueing orders');
    if (!page.orders.pageInfo.hasNextPage) return { orders, enqueued };
    after = page.orders.pageInfo.endCursor;
  }
}

/**
 * One order by its number ("#1001"), for Odoo's "Re-import an order": found in Shopify, then its
 * dead letters re-queued when a failed job blocks its key (that job re-reads the order: a
 * re-import), else a `{source: 'resync'}` job enqueued on its key. Null when Shopify has no such
 * order.
 */
export async function reimportOrderByName(
  deps: { shopify: ShopifyClient; queue: SyncQueue; shop: string },
  name: string,
  now: number,
): Promise<{ orderGid: string; name: string; outcome: 'retried' | 'queued' } | null> {
  const number = name.trim().replace(/^#/, '');
  if (!/^[A-Za-z0-9-]+$/.test(number)) throw new RangeError(`name must be an order number like #1001 (got "${name}")`);
  const { orders } = await deps.shopify.request('OrderByName', { query: `name:#${number}` }, { lane: 'orders' });
  const order = orders.nodes[0];
  if (!order) return null;
  const key = keys.order(deps.shop, order.id);
  const dead = (await deps.queue.listDeadLetters('orders', { limit: 1000 })).filter((letter) => letter.key === key);
  for (const letter of dead) await deps.queue.retryDeadLetter('orders', letter.id);
  if (dead.length) return { orderGid: order.id, name: order.name, outcome: 'retried' };
  const job: OrderRepairJob = { source: 'resync', orderGid: order.id };
  await deps.queue.send('orders', job, { key, id: `reimport:${now}:${order.id}`, correlationId: `reimport:${now}` });
  return { orderGid: order.id, name: order.name, outcome: 'queued' };
}
