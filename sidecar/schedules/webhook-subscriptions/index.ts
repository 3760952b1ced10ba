/**
 * Keeps the shop's webhook subscriptions in place (docs/flows.md, "Webhook subscriptions"): at start
 * and on WEBHOOK_CHECK_CRON (the scheduled queue `webhooks.subscriptions`, one run per tick across
 * replicas), it lists the shop-scoped subscriptions, creates the missing ones at
 * `${PUBLIC_URL}/webhooks/shopify`, replaces ours that point at an old address, leaves foreign
 * ones alone, and reports a subscription that disappeared since the last check (Shopify deletes
 * API-created subscriptions after 8 failed deliveries) as an error. The last result is kept in
 * `<appSchema>.sidecar_state` so metrics and `doctor` can read it from any replica.
 *
 * A scheduled job, not a data flow (no entity, no Odoo): wired from app.ts before the Odoo check,
 * since webhooks must reach the inbox even while Odoo is down.
 */
import type pg from 'pg';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config/index.js';
import type { RegistrationContext } from '../../flows/context.js';
import { defineFlow } from '../../flows/define-flow.js';
import { WEBHOOK_TOPICS } from '../../jobs.js';
import type { Logger } from '../../observability/logger.js';
import type { SyncQueue } from '../../queue/queue.js';
import type { ShopifyClient } from '../../shopify/index.js';
import { applyPlan } from './apply.js';
import { CALLBACK_PATH, planSubscriptions } from './map.js';
import { listSubscriptions } from './read.js';
import { knownSubscriptions, readLastCheck, saveLastCheck, type SubscriptionCheckResult } from './store.js';

export type { SubscriptionCheckResult } from './store.js';

export const SUBSCRIPTIONS_QUEUE = 'webhooks.subscriptions' as const;

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
  clock: Clock;
  /** Topics to subscribe; default every routed topic (jobs.ts). */
  topics?: readonly string[];
}

function logResult(logger: Logger, result: SubscriptionCheckResult): void {
  // A recreated subscription means deliveries failed or someone deleted it: webhooks sent in
  // between were lost (the orders pull catches orders; other topics only at the next change).
  for (const r of result.recreated) {
    logger.error('webhook subscription was deleted and has been recreated', {
      topic: r.topic,
      previousId: r.previousId,
      id: r.id,
      callbackUrl: result.callbackUrl,
    });
  }
  for (const e of result.errors) logger.error('webhook subscription check failed', { topic: e.topic, error: e.message });
  for (const w of result.warnings) logger.warn('webhook subscription configuration', { warning: w });
  if (result.created.length)
    logger.info('webhook subscriptions created', { topics: result.created.map((c) => c.topic), callbackUrl: result.callbackUrl });
  if (result.replaced.length)
    logger.info('webhook subscriptions moved to the current PUBLIC_URL', { replaced: result.replaced, callbackUrl: result.callbackUrl });
}

export function createWebhookSubscriptions(deps: WebhookSubscriptionsDeps): WebhookSubscriptions {
  const { config, pool, shopify, logger } = deps;
  const schema = config.database.appSchema;
  const callbackUrl = `${config.publicUrl}${CALLBACK_PATH}`;
  const topics = deps.topics ?? WEBHOOK_TOPICS;

  async function check(): Promise<SubscriptionCheckResult> {
    const known = knownSubscriptions(await readLastCheck(pool, schema));
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
    try {
      const plan = planSubscriptions({
        topics,
        callbackUrl,
        apiVersion: config.shopify.apiVersion,
        existing: await listSubscriptions(shopify),
      });
      Object.assign(result, { present: plan.present, foreign: plan.foreign, warnings: plan.warnings });
      await applyPlan(shopify, plan, known, result);
    } catch (error) {
      result.errors.push({ topic: '*', message: `listing subscriptions: ${(error as Error).message}` });
      // Keep what the last successful check knew, so a deletion is still recognised next time.
      result.present = known;
    }
    result.ok = result.errors.length === 0;
    logResult(logger, result);
    await saveLastCheck(pool, schema, result);
    return result;
  }

  const schedule = defineFlow<RegistrationContext>({
    name: 'webhook-subscriptions',
    queues: {
      [SUBSCRIPTIONS_QUEUE]: {
        schedule: (c: Config) => c.webhooks.checkCron,
        async handle() {
          const result = await check();
          return result.ok
            ? {
                outcome: 'ok',
                message: 'webhook subscriptions checked',
                fields: { created: result.created.length, recreated: result.recreated.length },
              }
            : {
                outcome: 'errors',
                level: 'warn',
                message: 'webhook subscription check finished with errors',
                fields: { errors: result.errors.length },
              };
        },
      },
    },
  });

  return {
    check,
    async start() {
      if (!config.webhooks.manageSubscriptions) {
        logger.info('webhook subscriptions are not managed (WEBHOOK_SUBSCRIPTIONS_MANAGE=false)');
        return null;
      }
      await schedule.register(deps);
      return check();
    },
    lastCheck: () => readLastCheck(pool, schema),
  };
}
