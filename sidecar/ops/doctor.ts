/**
 * `doctor`: one pass over everything the sidecar depends on, each check with a verdict and a
 * detail an operator can act on. Used by the admin API (`GET /admin/api/doctor`) and the CLI.
 */
import type pg from 'pg';
import { CONTRACT_MAJOR, checkContract } from '../app.js';
import type { Config } from '../config/index.js';
import { WEBHOOK_TOPICS } from '../http/webhooks/topics.js';
import type { Logger } from '../observability/logger.js';
import type { OdooCaller } from '../odoo/types.js';
import { checkApiVersion, type ShopifyClient, type WebhookSubscriptionsQuery } from '../shopify/index.js';

export type Verdict = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  name: string;
  verdict: Verdict;
  detail: string;
  data?: unknown;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

/** Compliance topics are configured in the app's shopify.app.toml, not by the Admin API. */
export const APP_CONFIGURED_TOPICS = new Set(['customers/redact', 'customers/data_request', 'shop/redact']);

/** `orders/create` → `ORDERS_CREATE` (the WebhookSubscriptionTopic enum). */
export const topicEnum = (topic: string) => topic.toUpperCase().replace(/\//g, '_');

export interface Subscription {
  id: string;
  topic: string;
  uri: string;
}

/** Pure: which processed topics lack a subscription to this sidecar, and which point elsewhere. */
export function compareSubscriptions(subscriptions: readonly Subscription[], publicUrl: string) {
  const expectedUri = `${publicUrl.replace(/\/$/, '')}/webhooks/shopify`;
  const required = Object.keys(WEBHOOK_TOPICS).filter((t) => !APP_CONFIGURED_TOPICS.has(t));
  const ours = subscriptions.filter((s) => s.uri === expectedUri);
  const missing = required.filter((t) => !ours.some((s) => s.topic === topicEnum(t)));
  const elsewhere = subscriptions.filter((s) => s.uri !== expectedUri).map((s) => ({ topic: s.topic, uri: s.uri }));
  return { expectedUri, required: required.length, missing, elsewhere };
}

async function check(name: string, run: () => Promise<Omit<DoctorCheck, 'name'>>): Promise<DoctorCheck> {
  try {
    return { name, ...(await run()) };
  } catch (error) {
    return { name, verdict: 'fail', detail: error instanceof Error ? error.message : String(error) };
  }
}

export interface DoctorDeps {
  config: Config;
  pool: pg.Pool;
  odoo: OdooCaller;
  shopify: ShopifyClient;
  logger: Logger;
}

export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const { config, shopify } = deps;
  const checks: DoctorCheck[] = [];
  checks.push(
    await check('database', async () => {
      const { rows } = await deps.pool.query(
        `SELECT current_setting('server_version') AS version, to_regclass($1) IS NOT NULL AS migrated`,
        [`"${config.database.appSchema}".reports`],
      );
      return rows[0].migrated
        ? { verdict: 'ok', detail: `PostgreSQL ${rows[0].version}, schema ${config.database.appSchema} migrated` }
        : {
            verdict: 'fail',
            detail: `PostgreSQL ${rows[0].version} answers but ${config.database.appSchema} is not migrated (start the sidecar once)`,
          };
    }),
  );
  checks.push(
    await check('odoo contract', async () => {
      const info = await checkContract(deps.odoo);
      return {
        verdict: 'ok',
        detail: `addon ${info.addonVersion} speaks contract ${info.contractVersion} (sidecar speaks ${CONTRACT_MAJOR}.x)`,
        data: info,
      };
    }),
  );
  checks.push(
    await check('shopify credentials', async () => {
      const data = await shopify.request('Shop', undefined, { lane: 'catalog' });
      return { verdict: 'ok', detail: `token accepted by ${data.shop.myshopifyDomain}` };
    }),
  );
  checks.push(
    await check('shopify api version', async () => {
      const v = await checkApiVersion(shopify, { logger: deps.logger, lane: 'catalog' });
      const supported = v.supportedVersions.includes(v.version);
      const until = v.supportedUntil ? ` (supported until about ${v.supportedUntil.toISOString().slice(0, 10)})` : '';
      if (!supported)
        return {
          verdict: 'fail',
          detail: `${v.version} is not a supported version; supported: ${v.supportedVersions.join(', ')}`,
          data: v,
        };
      return v.warnings.length
        ? { verdict: 'warn', detail: `${v.version}${until}: ${v.warnings.join('; ')}`, data: v }
        : { verdict: 'ok', detail: `${v.version} supported${until}`, data: v };
    }),
  );
  checks.push(
    await check('shopify deprecations', async () => {
      const d = shopify.deprecations();
      return d.total
        ? { verdict: 'warn', detail: `${d.total} deprecated field uses since start: ${Object.keys(d.byReason).join('; ')}`, data: d }
        : { verdict: 'ok', detail: 'no deprecation notices since start', data: d };
    }),
  );
  checks.push(
    await check('webhook subscriptions', async () => {
      const subscriptions: Subscription[] = [];
      let after: string | null = null;
      for (;;) {
        const page: WebhookSubscriptionsQuery = await shopify.request('WebhookSubscriptions', { first: 100, after }, { lane: 'catalog' });
        subscriptions.push(...page.webhookSubscriptions.nodes);
        if (!page.webhookSubscriptions.pageInfo.hasNextPage) break;
        after = page.webhookSubscriptions.pageInfo.endCursor;
      }
      const result = compareSubscriptions(subscriptions, config.publicUrl);
      const data = { ...result, subscriptions: subscriptions.length };
      if (result.missing.length)
        return { verdict: 'fail', detail: `missing subscriptions to ${result.expectedUri}: ${result.missing.join(', ')}`, data };
      const detail = `${result.required} topics subscribed to ${result.expectedUri}`;
      return result.elsewhere.length
        ? { verdict: 'warn', detail: `${detail}; ${result.elsewhere.length} subscription(s) point elsewhere`, data }
        : { verdict: 'ok', detail, data };
    }),
  );
  checks.push(
    await check('webhook deliveries', async () => {
      // Shopify deletes a subscription after repeated failed deliveries; a silent inbox is the symptom here.
      const { rows } = await deps.pool.query(
        `SELECT max(received_at) AS last, count(*) FILTER (WHERE status = 'invalid' AND received_at > now() - interval '1 day')::int AS invalid
           FROM "${config.database.appSchema}".webhook_inbox`,
      );
      const last = rows[0].last as Date | null;
      if (!last) return { verdict: 'warn', detail: 'no webhook delivery received yet' };
      const invalid = rows[0].invalid as number;
      const detail = `last delivery ${last.toISOString()}; ${invalid} invalid (bad HMAC/headers) in 24 h`;
      return { verdict: invalid ? 'warn' : 'ok', detail };
    }),
  );
  return { ok: checks.every((c) => c.verdict !== 'fail'), checks };
}
