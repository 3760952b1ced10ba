/**
 * Fulfillment with tracking, Odoo → Shopify (issue 5 item 5; docs/flows.md "Fulfillment").
 * Queue `fulfillments`, keyed per order, so one order's deliveries are handled one at a time.
 *
 * OutboxJob delivery.done → contract.exportDelivery → the order's fulfillments (OrderFulfillments)
 * → resolve a write left in flight by an earlier attempt (read-back, never a blind retry) → what
 * the picking still has to ship → the order's fulfillment orders → plan.ts allocation →
 * fulfillmentCreate per location with tracking and notifyCustomer (FULFILLMENT_NOTIFY_CUSTOMER) →
 * recordSyncResult on the picking with the fulfillment GID. A picking whose fulfillments exist gets
 * fulfillmentTrackingInfoUpdate when Odoo's tracking differs (tracking entered or changed later).
 *
 * fulfillments/create|update webhooks (fulfillments made in Shopify admin, and the echoes of ours)
 * land on this queue too: they are logged and completed. Odoo is the source of truth for what was
 * shipped; a fulfillment made in Shopify admin is not turned into an Odoo delivery (docs/flows.md).
 */
import type { FulfillmentDocument } from '../../odoo/contract.js';
import type { WebhookJob } from '../../http/webhooks/topics.js';
import { PermanentError, RetryableError } from '../../queue/errors.js';
import type { JobContext } from '../../queue/queue.js';
import type { OutboxJob } from '../../relay/outbox.js';
import { ShopifyError, ShopifyUserErrors } from '../../shopify/errors.js';
import type { Flow, FlowContext } from '../context.js';
import {
  findSentFulfillment,
  planFulfillment,
  stillToFulfill,
  trackingDiffers,
  trackingInput,
  type FulfillmentGroup,
  type ShopifyFulfillment,
  type ShopifyFulfillmentOrder,
  type ShopifyTracking,
} from './plan.js';
import { createFulfillmentStore, type FulfillmentStore } from './store.js';
import { requestStockPush } from '../inventory/index.js';

const LANE = 'fulfillments' as const;

type FulfillmentJob = WebhookJob | OutboxJob;

export function createFulfillmentsFlow(): Flow {
  return {
    name: 'fulfillments',
    async register(ctx: FlowContext) {
      const store = createFulfillmentStore(ctx.pool, ctx.config.database.appSchema);
      await ctx.queue.work<FulfillmentJob>('fulfillments', (job) => handleFulfillmentJob(ctx, store, job), { batchSize: 5 });
    },
  };
}

export const fulfillmentsFlow: Flow = createFulfillmentsFlow();

export async function handleFulfillmentJob(ctx: FlowContext, store: FulfillmentStore, job: JobContext<FulfillmentJob>): Promise<void> {
  const data = job.data;
  if (data.source === 'webhook') {
    if (data.topic === 'fulfillments/create' || data.topic === 'fulfillments/update') {
      ctx.logger.info('fulfillments: Shopify fulfillment webhook noted; Odoo deliveries are the source of truth, nothing to write', {
        flow: 'fulfillments',
        topic: data.topic,
        order_gid: data.entityGid,
        outcome: 'noted',
      });
      return;
    }
    throw new PermanentError(`fulfillments: webhook topic ${data.topic} is not handled by this queue`);
  }
  if (data.type === 'delivery.done') return deliveryDone(ctx, store, data);
  throw new PermanentError(`fulfillments: outbox event ${data.type} is not handled by this queue`);
}

async function readFulfillments(ctx: FlowContext, orderGid: string): Promise<ShopifyFulfillment[]> {
  const data = await ctx.shopify.request<{ order: { fulfillments: ShopifyFulfillment[] } | null }>(
    'OrderFulfillments',
    { orderId: orderGid },
    { lane: LANE },
  );
  if (!data.order) throw new PermanentError(`fulfillments: order ${orderGid} does not exist in Shopify`);
  return data.order.fulfillments;
}

async function readFulfillmentOrders(ctx: FlowContext, orderGid: string): Promise<ShopifyFulfillmentOrder[]> {
  const data = await ctx.shopify.request<{ order: { fulfillmentOrders: { nodes: ShopifyFulfillmentOrder[] } } | null }>(
    'FulfillmentOrdersForOrder',
    { orderId: orderGid },
    { lane: LANE },
  );
  if (!data.order) throw new PermanentError(`fulfillments: order ${orderGid} does not exist in Shopify`);
  return data.order.fulfillmentOrders.nodes;
}

async function deliveryDone(ctx: FlowContext, store: FulfillmentStore, job: OutboxJob): Promise<void> {
  const pickingId = typeof job.payload.picking_id === 'number' ? job.payload.picking_id : job.resId;
  const doc = await ctx.odoo.exportDelivery({ picking_id: pickingId });
  const log = { flow: 'fulfillments', picking_id: pickingId, picking: doc.name, order_gid: doc.order_gid, event: job.eventUuid };
  if (doc.is_return || doc.state !== 'done') {
    ctx.logger.info(`fulfillments: picking ${doc.name} is ${doc.is_return ? 'a return' : `in state ${doc.state}`}; nothing to fulfill`, {
      ...log,
      outcome: 'skipped',
    });
    return;
  }
  const fulfillments = await readFulfillments(ctx, doc.order_gid);
  const intent =
    (await store.get(pickingId)) ??
    (await store.open(
      pickingId,
      doc.order_gid,
      fulfillments.map((f) => f.id).filter((id) => !doc.fulfillment_gids.includes(id)),
      [...doc.fulfillment_gids],
    ));

  // 1. A write an earlier attempt left in flight: did it happen? Read back, never write blind.
  if (intent.pending) {
    const exclude = new Set([...intent.known_fulfillments, ...intent.claimed, ...doc.fulfillment_gids]);
    const found = findSentFulfillment(intent.pending, fulfillments, exclude);
    if (found) {
      await store.claim(pickingId, found.id);
      intent.claimed.push(found.id);
      ctx.logger.info('fulfillments: the unanswered fulfillmentCreate had happened; found by read-back, not repeated', {
        ...log,
        fulfillment_gid: found.id,
        outcome: 'resolved',
      });
    } else {
      await store.setPending(pickingId, null);
      ctx.logger.info('fulfillments: the unanswered fulfillmentCreate had not happened; writing again', { ...log, outcome: 'retry' });
    }
  }

  // 2. Fulfillments of this picking not yet recorded on it in Odoo.
  for (const gid of intent.claimed) {
    if (doc.fulfillment_gids.includes(gid)) continue;
    await ctx.odoo.recordSyncResult({ model: 'stock.picking', res_id: pickingId, state: 'synced', shopify_gid: gid });
    doc.fulfillment_gids.push(gid);
  }

  // 3. What is delivered but not shipped in Shopify yet → new fulfillments.
  const mine = new Set(doc.fulfillment_gids);
  const tracking = trackingInput(doc.tracking);
  const wanted = stillToFulfill(
    doc.lines,
    fulfillments.filter((f) => mine.has(f.id)),
  );
  let created = 0;
  const createdGids: string[] = [];
  if (Object.keys(wanted).length > 0) {
    const plan = planFulfillment(wanted, await readFulfillmentOrders(ctx, doc.order_gid), doc.location_gid);
    const shortfall = Object.entries(plan.shortfall)
      .map(([line, q]) => `${q} × ${line}`)
      .join(', ');
    if (plan.groups.length === 0) {
      const message = `Nothing open in Shopify to fulfill for ${doc.name}: ${shortfall} (fulfilled or cancelled in Shopify already?)`;
      await ctx.odoo.recordSyncResult({ model: 'stock.picking', res_id: pickingId, state: 'error', message });
      throw new PermanentError(`fulfillments: ${message}`);
    }
    for (const group of plan.groups) {
      const gid = await createFulfillment(ctx, store, doc, group, tracking);
      created += 1;
      createdGids.push(gid);
      await ctx.odoo.recordSyncResult({
        model: 'stock.picking',
        res_id: pickingId,
        state: 'synced',
        shopify_gid: gid,
        message: shortfall ? `Shopify had no open quantity for ${shortfall}; the rest was fulfilled.` : null,
      });
      ctx.logger.info('fulfillments: fulfillment created in Shopify', {
        ...log,
        fulfillment_gid: gid,
        lines: group.lines,
        tracking_number: tracking?.number ?? null,
        outcome: 'created',
      });
    }
  }

  // Shopify took the fulfilled units off its on_hand, which the delivery in Odoo had already
  // lowered through the inventory flow: re-push these variants' stock so Shopify holds Odoo's
  // quantity again (docs/flows.md, Inventory: fulfillments).
  // The fulfillment is done either way: a failure here is logged, and the inventory reconcile
  // repairs the level if the push was not asked for.
  if (createdGids.length > 0) {
    await requestStockPush(ctx, {
      skus: [...new Set(doc.lines.map((l) => l.sku))],
      ...(doc.location_gid ? { locationGids: [doc.location_gid] } : {}),
      reason: `fulfillment:${pickingId}:${createdGids.join(',')}`,
    }).catch((error: unknown) =>
      ctx.logger.warn('fulfillments: could not ask for the stock re-push; the inventory reconcile will repair it', { ...log, error }),
    );
  }

  // 4. Tracking entered or changed after the fulfillment was created.
  let updated = 0;
  if (tracking) {
    for (const f of fulfillments) {
      if (!mine.has(f.id) || f.status === 'CANCELLED' || !trackingDiffers(f, tracking)) continue;
      await ctx.shopify.request(
        'FulfillmentTrackingInfoUpdate',
        { fulfillmentId: f.id, trackingInfoInput: trackingVariables(tracking), notifyCustomer: ctx.config.fulfillment.notifyCustomer },
        { lane: LANE, retrySafe: true }, // setting the same tracking twice is harmless
      );
      updated += 1;
      ctx.logger.info('fulfillments: tracking updated in Shopify', {
        ...log,
        fulfillment_gid: f.id,
        tracking_number: tracking.number,
        outcome: 'tracking_updated',
      });
    }
    if (updated) await ctx.odoo.recordSyncResult({ model: 'stock.picking', res_id: pickingId, state: 'synced' });
  }
  if (!created && !updated) ctx.logger.info('fulfillments: Shopify already matches the delivery', { ...log, outcome: 'unchanged' });
}

function trackingVariables(t: ShopifyTracking): Record<string, string> {
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== null)) as Record<string, string>;
}

async function createFulfillment(
  ctx: FlowContext,
  store: FulfillmentStore,
  doc: FulfillmentDocument,
  group: FulfillmentGroup,
  tracking: ShopifyTracking | null,
): Promise<string> {
  // Journal what is sent before sending it: if no answer comes, the next attempt reads back.
  await store.setPending(doc.picking_id, { lines: group.lines, trackingNumber: tracking?.number ?? null });
  let answer: { fulfillmentCreate: { fulfillment: { id: string } | null } };
  try {
    answer = await ctx.shopify.request(
      'FulfillmentCreate',
      {
        fulfillment: {
          lineItemsByFulfillmentOrder: group.lineItemsByFulfillmentOrder,
          notifyCustomer: ctx.config.fulfillment.notifyCustomer,
          ...(tracking ? { trackingInfo: trackingVariables(tracking) } : {}),
        },
      },
      { lane: LANE },
    );
  } catch (error) {
    if (error instanceof ShopifyUserErrors && !error.retryable) {
      await store.setPending(doc.picking_id, null);
      const message = error.userErrors.map((e) => e.message).join('; ');
      await ctx.odoo.recordSyncResult({
        model: 'stock.picking',
        res_id: doc.picking_id,
        state: 'error',
        message: `Shopify refused the fulfillment: ${message}`,
      });
    } else if (error instanceof ShopifyError && error.mayHaveExecuted) {
      throw new RetryableError(
        `fulfillments: fulfillmentCreate for ${doc.name} got no answer; the retry reads the order's fulfillments back before writing again`,
        {
          cause: error,
          details: { picking_id: doc.picking_id, order_gid: doc.order_gid },
        },
      );
    } else if (error instanceof ShopifyError) {
      // Certainly not executed (e.g. throttled beyond the client's retries).
      await store.setPending(doc.picking_id, null);
    }
    throw error;
  }
  const gid = answer.fulfillmentCreate.fulfillment?.id;
  if (!gid) throw new PermanentError(`fulfillments: fulfillmentCreate for ${doc.name} returned no fulfillment`);
  await store.claim(doc.picking_id, gid);
  return gid;
}
