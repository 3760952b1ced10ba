/** Webhook subscriptions, reads: the shop's API subscriptions (lane `orders`: a missing one loses orders). */
import type { ShopifyClient, WebhookSubscriptionsQuery } from '../../shopify/index.js';
import type { ShopifySubscriptionListed } from './map.js';

export const LANE = 'orders' as const;

/** Every subscription of the shop (at most 50 pages of 100). */
export async function listSubscriptions(shopify: ShopifyClient, lane: 'orders' | 'catalog' = LANE): Promise<ShopifySubscriptionListed[]> {
  const all: ShopifySubscriptionListed[] = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page++) {
    const data: WebhookSubscriptionsQuery = await shopify.request('WebhookSubscriptions', { first: 100, after }, { lane });
    all.push(...data.webhookSubscriptions.nodes);
    if (!data.webhookSubscriptions.pageInfo.hasNextPage) break;
    after = data.webhookSubscriptions.pageInfo.endCursor;
  }
  return all;
}
