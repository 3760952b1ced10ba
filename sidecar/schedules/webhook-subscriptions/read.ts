/** Webhook subscriptions, reads: the shop's API subscriptions (lane `orders`: a missing one loses orders). */
import type { ShopifyClient } from '../../shopify/index.js';
import type { ExistingSubscription } from './map.js';

export const LANE = 'orders' as const;

interface SubscriptionsPage {
  webhookSubscriptions: { nodes: ExistingSubscription[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/** Every subscription of the shop (at most 50 pages of 100). */
export async function listSubscriptions(shopify: ShopifyClient, lane: 'orders' | 'catalog' = LANE): Promise<ExistingSubscription[]> {
  const all: ExistingSubscription[] = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page++) {
    const data: SubscriptionsPage = await shopify.request<SubscriptionsPage>('WebhookSubscriptions', { first: 100, after }, { lane });
    all.push(...data.webhookSubscriptions.nodes);
    if (!data.webhookSubscriptions.pageInfo.hasNextPage) break;
    after = data.webhookSubscriptions.pageInfo.endCursor;
  }
  return all;
}
