/**
 * Keeps the shop's webhook subscriptions in place (brief decision 3; issue 5 item 6): at start and
 * on WEBHOOK_CHECK_CRON (the scheduled queue `webhooks.subscriptions`, one run per tick across
 * replicas), it lists the shop-scoped subscriptions, creates the missing ones at
 * `${PUBLIC_URL}/webhooks/shopify`, replaces ours that point at an old address, leaves foreign
 * ones alone, and reports a subscription that disappeared since the last check (Shopify deletes
 * API-created subscriptions after 8 failed deliveries) as an error. The last result is kept in
 * `<appSchema>.sidecar_state` so metrics and `doctor` can read it from any replica.
 *
 * Not a data flow (no entity, no Odoo): it lives beside the flows because it has their shape
 * (pure plan.ts + apply here) and is wired from app.ts before the Odoo check, since webhooks must
 * reach the inbox even while Odoo is down.
 */
import type pg from 'pg';
import type { Config } from '../../config/index.js';
import { WEBHOOK_TOPICS } from '../../http/webhooks/topics.js';
import type { Logger } from '../../observability/logger.js';
import type { SyncQueue } from '../../queue/queue.js';
import { ShopifyUserErrors, type ShopifyClient } from '../../shopify/index.js';
import { readState, writeState } from '../../db/state.js';
import { CALLBACK_PATH, deletedSince, planSubscriptions, topicToEnum, type ExistingSubscription } from './plan.js';

export const SUBSCRIPTIONS_QUEUE = 'webhooks.subscriptions' as const;
const STATE_KEY = 'webhook_subscriptions.last_check';
/** Subscriptions are few and a missing one loses orders: they take the highest-priority lane. */
const LANE = 'orders' as const;

export interface SubscriptionCheckResult {
  checkedAt: string;
  callbackUrl: string;
  apiVersion: string;
  /** True when every managed topic is subscribed at the callback URL and nothing failed. */
  ok: boolean;
  created: Array<{ topic: string; id: string }>;
  /** Topics whose subscription vanished since the previous check and was created again. */
  recreated: Array<{ topic: string; previousId: string; id: string | null }>;
  /** Ours at an old address, deleted (and recreated at the callback URL). */
  replaced: Array<{ topic: string; uri: string }>;
  present: Array<{ topic: string; id: string }>;
  foreign: Array<{ id: string; topic: string; uri: string }>;
  warnings: string[];
  errors: Array<{ topic: string; message: string }>;
}

export interface WebhookSubscriptions {
  /** Checks and repairs now; never throws for Shopify failures (they are in `errors`). */
  check(): Promise<SubscriptionCheckResult>;
  /** First check, then the schedule and its worker. */
  start(): Promise<SubscriptionCheckResult | null>;
  /** The last check's result (this or another replica), or null before the first. */
  lastCheck(): Promise<SubscriptionCheckResult | null>;
}

export interface WebhookSubscriptionsDeps {
  config: Config;
  pool: pg.Pool;
  queue: SyncQueue;
  shopify: ShopifyClient;
  logger: Logger;
  /** Topics to subscribe; default every topic of http/webhooks/topics.ts. */
  topics?: readonly string[];
}

interface SubscriptionsPage {
  webhookSubscriptions: { nodes: ExistingSubscription[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

export function createWebhookSubscriptions(deps: WebhookSubscriptionsDeps): WebhookSubscriptions {
  const { config, pool, queue, shopify, logger } = deps;
  const schema = config.database.appSchema;
  const callbackUrl = `${config.publicUrl}${CALLBACK_PATH}`;
  const topics = deps.topics ?? Object.keys(WEBHOOK_TOPICS);

  async function list(): Promise<ExistingSubscription[]> {
    const all: ExistingSubscription[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const data: SubscriptionsPage = await shopify.request<SubscriptionsPage>(
        'WebhookSubscriptions',
        { first: 100, after },
        { lane: LANE },
      );
      all.push(...data.webhookSubscriptions.nodes);
      if (!data.webhookSubscriptions.pageInfo.hasNextPage) break;
      after = data.webhookSubscriptions.pageInfo.endCursor;
    }
    return all;
  }

  async function create(topic: string): Promise<string | null> {
    try {
      const data = await shopify.request<{ webhookSubscriptionCreate: { webhookSubscription: { id: string } | null } }>(
        'WebhookSubscriptionCreate',
        { topic: topicToEnum(topic), webhookSubscription: { uri: callbackUrl, format: 'JSON' } },
        // Repeating it cannot duplicate: Shopify refuses a second subscription of a topic to one address.
        { lane: LANE, retrySafe: true },
      );
      return data.webhookSubscriptionCreate.webhookSubscription?.id ?? null;
    } catch (error) {
      // A retried create whose first attempt went through: the subscription is there.
      if (error instanceof ShopifyUserErrors && error.message.includes('already been taken')) return null;
      throw error;
    }
  }

  async function remove(id: string): Promise<void> {
    try {
      await shopify.request('WebhookSubscriptionDelete', { id }, { lane: LANE, retrySafe: true });
    } catch (error) {
      if (error instanceof ShopifyUserErrors && /does not exist|not found/i.test(error.message)) return;
      throw error;
    }
  }

  async function check(): Promise<SubscriptionCheckResult> {
    const previous = (await readState<SubscriptionCheckResult>(pool, schema, STATE_KEY))?.value ?? null;
    const result: SubscriptionCheckResult = {
      checkedAt: new Date().toISOString(),
      callbackUrl,
      apiVersion: config.shopify.apiVersion,
      ok: false,
      created: [],
      recreated: [],
      replaced: [],
      present: [],
      foreign: [],
      warnings: [],
      errors: [],
    };
    // Everything the previous check saw or made; one of them missing now was deleted by Shopify.
    const known = [
      ...(previous?.present ?? []),
      ...(previous?.created ?? []).filter((c) => c.id),
      ...(previous?.recreated ?? []).flatMap((r) => (r.id ? [{ topic: r.topic, id: r.id }] : [])),
    ];
    try {
      const plan = planSubscriptions({ topics, callbackUrl, apiVersion: config.shopify.apiVersion, existing: await list() });
      result.present = plan.present;
      result.foreign = plan.foreign;
      result.warnings = plan.warnings;
      const vanished = new Map(deletedSince(known, plan).map((v) => [v.topic, v.id]));
      for (const old of plan.remove) {
        try {
          await remove(old.id);
          result.replaced.push({ topic: old.topic, uri: old.uri });
        } catch (error) {
          result.errors.push({ topic: old.topic, message: `delete ${old.id} (${old.uri}): ${(error as Error).message}` });
        }
      }
      for (const topic of plan.create) {
        try {
          const id = await create(topic);
          const previousId = vanished.get(topic);
          if (previousId) result.recreated.push({ topic, previousId, id });
          else result.created.push({ topic, id: id ?? '' });
        } catch (error) {
          result.errors.push({ topic, message: (error as Error).message });
        }
      }
    } catch (error) {
      result.errors.push({ topic: '*', message: `listing subscriptions: ${(error as Error).message}` });
      // Keep what the last successful check knew, so a deletion is still recognised next time.
      result.present = known;
    }
    result.ok = result.errors.length === 0;
    // A recreated subscription means deliveries failed or someone deleted it: webhooks sent in
    // between were lost (the orders pull catches orders; other topics only at the next change).
    for (const r of result.recreated) {
      logger.error('webhook subscription was deleted and has been recreated', {
        topic: r.topic,
        previousId: r.previousId,
        id: r.id,
        callbackUrl,
      });
    }
    for (const e of result.errors) logger.error('webhook subscription check failed', { topic: e.topic, error: e.message });
    for (const w of result.warnings) logger.warn('webhook subscription configuration', { warning: w });
    if (result.created.length) logger.info('webhook subscriptions created', { topics: result.created.map((c) => c.topic), callbackUrl });
    if (result.replaced.length)
      logger.info('webhook subscriptions moved to the current PUBLIC_URL', { replaced: result.replaced, callbackUrl });
    await writeState(pool, schema, STATE_KEY, result);
    return result;
  }

  return {
    check,
    async start() {
      if (!config.webhooks.manageSubscriptions) {
        logger.info('webhook subscriptions are not managed (WEBHOOK_SUBSCRIPTIONS_MANAGE=false)');
        return null;
      }
      await queue.work(SUBSCRIPTIONS_QUEUE, async () => {
        const result = await check();
        if (!result.ok) logger.warn('webhook subscription check finished with errors', { errors: result.errors.length });
      });
      await queue.schedule(SUBSCRIPTIONS_QUEUE, config.webhooks.checkCron);
      return check();
    },
    async lastCheck() {
      const stored = await readState<SubscriptionCheckResult>(pool, schema, STATE_KEY);
      return stored?.value ?? null;
    },
  };
}
