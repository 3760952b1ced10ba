/**
 * Webhook subscriptions: which subscriptions the sidecar needs and what to do about the ones the
 * shop has. Pure: Shopify's subscription list in, a plan (create / delete / keep / report) out. The
 * subscriptions job applies it; `doctor` reports it (ops/doctor.ts), so both decide the same way.
 *
 * Rules (docs/flows.md, "Webhook subscriptions"):
 * - Every routed topic (jobs.ts) needs a shop-scoped subscription whose `uri` is exactly
 *   `${PUBLIC_URL}/webhooks/shopify`.
 * - Compliance topics (customers/redact, customers/data_request, shop/redact) have no
 *   WebhookSubscriptionTopic value: Shopify accepts them only in the app configuration
 *   (shopify.app.toml). They are reported as a configuration warning, never created.
 * - A subscription is "ours" when its uri ends in our callback path (`/webhooks/shopify`): ours
 *   pointing at another host (an old PUBLIC_URL) are deleted and replaced; anything else is
 *   foreign (another app, another integration) and is never touched.
 */

import type { WebhookSubscriptionsQuery } from '../../shopify/index.js';

/** The callback path of the webhook intake (http/webhooks/intake.ts). */
export const CALLBACK_PATH = '/webhooks/shopify';
export const COMPLIANCE_TOPICS: readonly string[] = Object.freeze(['customers/data_request', 'customers/redact', 'shop/redact']);

/** A subscription as WebhookSubscriptions lists it (the type generated from its document). */
export type ShopifySubscriptionListed = WebhookSubscriptionsQuery['webhookSubscriptions']['nodes'][number];

/**
 * What the plan reads of a subscription: its id, topic (the GraphQL enum form, e.g. ORDERS_CREATE)
 * and uri, and, when listed, what narrows or reshapes its deliveries.
 */
export type ExistingSubscription = Pick<ShopifySubscriptionListed, 'id' | 'topic' | 'uri'> &
  Partial<Pick<ShopifySubscriptionListed, 'includeFields' | 'filter' | 'apiVersion'>>;

export interface SubscriptionPlan {
  /** REST topics to subscribe (no subscription at the callback URL). */
  create: string[];
  /** Our subscriptions at another URL (an old PUBLIC_URL): delete, then the topic is (re)created. */
  remove: Array<{ id: string; topic: string; uri: string }>;
  /** REST topics already subscribed at the callback URL, with their subscription id. */
  present: Array<{ topic: string; id: string }>;
  /** Subscriptions that are not ours: listed, never changed. */
  foreign: Array<{ id: string; topic: string; uri: string }>;
  warnings: string[];
}

/** `orders/create` → `ORDERS_CREATE`. */
export function topicToEnum(topic: string): string {
  return topic.toUpperCase().replace(/\//g, '_');
}

/** The REST topics that can be subscribed through the Admin API (compliance topics excluded). */
export function managedTopics(topics: readonly string[]): string[] {
  return topics.filter((t) => !COMPLIANCE_TOPICS.includes(t));
}

export function isOurs(uri: string, callbackUrl: string): boolean {
  if (uri === callbackUrl) return true;
  try {
    return new URL(uri).pathname.replace(/\/+$/, '') === CALLBACK_PATH;
  } catch {
    return false;
  }
}

export function planSubscriptions(input: {
  topics: readonly string[];
  callbackUrl: string;
  apiVersion: string;
  existing: readonly ExistingSubscription[];
}): SubscriptionPlan {
  const { callbackUrl } = input;
  const wanted = managedTopics(input.topics);
  const wantedEnums = new Map(wanted.map((t) => [topicToEnum(t), t]));
  const plan: SubscriptionPlan = { create: [], remove: [], present: [], foreign: [], warnings: [] };

  for (const topic of input.topics.filter((t) => COMPLIANCE_TOPICS.includes(t))) {
    plan.warnings.push(
      `${topic}: compliance topic; Shopify accepts it only in the app configuration (shopify.app.toml ` +
        `[[webhooks.subscriptions]] compliance_topics, uri = "${callbackUrl}"), so the sidecar cannot create or check it`,
    );
  }

  const presentTopics = new Set<string>();
  for (const s of input.existing) {
    if (!isOurs(s.uri, callbackUrl)) {
      plan.foreign.push({ id: s.id, topic: s.topic, uri: s.uri });
      continue;
    }
    const rest = wantedEnums.get(s.topic);
    if (s.uri !== callbackUrl) {
      // Ours, at an old address: Shopify would keep delivering there. Replace it.
      plan.remove.push({ id: s.id, topic: s.topic, uri: s.uri });
      continue;
    }
    if (!rest) {
      plan.warnings.push(
        `${s.topic}: subscribed at ${callbackUrl} but the sidecar does not process it (deliveries are recorded as ignored)`,
      );
      continue;
    }
    presentTopics.add(rest);
    plan.present.push({ topic: rest, id: s.id });
    if (s.includeFields && s.includeFields.length) {
      plan.warnings.push(`${rest}: subscription ${s.id} narrows payloads with includeFields; the sidecar expects full payloads`);
    }
    if (s.filter)
      plan.warnings.push(`${rest}: subscription ${s.id} has a filter (${s.filter}); events it filters out are seen only by the pull`);
    if (s.apiVersion?.handle && s.apiVersion.handle !== input.apiVersion) {
      plan.warnings.push(
        `${rest}: deliveries are serialized with API ${s.apiVersion.handle}, the sidecar is pinned to ${input.apiVersion}; ` +
          `set the app's webhook API version to ${input.apiVersion}`,
      );
    }
  }
  for (const topic of wanted) if (!presentTopics.has(topic)) plan.create.push(topic);
  plan.present.sort((a, b) => a.topic.localeCompare(b.topic));
  return plan;
}

/**
 * Topics whose subscription existed at the previous check and is gone now, without the sidecar
 * having removed it: Shopify deleted it (8 failed deliveries for API-created subscriptions) or
 * someone did by hand. These are recreated and reported as errors.
 */
export function deletedSince(
  previous: ReadonlyArray<{ topic: string; id: string }>,
  plan: SubscriptionPlan,
): Array<{ topic: string; id: string }> {
  const present = new Set(plan.present.map((p) => p.id));
  return previous.filter((p) => !present.has(p.id) && plan.create.includes(p.topic));
}
