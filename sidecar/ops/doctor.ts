/**
 * `doctor`: one pass over everything the sidecar depends on, each check with a verdict and a
 * detail an operator can act on. Used by the admin API (`GET /admin/api/doctor`) and the CLI.
 */
import type pg from 'pg';
import type { Clock } from '../clock.js';
import type { Config } from '../config/index.js';
import { WEBHOOK_TOPICS } from '../jobs.js';
import type { Logger } from '../observability/logger.js';
import { checkContract } from '../odoo/check-contract.js';
import type { OdooCaller } from '../odoo/types.js';
import { CONTRACT_VERSION } from '../rules/contract-version.js';
import { COMPLIANCE_STATE_KEY } from '../flows/privacy/store.js';
import {
  CALLBACK_PATH,
  COMPLIANCE_TOPICS,
  managedTopics,
  planSubscriptions,
  type ExistingSubscription,
} from '../schedules/webhook-subscriptions/map.js';
import { listSubscriptions } from '../schedules/webhook-subscriptions/read.js';
import { checkApiVersion, type ShopifyClient } from '../shopify/index.js';

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

/**
 * Pure: which processed topics lack a subscription to this sidecar, which of ours point at an old
 * address, and which are foreign — decided as the subscriptions job decides (its plan, map.ts).
 */
export function compareSubscriptions(existing: readonly ExistingSubscription[], config: Pick<Config, 'publicUrl' | 'shopify'>) {
  const expectedUri = `${config.publicUrl}${CALLBACK_PATH}`;
  const plan = planSubscriptions({ topics: WEBHOOK_TOPICS, callbackUrl: expectedUri, apiVersion: config.shopify.apiVersion, existing });
  const stale = plan.remove.map((s) => ({ topic: s.topic, uri: s.uri }));
  const foreign = plan.foreign.map((s) => ({ topic: s.topic, uri: s.uri }));
  return { expectedUri, required: managedTopics(WEBHOOK_TOPICS).length, missing: plan.create, stale, foreign };
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
  /** "Invalid deliveries in the last 24 h" and the API version's support window are measured on it. */
  clock: Clock;
}

type Check = Omit<DoctorCheck, 'name'>;

export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const steps: Array<[string, (deps: DoctorDeps) => Promise<Check>]> = [
    ['database', checkDatabase],
    ['odoo contract', checkOdooContract],
    ['shopify credentials', checkShopifyCredentials],
    ['shopify api version', checkShopifyApiVersion],
    ['shopify deprecations', checkShopifyDeprecations],
    ['webhook subscriptions', checkWebhookSubscriptions],
    ['webhook deliveries', checkWebhookDeliveries],
    ['compliance webhooks', checkComplianceWebhooks],
  ];
  // One after the other: each check's detail is read alone, and Shopify's budget is spent gently.
  for (const [name, run] of steps) checks.push(await check(name, () => run(deps)));
  return { ok: checks.every((c) => c.verdict !== 'fail'), checks };
}

async function checkDatabase({ config, pool }: DoctorDeps): Promise<Check> {
  const { rows } = await pool.query<{ version: string; migrated: boolean }>(
    `SELECT current_setting('server_version') AS version, to_regclass($1) IS NOT NULL AS migrated`,
    [`"${config.database.appSchema}".reports`],
  );
  const { version, migrated } = rows[0]!;
  return migrated
    ? { verdict: 'ok', detail: `PostgreSQL ${version}, schema ${config.database.appSchema} migrated` }
    : {
        verdict: 'fail',
        detail: `PostgreSQL ${version} answers but ${config.database.appSchema} is not migrated (start the sidecar once)`,
      };
}

async function checkOdooContract({ odoo }: DoctorDeps): Promise<Check> {
  const info = await checkContract(odoo);
  return {
    verdict: 'ok',
    detail: `addon ${info.addonVersion} speaks contract ${info.contractVersion} (sidecar speaks ${CONTRACT_VERSION})`,
    data: info,
  };
}

async function checkShopifyCredentials({ config, shopify }: DoctorDeps): Promise<Check> {
  const data = await shopify.request('Shop', undefined, { lane: 'catalog' });
  return { verdict: 'ok', detail: `token accepted by ${data.shop.myshopifyDomain || config.shopify.shopDomain}` };
}

async function checkShopifyApiVersion({ shopify, logger, clock }: DoctorDeps): Promise<Check> {
  const v = await checkApiVersion(shopify, { logger, lane: 'catalog', clock });
  const supported = v.supportedVersions.includes(v.version);
  const until = v.supportedUntil ? ` (supported until about ${v.supportedUntil.toISOString().slice(0, 10)})` : '';
  if (!supported)
    return { verdict: 'fail', detail: `${v.version} is not a supported version; supported: ${v.supportedVersions.join(', ')}`, data: v };
  return v.warnings.length
    ? { verdict: 'warn', detail: `${v.version}${until}: ${v.warnings.join('; ')}`, data: v }
    : { verdict: 'ok', detail: `${v.version} supported${until}`, data: v };
}

function checkShopifyDeprecations({ shopify }: DoctorDeps): Promise<Check> {
  const d = shopify.deprecations();
  return Promise.resolve(
    d.total
      ? { verdict: 'warn', detail: `${d.total} deprecated field uses since start: ${Object.keys(d.byReason).join('; ')}`, data: d }
      : { verdict: 'ok', detail: 'no deprecation notices since start', data: d },
  );
}

async function checkWebhookSubscriptions({ config, shopify }: DoctorDeps): Promise<Check> {
  const subscriptions = await listSubscriptions(shopify, 'catalog');
  const result = compareSubscriptions(subscriptions, config);
  const data = { ...result, subscriptions: subscriptions.length };
  if (result.missing.length)
    return { verdict: 'fail', detail: `missing subscriptions to ${result.expectedUri}: ${result.missing.join(', ')}`, data };
  const detail = `${result.required} topics subscribed to ${result.expectedUri}`;
  if (result.stale.length) {
    const stale = `${detail}; ${result.stale.length} of ours at an old address (replaced at the next subscription check)`;
    return { verdict: 'warn', detail: stale, data };
  }
  const foreign = result.foreign.length ? `${detail}; ${result.foreign.length} foreign subscription(s) left alone` : detail;
  return { verdict: 'ok', detail: foreign, data };
}

async function checkWebhookDeliveries({ config, pool, clock }: DoctorDeps): Promise<Check> {
  // Shopify deletes a subscription after repeated failed deliveries; a silent inbox is the symptom here.
  const { rows } = await pool.query<{ last: Date | null; invalid: number }>(
    `SELECT max(received_at) AS last,
            count(*) FILTER (WHERE status = 'invalid' AND received_at > to_timestamp($1 / 1000.0) - interval '1 day')::int AS invalid
       FROM "${config.database.appSchema}".webhook_inbox`,
    [clock()],
  );
  const { last, invalid } = rows[0]!;
  if (!last) return { verdict: 'warn', detail: 'no webhook delivery received yet' };
  const detail = `last delivery ${last.toISOString()}; ${invalid} invalid (bad HMAC/headers) in 24 h`;
  return { verdict: invalid ? 'warn' : 'ok', detail };
}

/** When each compliance topic first and last arrived (ISO timestamps); absent: never. */
export type ComplianceArrivals = Partial<Record<string, { first: string; last: string }>>;

/**
 * Pure: the compliance topics' verdict. They are configured on the app, not through the Admin
 * API, so arrival is the only sign the configuration works; Shopify sends them only when someone
 * asks (shop/redact 48 h after an uninstall), so a topic never seen is normal and only "none
 * ever" warns (docs/operations.md, "Privacy requests").
 */
export function judgeComplianceArrivals(arrivals: ComplianceArrivals): Check {
  const parts = COMPLIANCE_TOPICS.map((topic) => {
    const seen = arrivals[topic];
    return seen ? `${topic}: first ${seen.first}, last ${seen.last}` : `${topic}: never received`;
  });
  const data = Object.fromEntries(COMPLIANCE_TOPICS.map((t) => [t, arrivals[t] ?? null]));
  if (COMPLIANCE_TOPICS.some((t) => arrivals[t])) return { verdict: 'ok', detail: parts.join('; '), data };
  const hint = 'configure them on the app (shopify.app.toml or the Dev Dashboard) and send a test delivery';
  return { verdict: 'warn', detail: `no compliance webhook ever arrived; ${hint} (docs/operations.md, "Privacy requests")`, data };
}

async function checkComplianceWebhooks({ config, pool }: DoctorDeps): Promise<Check> {
  const schema = `"${config.database.appSchema}"`;
  // The privacy flow records every arrival (kept through a shop erasure); the inbox adds those not handled yet.
  const state = await pool.query<{ value: ComplianceArrivals }>(`SELECT value FROM ${schema}.sidecar_state WHERE key = $1`, [
    COMPLIANCE_STATE_KEY,
  ]);
  const inbox = await pool.query<{ topic: string; first: Date; last: Date }>(
    `SELECT topic, min(received_at) AS first, max(received_at) AS last FROM ${schema}.webhook_inbox
      WHERE topic = ANY($1::text[]) AND status <> 'invalid' GROUP BY topic`,
    [COMPLIANCE_TOPICS],
  );
  const arrivals: ComplianceArrivals = { ...(state.rows[0]?.value ?? {}) };
  for (const row of inbox.rows) {
    const known = arrivals[row.topic];
    const first = row.first.toISOString();
    const last = row.last.toISOString();
    arrivals[row.topic] = known
      ? { first: known.first < first ? known.first : first, last: known.last > last ? known.last : last }
      : { first, last };
  }
  return judgeComplianceArrivals(arrivals);
}
