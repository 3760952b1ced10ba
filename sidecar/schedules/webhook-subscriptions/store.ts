/**
 * The last subscription check's result, under `webhook_subscriptions.last_check` in
 * `<appSchema>.sidecar_state`, so metrics and `doctor` can read it from any replica.
 */
import type pg from 'pg';
import { readState, writeState } from '../../db/state.js';

const STATE_KEY = 'webhook_subscriptions.last_check';

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

export async function readLastCheck(pool: pg.Pool, schema: string): Promise<SubscriptionCheckResult | null> {
  return (await readState<SubscriptionCheckResult>(pool, schema, STATE_KEY))?.value ?? null;
}

export async function saveLastCheck(pool: pg.Pool, schema: string, result: SubscriptionCheckResult): Promise<void> {
  await writeState(pool, schema, STATE_KEY, result);
}

/** Everything a check saw or made: one of them missing at the next check was deleted by Shopify. */
export function knownSubscriptions(previous: SubscriptionCheckResult | null): Array<{ topic: string; id: string }> {
  return [
    ...(previous?.present ?? []),
    ...(previous?.created ?? []).filter((c) => c.id),
    ...(previous?.recreated ?? []).flatMap((r) => (r.id ? [{ topic: r.topic, id: r.id }] : [])),
  ];
}
