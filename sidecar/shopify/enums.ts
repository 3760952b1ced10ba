/**
 * Run-time checks that a string is a value of a Shopify enum the sidecar sends, for strings that
 * come from elsewhere (an Odoo partner's country code, a routed webhook topic): the variables of a
 * request are typed by their document, so such a string becomes the enum's type only after this
 * check. The values are the pinned schema's, generated with the operation types
 * (docs/architecture.md, "Generated types"). Pure.
 */
import { CountryCode, WebhookSubscriptionTopic } from './generated/operations.js';

const COUNTRY_CODES: ReadonlySet<string> = new Set(Object.values(CountryCode));
const WEBHOOK_SUBSCRIPTION_TOPICS: ReadonlySet<string> = new Set(Object.values(WebhookSubscriptionTopic));

/** True for a value of Shopify's `CountryCode` ("BE", "US"…). */
export function isCountryCode(value: string): value is CountryCode {
  return COUNTRY_CODES.has(value);
}

/** True for a value of Shopify's `WebhookSubscriptionTopic` ("ORDERS_CREATE"…). */
export function isWebhookSubscriptionTopic(value: string): value is WebhookSubscriptionTopic {
  return WEBHOOK_SUBSCRIPTION_TOPICS.has(value);
}
