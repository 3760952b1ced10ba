/**
 * Circuit breakers, one per side the jobs call (Odoo, Shopify): when a side stops answering, the
 * queues whose jobs need it pause instead of spending their retries on it, and resume by
 * themselves once it answers again (docs/queues.md, "Retries and outages").
 *
 * - Every call's outcome is recorded: `unreachable` (no answer, a timeout, HTTP 5xx, a connection
 *   refused: the clients' retryable errors that are not about the record) or `answered` (anything
 *   else, errors included: the side is up).
 * - `failures` consecutive unreachable outcomes open the side's breaker: `onChange(side, true)`
 *   pauses its queues (the composition root wires it), and an alert names the side.
 * - While open, the side is probed every `probeMs` (Odoo's contract check, Shopify's `shop`
 *   query); the first probe that answers closes it: `onChange(side, false)` resumes the queues.
 *
 * Per process: each replica sees the same Odoo and Shopify, so each pauses on its own.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../observability/logger.js';
import type { QueueName } from './names.js';
import type { SyncQueue } from './types.js';

export const SIDES = ['odoo', 'shopify'] as const;
export type Side = (typeof SIDES)[number];

/**
 * The sides each queue's jobs call. A queue pauses while any of its sides is down; the inbox purge
 * needs neither and never pauses.
 */
export const QUEUE_SIDES: Readonly<Record<QueueName, readonly Side[]>> = Object.freeze({
  products: ['odoo', 'shopify'],
  inventory: ['odoo', 'shopify'],
  orders: ['odoo', 'shopify'],
  customers: ['odoo', 'shopify'],
  fulfillments: ['odoo', 'shopify'],
  refunds: ['odoo', 'shopify'],
  returns: ['odoo', 'shopify'],
  privacy: ['odoo', 'shopify'],
  payments: ['odoo', 'shopify'],
  'orders.pull': ['shopify'],
  'inventory.reconcile': ['odoo', 'shopify'],
  'webhooks.purge': [],
  'webhooks.subscriptions': ['shopify'],
  'reports.reconcile': ['odoo', 'shopify'],
  'reports.integrity': ['odoo', 'shopify'],
  'catalog.bulk': ['odoo', 'shopify'],
  'catalog.reconcile': ['odoo', 'shopify'],
});

export interface SideState {
  open: boolean;
  /** When the breaker opened (clock ms); null while closed. */
  since: number | null;
  /** Consecutive unreachable outcomes while closed. */
  failures: number;
  /** The last unreachable outcome's reason (no secrets: the clients' error messages). */
  lastError: string | null;
}

export interface BreakerOptions {
  failures: number;
  probeMs: number;
  /** Resolves when the side answers; rejects while it is down. */
  probes: Record<Side, () => Promise<void>>;
  clock: Clock;
  logger: Logger;
}

export interface Breakers {
  record(side: Side, outcome: 'answered' | 'unreachable', reason?: string): void;
  isOpen(side: Side): boolean;
  state(): Record<Side, SideState>;
  /** Called on every open and close, after the state changed. */
  onChange(listener: (side: Side, open: boolean) => void): void;
  stop(): void;
}

/** The queues to pause (or keep paused) when `open` sides are down. */
export function queuesNeeding(open: ReadonlySet<Side>, queues: readonly QueueName[]): QueueName[] {
  return queues.filter((q) => QUEUE_SIDES[q].some((side) => open.has(side)));
}

export function createBreakers(options: BreakerOptions): Breakers {
  const state = Object.fromEntries(
    SIDES.map((side) => [side, { open: false, since: null, failures: 0, lastError: null } satisfies SideState]),
  ) as Record<Side, SideState>;
  const timers = new Map<Side, NodeJS.Timeout>();
  const listeners: Array<(side: Side, open: boolean) => void> = [];
  let stopped = false;

  const notify = (side: Side, open: boolean) => {
    for (const listener of listeners) {
      try {
        listener(side, open);
      } catch (error) {
        options.logger.error('circuit breaker: a listener failed', { side, error });
      }
    }
  };

  function open(side: Side): void {
    const s = state[side];
    s.open = true;
    s.since = options.clock();
    options.logger.error(`${side} unreachable: pausing the queues that need it until it answers`, {
      side,
      failures: s.failures,
      reason: s.lastError,
    });
    notify(side, true);
    scheduleProbe(side);
  }

  function close(side: Side): void {
    const s = state[side];
    const downSeconds = s.since === null ? 0 : Math.round((options.clock() - s.since) / 1000);
    Object.assign(s, { open: false, since: null, failures: 0 });
    options.logger.info(`${side} answers again: resuming its queues`, { side, downSeconds });
    notify(side, false);
  }

  function scheduleProbe(side: Side): void {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(side);
      options.probes[side]().then(
        () => {
          if (!stopped && state[side].open) close(side);
        },
        (error: unknown) => {
          state[side].lastError = error instanceof Error ? error.message : String(error);
          scheduleProbe(side);
        },
      );
    }, options.probeMs);
    timer.unref();
    timers.set(side, timer);
  }

  return {
    record(side, outcome, reason) {
      const s = state[side];
      if (s.open || stopped) return;
      if (outcome === 'answered') {
        s.failures = 0;
        return;
      }
      s.failures += 1;
      s.lastError = reason ?? null;
      if (s.failures >= options.failures) open(side);
    },
    isOpen: (side) => state[side].open,
    state: () => structuredClone(state),
    onChange(listener) {
      listeners.push(listener);
    },
    stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}

/**
 * Whether an error from a side's client says the side is unreachable (rather than refusing this
 * record): the clients' retryable errors that carry no answer about the record. Odoo's: a
 * retryable OdooError without an Odoo exception name (connection, timeout, HTTP 5xx; a
 * serialization conflict names one). Shopify's: network errors, timeouts, HTTP 5xx.
 */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { kind?: unknown; odooName?: unknown; status?: unknown };
  if (e.name === 'OdooRetryableError') return e.odooName === undefined;
  if (e.name === 'ShopifyNetworkError' || e.name === 'ShopifyTimeoutError') return true;
  if (e.name === 'ShopifyHttpError') return typeof e.status === 'number' && e.status >= 500;
  return false;
}

/** Runs one call to `side`, recording whether the side answered. */
export async function guarded<T>(breakers: Breakers, side: Side, call: () => Promise<T>): Promise<T> {
  try {
    const result = await call();
    breakers.record(side, 'answered');
    return result;
  } catch (error) {
    breakers.record(side, isUnreachable(error) ? 'unreachable' : 'answered', error instanceof Error ? error.message : String(error));
    throw error;
  }
}

/** Keeps the queues paused exactly while a side they need is down. */
export function pauseWhileDown(
  breakers: Breakers,
  queue: Pick<SyncQueue, 'pause' | 'resume'>,
  queues: readonly QueueName[],
  logger: Logger,
): void {
  breakers.onChange(() => {
    const down = new Set(SIDES.filter((side) => breakers.isOpen(side)));
    const paused = queuesNeeding(down, queues);
    const running = queues.filter((q) => !paused.includes(q));
    queue
      .pause(paused)
      .then(() => queue.resume(running))
      .catch((error: unknown) => logger.error('circuit breaker: pausing or resuming queues failed', { error }));
  });
}
