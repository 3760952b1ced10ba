/**
 * Webhook subscriptions, writes: a plan (./map.ts) applied to the shop — ours at an old address
 * deleted, missing topics subscribed at the callback URL — each failure kept in the result, never
 * thrown (the next tick repairs it).
 */
import { isWebhookSubscriptionTopic, ShopifyUserErrors, type ShopifyClient } from '../../shopify/index.js';
import { deletedSince, topicToEnum, type SubscriptionPlan } from './map.js';
import { LANE } from './read.js';
import type { SubscriptionCheckResult } from './store.js';

async function create(shopify: ShopifyClient, topic: string, callbackUrl: string): Promise<string | null> {
  const topicEnum = topicToEnum(topic);
  if (!isWebhookSubscriptionTopic(topicEnum))
    throw new Error(`${topic} has no WebhookSubscriptionTopic value (${topicEnum}) in this API version`);
  try {
    const data = await shopify.request(
      'WebhookSubscriptionCreate',
      { topic: topicEnum, webhookSubscription: { uri: callbackUrl, format: 'JSON' } },
      // Repeating it cannot duplicate: Shopify refuses a second subscription of a topic to one address.
      { lane: LANE, retrySafe: true },
    );
    return data.webhookSubscriptionCreate?.webhookSubscription?.id ?? null;
  } catch (error) {
    // A retried create whose first attempt went through: the subscription is there.
    if (error instanceof ShopifyUserErrors && error.message.includes('already been taken')) return null;
    throw error;
  }
}

async function remove(shopify: ShopifyClient, id: string): Promise<void> {
  try {
    await shopify.request('WebhookSubscriptionDelete', { id }, { lane: LANE, retrySafe: true });
  } catch (error) {
    if (error instanceof ShopifyUserErrors && /does not exist|not found/i.test(error.message)) return;
    throw error;
  }
}

/** Applies `plan`, recording in `result` what was replaced, created, recreated, and what failed. */
export async function applyPlan(
  shopify: ShopifyClient,
  plan: SubscriptionPlan,
  known: ReadonlyArray<{ topic: string; id: string }>,
  result: SubscriptionCheckResult,
): Promise<void> {
  const vanished = new Map(deletedSince(known, plan).map((v) => [v.topic, v.id]));
  for (const old of plan.remove) {
    try {
      await remove(shopify, old.id);
      result.replaced.push({ topic: old.topic, uri: old.uri });
    } catch (error) {
      result.errors.push({ topic: old.topic, message: `delete ${old.id} (${old.uri}): ${(error as Error).message}` });
    }
  }
  for (const topic of plan.create) {
    try {
      const id = await create(shopify, topic, result.callbackUrl);
      const previousId = vanished.get(topic);
      if (previousId) result.recreated.push({ topic, previousId, id });
      else result.created.push({ topic, id: id ?? '' });
    } catch (error) {
      result.errors.push({ topic, message: (error as Error).message });
    }
  }
}
