/**
 * Webhook deliveries as Shopify makes them: one delivery per (event, matching subscription), a
 * POST with the X-Shopify-* headers, the body signed with the app secret
 * (base64 HMAC-SHA256 of the raw body), a 5 s timeout, any non-2xx (3xx included) a failure.
 * Failures are retried on a schedule (Shopify: 8 retries over 4 hours, exponential); an
 * API-created subscription is deleted after 8 consecutive failed attempts. Retries carry the
 * original body and headers. Faults (faults.ts) can drop, duplicate, delay or reorder deliveries.
 * Time comes from the injected clock, so tests never sleep.
 */
import crypto from 'node:crypto';
import type { Clock } from './clock.js';
import type { SimEvent } from './domain/context.js';
import type { Faults } from './faults.js';
import type { Delivery, SimState, WebhookSubscription } from './state.js';
import { topicToEnum } from './topics.js';
import { applySearch } from './graphql/connection.js';

/** Values at a dotted path of a payload, through arrays (`line_items.sku`). */
function valuesAt(value: unknown, path: string[]): unknown[] {
  if (path.length === 0) return Array.isArray(value) ? value : [value];
  if (Array.isArray(value)) return value.flatMap((v) => valuesAt(v, path));
  if (value === null || typeof value !== 'object') return [];
  return valuesAt((value as Record<string, unknown>)[path[0]!], path.slice(1));
}

/** A subscription `filter` (Shopify search syntax) evaluated on the payload's own fields. */
export function payloadMatchesFilter(payload: Record<string, unknown>, filter: string | null): boolean {
  if (!filter) return true;
  const fields = new Proxy<Record<string, (p: Record<string, unknown>) => unknown>>(
    {},
    {
      get: (_t, name) =>
        typeof name === 'string' && name !== 'default' ? (p: Record<string, unknown>) => valuesAt(p, name.split('.')) : undefined,
    },
  );
  return applySearch([payload], filter, fields).length === 1;
}

/** 1, 2, 4, … 64 minutes, then 113: eight retries spread over four hours. */
export const SHOPIFY_RETRY_DELAYS_MS = [1, 2, 4, 8, 16, 32, 64, 113].map((m) => m * 60_000);
export const REMOVE_AFTER_CONSECUTIVE_FAILURES = 8;
export const DELIVERY_TIMEOUT_MS = 5_000;

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ status: number }>;

export interface WebhookOptions {
  state: () => SimState;
  clock: Clock;
  faults: Faults;
  secret: string;
  apiVersion: string;
  retryDelaysMs?: number[];
  fetch?: FetchLike;
  /** Real-time timeout for one delivery. */
  timeoutMs?: number;
  /** Finished deliveries kept in the log (oldest dropped first); pending ones are always kept. */
  maxDeliveriesKept?: number;
}

export const DEFAULT_MAX_DELIVERIES_KEPT = 5000;

export function signBody(secret: string, body: string): string {
  return crypto.createHmac('sha256', secret).update(body, 'utf8').digest('base64');
}

export class WebhookDispatcher {
  private readonly retryDelaysMs: number[];
  private readonly fetchImpl: FetchLike;
  private inflight = new Set<Promise<void>>();
  private held: { delivery: Delivery; duplicate: boolean; cancel: () => void }[] = [];
  private immediate = 0;

  constructor(private readonly options: WebhookOptions) {
    this.retryDelaysMs = options.retryDelaysMs ?? SHOPIFY_RETRY_DELAYS_MS;
    this.fetchImpl = options.fetch ?? ((url, init) => fetch(url, init));
  }

  /** Events of one merchant/storefront action: they share an X-Shopify-Event-Id per topic. */
  emit(events: SimEvent[]): void {
    const state = this.options.state();
    const triggeredAt = new Date(this.options.clock.now()).toISOString();
    for (const event of events) {
      const topic = topicToEnum(event.topic);
      const subscribers = state.subscriptions.filter((s) => s.topic === topic && payloadMatchesFilter(event.payload, s.filter));
      // An event nobody subscribed to is delivered nowhere: no id to draw (an inventory write of
      // 250 levels emits 250 events, usually unsubscribed).
      if (subscribers.length === 0) continue;
      const eventId = this.options.faults.uuid();
      for (const subscription of subscribers) {
        const body = JSON.stringify(this.shape(subscription, event.payload));
        const delivery: Delivery = {
          webhookId: this.options.faults.uuid(),
          eventId,
          topic: event.topic,
          subscriptionId: subscription.id,
          uri: subscription.uri,
          body,
          triggeredAt,
          apiVersion: this.options.apiVersion,
          attempts: [],
          status: 'pending',
          fault: null,
        };
        state.deliveries.push(delivery);
        this.prune(state);
        this.dispatch(delivery);
      }
    }
  }

  /** Keeps memory bounded in long demo runs: drops the oldest finished deliveries beyond the cap. */
  private prune(state: SimState): void {
    const max = this.options.maxDeliveriesKept ?? DEFAULT_MAX_DELIVERIES_KEPT;
    let excess = state.deliveries.length - max;
    if (excess <= 0) return;
    state.deliveries = state.deliveries.filter((d) => {
      if (excess > 0 && d.status !== 'pending') {
        excess -= 1;
        return false;
      }
      return true;
    });
  }

  private shape(subscription: WebhookSubscription, payload: Record<string, unknown>): Record<string, unknown> {
    if (subscription.includeFields.length === 0) return payload;
    return Object.fromEntries(Object.entries(payload).filter(([key]) => subscription.includeFields.includes(key)));
  }

  private dispatch(delivery: Delivery): void {
    const faults = this.options.faults;
    if (faults.roll(faults.config.webhookDropRate)) {
      delivery.status = 'dropped';
      delivery.fault = 'dropped';
      return;
    }
    const duplicate = faults.roll(faults.config.webhookDuplicateRate);
    if (duplicate) delivery.fault = 'duplicated';
    if (faults.roll(faults.config.webhookReorderRate)) {
      delivery.fault = 'reordered';
      const cancel = this.options.clock.schedule(faults.config.webhookReorderHoldMs, () => this.release(delivery, duplicate));
      this.held.push({ delivery, duplicate, cancel });
      return;
    }
    let delay = 0;
    if (faults.roll(faults.config.webhookDelayRate)) {
      delivery.fault = 'delayed';
      delay = faults.config.webhookDelayMs;
    }
    const first = this.scheduleAttempt(delivery, delay, duplicate);
    // A held (reordered) delivery goes out right after this one has been answered.
    for (const h of this.held.splice(0)) {
      h.cancel();
      // Tracked in `inflight` (idle() waits for it); an attempt records its own failure.
      void this.scheduleAttempt(h.delivery, delay, h.duplicate, first);
    }
  }

  private release(delivery: Delivery, duplicate: boolean): void {
    this.held = this.held.filter((h) => h.delivery !== delivery);
    void this.scheduleAttempt(delivery, 0, duplicate);
  }

  /** Schedules the first attempt; the returned promise settles when that attempt has been answered. */
  private scheduleAttempt(delivery: Delivery, delayMs: number, duplicate: boolean, after?: Promise<void>): Promise<void> {
    if (delayMs === 0) this.immediate += 1;
    return new Promise<void>((resolve) => {
      this.options.clock.schedule(delayMs, async () => {
        if (delayMs === 0) this.immediate -= 1;
        const run = (async () => {
          if (after) await after;
          await this.attempt(delivery, duplicate);
        })();
        await this.track(run);
        resolve();
      });
    });
  }

  private track(promise: Promise<void>): Promise<void> {
    this.inflight.add(promise);
    return promise.finally(() => this.inflight.delete(promise));
  }

  headers(delivery: Delivery, subscription: WebhookSubscription | undefined): Record<string, string> {
    const state = this.options.state();
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'Shopify-Captain-Hook',
      'X-Shopify-Topic': delivery.topic,
      'X-Shopify-Hmac-Sha256': signBody(this.options.secret, delivery.body),
      'X-Shopify-Shop-Domain': state.shop.domain,
      'X-Shopify-API-Version': delivery.apiVersion,
      'X-Shopify-Webhook-Id': delivery.webhookId,
      'X-Shopify-Event-Id': delivery.eventId,
      'X-Shopify-Triggered-At': delivery.triggeredAt,
    };
    if (subscription?.name) headers['X-Shopify-Name'] = subscription.name;
    return headers;
  }

  private async post(delivery: Delivery): Promise<{ status: number | null; error: string | null }> {
    const subscription = this.options.state().subscriptions.find((s) => s.id === delivery.subscriptionId);
    try {
      const response = await this.fetchImpl(delivery.uri, {
        method: 'POST',
        headers: this.headers(delivery, subscription),
        body: delivery.body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? DELIVERY_TIMEOUT_MS),
      });
      return { status: response.status, error: response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}` };
    } catch (error) {
      return { status: null, error: (error as Error).name === 'TimeoutError' ? 'timeout' : (error as Error).message };
    }
  }

  private async attempt(delivery: Delivery, duplicate: boolean): Promise<void> {
    const state = this.options.state();
    if (delivery.status !== 'pending') return;
    const subscription = state.subscriptions.find((s) => s.id === delivery.subscriptionId);
    if (!subscription) {
      delivery.status = 'abandoned';
      return;
    }
    const result = await this.post(delivery);
    delivery.attempts.push({ at: new Date(this.options.clock.now()).toISOString(), status: result.status, error: result.error });
    if (result.error === null) {
      delivery.status = 'delivered';
      subscription.consecutiveFailures = 0;
      if (duplicate) {
        const again = await this.post(delivery);
        delivery.attempts.push({
          at: new Date(this.options.clock.now()).toISOString(),
          status: again.status,
          error: again.error ? `duplicate: ${again.error}` : 'duplicate',
        });
      }
      return;
    }
    subscription.consecutiveFailures += 1;
    if (subscription.source === 'api' && subscription.consecutiveFailures >= REMOVE_AFTER_CONSECUTIVE_FAILURES) {
      state.subscriptions = state.subscriptions.filter((s) => s.id !== subscription.id);
      delivery.status = 'failed';
      for (const other of state.deliveries)
        if (other.subscriptionId === subscription.id && other.status === 'pending') other.status = 'abandoned';
      return;
    }
    const retryIndex = delivery.attempts.length - 1;
    const delay = this.retryDelaysMs[retryIndex];
    if (delay === undefined) {
      delivery.status = 'failed';
      return;
    }
    this.options.clock.schedule(delay, () => this.track(this.attempt(delivery, duplicate)));
  }

  /** Resolves when no delivery is running and none is due now (real clock). */
  async idle(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      if (this.inflight.size === 0 && this.immediate === 0) return;
      await Promise.all([...this.inflight]);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Forgets held deliveries (state reset). */
  reset(): void {
    for (const h of this.held) h.cancel();
    this.held = [];
  }
}
