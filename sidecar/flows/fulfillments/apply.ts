/**
 * Fulfillments, writes to Shopify for a delivery done in Odoo (docs/flows.md, "Fulfillment"):
 * resolve a write left in flight by an earlier attempt (read back, never a blind retry) → record
 * the picking's fulfillments in Odoo → fulfillmentCreate per location for what the picking still
 * has to ship → ask the inventory flow to re-push the stock → fulfillmentTrackingInfoUpdate where
 * Odoo's tracking differs.
 */
import type { OutboxJob } from '../../jobs.js';
import type { ApplyFulfillmentResult, FulfillmentDocument } from '../../odoo/contract.js';
import { PermanentError, RetryableError, WaitingError } from '../../queue/errors.js';
import { ShopifyError, ShopifyUserErrors } from '../../shopify/errors.js';
import type { FulfillmentCreateMutation } from '../../shopify/index.js';
import type { FlowContext } from '../context.js';
import { showRefusalOnOrder } from '../sale-order.js';
import { ignored, type JobOutcome } from '../define-flow.js';
import { requestStockPush } from '../inventory/apply.js';
import {
  findSentFulfillment,
  fulfillmentsToApply,
  notFulfilledElsewhere,
  pickingIdOf,
  planFulfillment,
  shopifyFulfillmentDocument,
  stillToFulfill,
  trackingDiffers,
  trackingInput,
  type FulfillmentGroup,
  type LineQuantities,
  type ShopifyFulfillmentRead,
  type ShopifyTrackingInfo,
} from './map.js';
import { LANE, exportDelivery, readFulfillmentOrders, readFulfillments } from './read.js';
import type { FulfillmentIntent, FulfillmentStore } from './store.js';

/** The fields every detail line of one delivery carries. */
const about = (doc: FulfillmentDocument) => ({ pickingId: doc.picking_id, picking: doc.name, orderGid: doc.order_gid });

export async function deliveryDone(ctx: FlowContext, store: FulfillmentStore, job: OutboxJob<'delivery.done'>): Promise<JobOutcome> {
  const pickingId = pickingIdOf(job);
  const doc = await exportDelivery(ctx, pickingId);
  const fields = { picking: doc.name, orderGid: doc.order_gid };
  if (doc.is_return || doc.state !== 'done') {
    const what = doc.is_return ? 'a return' : `in state ${doc.state}`;
    return ignored('skipped', `the picking is ${what}`, {
      message: `fulfillments: picking ${doc.name} is ${what}; nothing to fulfill`,
      fields,
    });
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
  const resolved = await resolvePending(ctx, store, doc, intent, fulfillments);
  await recordClaimed(ctx, doc, intent);
  const mine = fulfillments.filter((f) => doc.fulfillment_gids.includes(f.id));
  const tracking = trackingInput(doc.tracking);
  const others = fulfillments.filter((f) => !doc.fulfillment_gids.includes(f.id));
  const created = await createMissing(ctx, store, doc, mine, others, tracking);
  if (created.length > 0) await askStockRepush(ctx, doc, created);
  const updated = tracking ? await updateTracking(ctx, doc, mine, tracking) : 0;
  if (created.length > 0)
    return {
      outcome: 'created',
      message: `fulfillments: ${created.length} fulfillment(s) created in Shopify`,
      fields: { ...fields, fulfillmentGids: created },
    };
  if (updated > 0)
    return { outcome: 'tracking_updated', message: 'fulfillments: tracking updated in Shopify', fields: { ...fields, updated } };
  // Nothing to write: the picking's fulfillments in Shopify ship it already (ours, or made in
  // Shopify and recorded on it by apply_fulfillment); a flag or a pending state ends here.
  await ctx.odoo.recordSyncResult({ model: 'stock.picking', res_id: doc.picking_id, state: 'synced' });
  if (resolved)
    return { outcome: 'resolved', message: 'fulfillments: the unanswered write had happened; Shopify matches the delivery', fields };
  return { outcome: 'unchanged', message: 'fulfillments: Shopify already matches the delivery', fields };
}

/** 1. A write an earlier attempt left in flight: did it happen? Read back, never write blind. */
async function resolvePending(
  ctx: FlowContext,
  store: FulfillmentStore,
  doc: FulfillmentDocument,
  intent: FulfillmentIntent,
  fulfillments: readonly ShopifyFulfillmentRead[],
): Promise<boolean> {
  if (!intent.pending) return false;
  const exclude = new Set([...intent.known_fulfillments, ...intent.claimed, ...doc.fulfillment_gids]);
  const found = findSentFulfillment(intent.pending, fulfillments, exclude);
  if (!found) {
    await store.setPending(doc.picking_id, null);
    ctx.logger.info('fulfillments: the unanswered fulfillmentCreate had not happened; writing again', { ...about(doc), step: 'rewrite' });
    return false;
  }
  await store.claim(doc.picking_id, found.id);
  intent.claimed.push(found.id);
  ctx.logger.info('fulfillments: the unanswered fulfillmentCreate had happened; found by read-back, not repeated', {
    ...about(doc),
    step: 'resolved',
    fulfillmentGid: found.id,
  });
  return true;
}

/** 2. Fulfillments of this picking not yet recorded on it in Odoo. */
async function recordClaimed(ctx: FlowContext, doc: FulfillmentDocument, intent: FulfillmentIntent): Promise<void> {
  for (const gid of intent.claimed) {
    if (doc.fulfillment_gids.includes(gid)) continue;
    await ctx.odoo.recordSyncResult({ model: 'stock.picking', res_id: doc.picking_id, state: 'synced', shopify_gid: gid });
    doc.fulfillment_gids.push(gid);
  }
}

/** 3. What is delivered but not shipped in Shopify yet → new fulfillments; their GIDs. */
async function createMissing(
  ctx: FlowContext,
  store: FulfillmentStore,
  doc: FulfillmentDocument,
  mine: readonly ShopifyFulfillmentRead[],
  others: readonly ShopifyFulfillmentRead[],
  tracking: ShopifyTrackingInfo | null,
): Promise<string[]> {
  const wanted = stillToFulfill(doc.lines, mine);
  if (Object.keys(wanted).length === 0) return [];
  const plan = planFulfillment(wanted, await readFulfillmentOrders(ctx, doc.order_gid), doc.location_gid);
  const shortfall = Object.entries(plan.shortfall)
    .map(([line, q]) => `${q} × ${line}`)
    .join(', ');
  if (plan.groups.length === 0) {
    await nothingOpen(ctx, doc, notFulfilledElsewhere(plan.shortfall, others), shortfall);
    return [];
  }
  const created: string[] = [];
  for (const group of plan.groups) {
    const gid = await createFulfillment(ctx, store, doc, group, tracking);
    created.push(gid);
    await ctx.odoo.recordSyncResult({
      model: 'stock.picking',
      res_id: doc.picking_id,
      state: 'synced',
      shopify_gid: gid,
      message: shortfall ? `Shopify had no open quantity for ${shortfall}; the rest was fulfilled.` : null,
    });
    ctx.logger.info('fulfillments: fulfillment created in Shopify', {
      ...about(doc),
      step: 'created',
      fulfillmentGid: gid,
      lines: group.lines,
      trackingNumber: tracking?.number ?? null,
    });
  }
  return created;
}

/**
 * Nothing open in Shopify for the delivered units. Fulfilled in Shopify already (POS, an app, the
 * Shopify admin; docs/flows.md, "Fulfillments made in Shopify"): the delivery is done on both sides.
 * Neither open nor fulfilled (removed or refunded in Shopify): a person decides, on the picking.
 */
async function nothingOpen(ctx: FlowContext, doc: FulfillmentDocument, missing: LineQuantities, shortfall: string): Promise<void> {
  if (Object.keys(missing).length === 0) {
    const message = `Fulfilled in Shopify already (${shortfall}): nothing more to send.`;
    await ctx.odoo.recordSyncResult({ model: 'stock.picking', res_id: doc.picking_id, state: 'synced', message });
    ctx.logger.info('fulfillments: the delivered units were fulfilled in Shopify already', { ...about(doc), step: 'fulfilled_in_shopify' });
    return;
  }
  const message = `Nothing open in Shopify to fulfill for ${doc.name}: ${shortfall} (cancelled, removed or refunded in Shopify?)`;
  await ctx.odoo.recordSyncResult({ model: 'stock.picking', res_id: doc.picking_id, state: 'error', message });
  throw new PermanentError(`fulfillments: ${message}`);
}

/**
 * Shopify took the fulfilled units off its on_hand, which the delivery in Odoo had already lowered
 * through the inventory flow: re-push these variants' stock so Shopify holds Odoo's quantity again
 * (docs/flows.md, Inventory: fulfillments). The fulfillment is done either way: a failure here is
 * logged, and the inventory reconcile repairs the level if the push was not asked for.
 */
async function askStockRepush(ctx: FlowContext, doc: FulfillmentDocument, created: readonly string[]): Promise<void> {
  await requestStockPush(ctx, {
    // A line without SKU cannot be matched to a variant; the reconcile covers it.
    skus: [...new Set(doc.lines.flatMap((l) => (l.sku ? [l.sku] : [])))],
    ...(doc.location_gid ? { locationGids: [doc.location_gid] } : {}),
    reason: `fulfillment:${doc.picking_id}:${created.join(',')}`,
  }).catch((error: unknown) =>
    ctx.logger.warn('fulfillments: could not ask for the stock re-push; the inventory reconcile will repair it', { ...about(doc), error }),
  );
}

/** 4. Tracking entered or changed after the fulfillment was created; how many were updated. */
async function updateTracking(
  ctx: FlowContext,
  doc: FulfillmentDocument,
  mine: readonly ShopifyFulfillmentRead[],
  tracking: ShopifyTrackingInfo,
): Promise<number> {
  let updated = 0;
  for (const f of mine) {
    if (f.status === 'CANCELLED' || !trackingDiffers(f, tracking)) continue;
    await ctx.shopify.request(
      'FulfillmentTrackingInfoUpdate',
      { fulfillmentId: f.id, trackingInfoInput: trackingVariables(tracking), notifyCustomer: ctx.config.fulfillment.notifyCustomer },
      { lane: LANE, retrySafe: true }, // setting the same tracking twice is harmless
    );
    updated += 1;
    ctx.logger.info('fulfillments: tracking updated in Shopify', {
      ...about(doc),
      step: 'tracking_updated',
      fulfillmentGid: f.id,
      trackingNumber: tracking.number,
    });
  }
  if (updated) await ctx.odoo.recordSyncResult({ model: 'stock.picking', res_id: doc.picking_id, state: 'synced' });
  return updated;
}

function trackingVariables(t: ShopifyTrackingInfo): Record<string, string> {
  return Object.fromEntries(Object.entries(t).filter((entry): entry is [string, string] => entry[1] !== null));
}

async function createFulfillment(
  ctx: FlowContext,
  store: FulfillmentStore,
  doc: FulfillmentDocument,
  group: FulfillmentGroup,
  tracking: ShopifyTrackingInfo | null,
): Promise<string> {
  // Journal what is sent before sending it: if no answer comes, the next attempt reads back.
  await store.setPending(doc.picking_id, { lines: group.lines, trackingNumber: tracking?.number ?? null });
  let answer: FulfillmentCreateMutation;
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
    throw await settleFailedCreate(ctx, store, doc, error);
  }
  const gid = answer.fulfillmentCreate?.fulfillment?.id;
  if (!gid) throw new PermanentError(`fulfillments: fulfillmentCreate for ${doc.name} returned no fulfillment`);
  await store.claim(doc.picking_id, gid);
  return gid;
}

/** After a failed fulfillmentCreate: what the journal and the binding must say, and the error to throw. */
async function settleFailedCreate(ctx: FlowContext, store: FulfillmentStore, doc: FulfillmentDocument, error: unknown): Promise<unknown> {
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
    return new RetryableError(
      `fulfillments: fulfillmentCreate for ${doc.name} got no answer; the retry reads the order's fulfillments back before writing again`,
      { cause: error, details: { pickingId: doc.picking_id, orderGid: doc.order_gid } },
    );
  } else if (error instanceof ShopifyError) {
    // Certainly not executed (e.g. throttled beyond the client's retries).
    await store.setPending(doc.picking_id, null);
  }
  return error;
}

// ---- Fulfillments made in Shopify → Odoo (docs/flows.md, "Fulfillments made in Shopify") ----

export interface AppliedFulfillment {
  fulfillmentGid: string;
  status: ApplyFulfillmentResult['status'];
  pickingIds: number[];
}

/**
 * The order's fulfillments re-read (a webhook's payload is never trusted) and each one this flow did
 * not create applied to the Odoo delivery (apply_fulfillment: validated or flagged by the policy,
 * recorded, cancelled; known ones answer `unchanged`). What changed Odoo's deliveries asks for a
 * stock re-push, so Shopify is never sent units it fulfilled already.
 */
export async function fulfillmentsMadeInShopify(
  ctx: FlowContext,
  store: FulfillmentStore,
  orderGid: string,
): Promise<AppliedFulfillment[]> {
  const journal = await store.ofOrder(orderGid);
  // A fulfillmentCreate of ours still unanswered: its delivery's retry reads it back first.
  if (journal.pending)
    throw new WaitingError(
      `the answer to our fulfillment of order ${orderGid}`,
      `fulfillments: a fulfillment sent for order ${orderGid} is unanswered; Shopify's fulfillments wait for it`,
    );
  const fulfillments = fulfillmentsToApply(await readFulfillments(ctx, orderGid), journal.claimed);
  const applied: AppliedFulfillment[] = [];
  for (const f of fulfillments) {
    const doc = shopifyFulfillmentDocument(f, orderGid);
    if (!doc) continue;
    let result: ApplyFulfillmentResult;
    try {
      result = await ctx.odoo.applyFulfillment(doc);
    } catch (error) {
      throw await showRefusalOnOrder(ctx, orderGid, `Shopify fulfillment ${f.name} not applied`, error);
    }
    applied.push({ fulfillmentGid: f.id, status: result.status, pickingIds: result.picking_ids });
    if (result.status === 'unchanged') continue;
    ctx.logger.info('fulfillments: a fulfillment made in Shopify applied in Odoo', {
      orderGid,
      fulfillmentGid: f.id,
      step: result.status,
      pickingIds: result.picking_ids,
      backorderIds: result.backorder_ids,
    });
    await requestStockPush(ctx, {
      skus: [...new Set(doc.lines.flatMap((l) => (l.sku ? [l.sku] : [])))],
      ...(doc.location_gid ? { locationGids: [doc.location_gid] } : {}),
      reason: `shopify-fulfillment:${f.id}:${f.status}`,
    }).catch((error: unknown) =>
      ctx.logger.warn('fulfillments: could not ask for the stock re-push; the inventory reconcile will repair it', {
        orderGid,
        fulfillmentGid: f.id,
        error,
      }),
    );
  }
  return applied;
}
