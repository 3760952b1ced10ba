/**
 * Webhook topics: REST form (`orders/create`, header X-Shopify-Topic) and GraphQL enum form
 * (`ORDERS_CREATE`, WebhookSubscriptionTopic). Pure.
 */
export function topicToEnum(topic: string): string {
  return topic.toUpperCase().replace('/', '_');
}

/** Compliance topics have no WebhookSubscriptionTopic value: app configuration only. */
export const COMPLIANCE_TOPICS = ['customers/data_request', 'customers/redact', 'shop/redact'] as const;

/** Topics the simulator emits. */
export const EMITTED_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/cancelled',
  'orders/paid',
  'orders/edited',
  'refunds/create',
  'returns/request',
  'returns/approve',
  'returns/decline',
  'returns/cancel',
  'returns/close',
  'returns/reopen',
  'returns/process',
  'fulfillments/create',
  'fulfillments/update',
  'products/create',
  'bulk_operations/finish',
  'products/update',
  'inventory_levels/update',
  'customers/create',
  'customers/update',
  'customers/delete',
  'app/uninstalled',
  ...COMPLIANCE_TOPICS,
] as const;
