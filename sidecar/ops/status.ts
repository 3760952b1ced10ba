/**
 * The sidecar's status snapshot for Odoo's Shopify > Overview (contract report_status; the admin
 * API's GET /admin/api/status, which Odoo's Test connection calls): its version and contract, the
 * Shopify API version and the end of its support, the webhook subscriptions and when each topic
 * last arrived, and the backlog and dead letters of every flow queue with their oldest age.
 *
 * `live` reads the subscriptions from Shopify (one query); otherwise the last check of the
 * subscriptions schedule is used, so the periodic report spends no API budget.
 */
import type pg from 'pg';
import type { Clock } from '../clock.js';
import type { Config } from '../config/index.js';
import { lastDeliveryPerTopic } from '../inbox/inbox.js';
import { WEBHOOK_TOPICS } from '../jobs.js';
import type { StatusReport } from '../odoo/contract.js';
import { FLOW_QUEUES } from '../queue/names.js';
import type { SyncQueue } from '../queue/queue.js';
import { CONTRACT_VERSION } from '../rules/contract-version.js';
import { managedTopics } from '../schedules/webhook-subscriptions/map.js';
import { listSubscriptions } from '../schedules/webhook-subscriptions/read.js';
import { readLastCheck, type SubscriptionCheckResult } from '../schedules/webhook-subscriptions/store.js';
import { onboardingGate } from '../onboarding/index.js';
import { supportEnd, type ShopifyClient } from '../shopify/index.js';
import { SIDECAR_VERSION } from '../version.js';
import { compareSubscriptions } from './doctor.js';

export interface StatusDeps {
  config: Config;
  pool: pg.Pool;
  queue: Pick<SyncQueue, 'queueStats' | 'queueAges'>;
  shopify: ShopifyClient;
  clock: Clock;
  /** The subscriptions schedule's last check (schedules/webhook-subscriptions). */
  lastSubscriptionCheck: () => Promise<SubscriptionCheckResult | null>;
  onboardingComplete: () => Promise<boolean>;
}

type Webhooks = StatusReport['webhooks'];

/** Subscribed and missing topics as the subscriptions schedule last saw them (pure). */
export function webhooksFromCheck(check: SubscriptionCheckResult): Pick<Webhooks, 'callback_url' | 'subscribed' | 'required' | 'missing'> {
  const required = managedTopics(WEBHOOK_TOPICS);
  const subscribed = new Set([
    ...check.present.map((s) => s.topic),
    ...check.created.map((s) => s.topic),
    ...check.recreated.filter((s) => s.id).map((s) => s.topic),
  ]);
  const missing = required.filter((topic) => !subscribed.has(topic));
  return { callback_url: check.callbackUrl, subscribed: required.length - missing.length, required: required.length, missing };
}

async function subscriptions(
  deps: StatusDeps,
  live: boolean,
): Promise<Pick<Webhooks, 'callback_url' | 'subscribed' | 'required' | 'missing'>> {
  const check = live ? null : await deps.lastSubscriptionCheck();
  if (check) return webhooksFromCheck(check);
  const result = compareSubscriptions(await listSubscriptions(deps.shopify, 'catalog'), deps.config);
  return {
    callback_url: result.expectedUri,
    subscribed: result.required - result.missing.length,
    required: result.required,
    missing: result.missing,
  };
}

async function topics(deps: StatusDeps): Promise<Webhooks['topics']> {
  const seen = new Map((await lastDeliveryPerTopic(deps.pool, deps.config.database.appSchema, deps.clock())).map((t) => [t.topic, t]));
  const all = [...new Set<string>([...WEBHOOK_TOPICS, ...seen.keys()])];
  return all.map((topic) => {
    const row = seen.get(topic);
    return { topic, last_received_at: row ? row.lastReceivedAt.toISOString() : null, count_24h: row?.count24h ?? 0 };
  });
}

async function queues(deps: StatusDeps): Promise<StatusReport['queues']> {
  const [stats, ages] = await Promise.all([deps.queue.queueStats(), deps.queue.queueAges()]);
  const flows: readonly string[] = FLOW_QUEUES;
  return stats
    .filter((s) => flows.includes(s.queue))
    .map((s) => {
      const age = ages.find((a) => a.queue === s.queue);
      return {
        queue: s.queue,
        waiting: s.queued,
        oldest_waiting_at: age?.oldestWaitingAt?.toISOString() ?? null,
        dead_letters: s.dlq,
        oldest_dead_letter_at: age?.oldestDeadLetterAt?.toISOString() ?? null,
      };
    });
}

export async function readStatus(deps: StatusDeps, options: { live: boolean }): Promise<StatusReport> {
  const version = deps.config.shopify.apiVersion;
  const [hooks, delivered, backlog, complete] = await Promise.all([
    subscriptions(deps, options.live),
    topics(deps),
    queues(deps),
    deps.onboardingComplete(),
  ]);
  return {
    checked_at: new Date(deps.clock()).toISOString(),
    sidecar_version: SIDECAR_VERSION,
    contract_version: CONTRACT_VERSION,
    shopify: {
      api_version: version,
      supported_until: supportEnd(version)?.toISOString() ?? null,
      deprecation_notices: deps.shopify.deprecations().total,
    },
    webhooks: { ...hooks, topics: delivered },
    queues: backlog,
    onboarding: { complete },
  };
}

/** The status snapshot's dependencies from the sidecar's parts (admin API, periodic report). */
export function statusDepsOf(deps: Pick<StatusDeps, 'config' | 'pool' | 'queue' | 'shopify' | 'clock'>): StatusDeps {
  const schema = deps.config.database.appSchema;
  return {
    ...deps,
    lastSubscriptionCheck: () => readLastCheck(deps.pool, schema),
    onboardingComplete: async () => (await onboardingGate({ config: deps.config, pool: deps.pool })).complete,
  };
}
