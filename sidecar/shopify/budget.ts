/**
 * One cost-aware API budget per shop, shared by all workers and all sidecar replicas
 * (docs/architecture.md, decision 6), modelled on Shopify's leaky bucket of cost points.
 *
 * State lives in PostgreSQL (`{schema}.shopify_budget`, one row per shop, migration 002). Before
 * a call, `reserve` takes the estimated cost out of the bucket under SELECT … FOR UPDATE, after
 * restoring the level for the time elapsed since the row was written; when the bucket is short it
 * sleeps exactly the time the restore rate needs and tries again. After the call, `settle` gives
 * back what Shopify did not charge (requested − actual, or everything on THROTTLED) and adopts
 * Shopify's own `throttleStatus` (maximum, restore rate, and the lower of the two levels: a lower
 * level from Shopify means spending we did not see, a higher one means reservations of other
 * workers that Shopify has not seen yet).
 *
 * Priority lanes: a lower lane may not take the bucket below its reserve, so a catalog backfill
 * never starves orders. Default reserves (fractions of maximumAvailable): orders 0,
 * fulfillments 10 %, inventory 25 %, catalog 50 %.
 *
 * Injected clock and sleep: tests assert the exact waits.
 */
import type pg from 'pg';
import { quoteIdent } from '../db/migrate.js';

export type Lane = 'orders' | 'fulfillments' | 'inventory' | 'catalog';
export const LANES: readonly Lane[] = Object.freeze(['orders', 'fulfillments', 'inventory', 'catalog']);

export const DEFAULT_LANE_RESERVES: Readonly<Record<Lane, number>> = Object.freeze({
  orders: 0,
  fulfillments: 0.1,
  inventory: 0.25,
  catalog: 0.5,
});

/** `extensions.cost` of a GraphQL Admin response. */
export interface QueryCost {
  requestedQueryCost?: number | null;
  actualQueryCost?: number | null;
  throttleStatus?: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number } | null;
}

export interface Reservation {
  readonly lane: Lane;
  /** Points taken out of the bucket. */
  readonly cost: number;
}

export type SettleOutcome =
  /** Shopify answered with extensions.cost: refund requested − actual (all of it when THROTTLED). */
  | { kind: 'answered'; cost: QueryCost | undefined; throttled: boolean }
  /** Refused before execution (401, 403, 429, 4xx, no token): give everything back. */
  | { kind: 'not-charged' }
  /** No usable answer (network error, timeout, 5xx): keep the reservation, Shopify may have charged it. */
  | { kind: 'unknown' };

export interface BudgetSnapshot {
  shopDomain: string;
  /** Level now (restored since the last write); NaN before the first read. */
  available: number;
  maximum: number;
  restoreRate: number;
  /** Times this process waited for the bucket, and the total seconds waited. */
  throttleWaits: number;
  throttleWaitSeconds: number;
  /** THROTTLED answers seen by this process (should stay 0 while the budget works). */
  throttledResponses: number;
  /** Waits per lane (this process). */
  waitsByLane: Readonly<Record<Lane, number>>;
}

export interface ShopifyBudget {
  readonly shopDomain: string;
  /** Takes `estimatedCost` points out of the bucket, waiting first when the lane may not spend them yet. */
  reserve(lane: Lane, estimatedCost: number): Promise<Reservation>;
  /** Reconciles the bucket with the response's extensions.cost. */
  settle(reservation: Reservation, outcome: SettleOutcome): Promise<void>;
  /** Last known state, restored to now, plus this process's wait counters (for metrics; no I/O). */
  snapshot(): BudgetSnapshot;
  /** Same as snapshot() but reads the shared row first. */
  read(): Promise<BudgetSnapshot>;
}

export interface BudgetOptions {
  pool: pg.Pool;
  /** Schema holding the app tables (config.database.appSchema). */
  schema: string;
  shopDomain: string;
  laneReserves?: Partial<Record<Lane, number>>;
  /**
   * Assumed bucket before Shopify's first answer: the Standard plan's 2000 points at 100/s.
   * Replaced by the first throttleStatus.
   */
  initial?: { maximumAvailable: number; restoreRate: number };
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Row {
  available: number;
  maximum: number;
  rate: number;
  at: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One budget's settings and what this process remembers of it. */
interface BudgetState {
  pool: pg.Pool;
  shopDomain: string;
  /** The quoted `{schema}.shopify_budget` table. */
  table: string;
  reserves: Record<Lane, number>;
  initial: { maximumAvailable: number; restoreRate: number };
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  /** The row as last read or written by this process. */
  last: Row | undefined;
  counters: { waits: number; waitMs: number; throttled: number; byLane: Record<Lane, number> };
}

type BudgetRow = { currently_available: number; maximum_available: number; restore_rate: number; updated_at: Date };
type WriteRow = (available: number, maximum?: number, rate?: number) => Promise<void>;

export function createShopifyBudget(options: BudgetOptions): ShopifyBudget {
  const reserves = checkBudgetOptions(options);
  const state: BudgetState = {
    pool: options.pool,
    shopDomain: options.shopDomain,
    table: `${quoteIdent(options.schema)}.shopify_budget`,
    reserves,
    initial: options.initial ?? { maximumAvailable: 2000, restoreRate: 100 },
    clock: options.clock ?? Date.now,
    sleep: options.sleep ?? defaultSleep,
    last: undefined,
    counters: { waits: 0, waitMs: 0, throttled: 0, byLane: { orders: 0, fulfillments: 0, inventory: 0, catalog: 0 } },
  };
  return Object.freeze({
    shopDomain: state.shopDomain,
    reserve: (lane: Lane, estimatedCost: number) => reserve(state, lane, estimatedCost),
    settle: (reservation: Reservation, outcome: SettleOutcome) => settle(state, reservation, outcome),
    snapshot: () => snapshotOf(state),
    read: () => read(state),
  });
}

/** Throws a TypeError naming the first invalid option; returns the lane reserves with defaults. */
function checkBudgetOptions(options: BudgetOptions): Record<Lane, number> {
  if (!options.pool) throw new TypeError('createShopifyBudget: pool is required');
  if (typeof options.shopDomain !== 'string' || options.shopDomain === '')
    throw new TypeError('createShopifyBudget: shopDomain is required');
  if (typeof options.schema !== 'string' || options.schema === '') throw new TypeError('createShopifyBudget: schema is required');
  const reserves: Record<Lane, number> = { ...DEFAULT_LANE_RESERVES, ...options.laneReserves };
  for (const lane of LANES) {
    const r = reserves[lane];
    if (!(r >= 0 && r < 1)) throw new TypeError(`createShopifyBudget: laneReserves.${lane} must be in [0, 1) (got ${r})`);
  }
  return reserves;
}

function restored(row: Row, now: number): number {
  // Clocks of two replicas may disagree slightly: never restore for negative time.
  const elapsed = Math.max(0, now - row.at) / 1000;
  return Math.min(row.maximum, row.available + elapsed * row.rate);
}

const toRow = (r: BudgetRow): Row => ({
  available: r.currently_available,
  maximum: r.maximum_available,
  rate: r.restore_rate,
  at: r.updated_at.getTime(),
});

/** Runs `fn` on the shop's row, locked for the transaction. */
async function withLockedRow<T>(state: BudgetState, fn: (row: Row, now: number, write: WriteRow) => Promise<T>): Promise<T> {
  const { table, shopDomain, initial } = state;
  const client = await state.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO ${table} (shop_domain, currently_available, maximum_available, restore_rate, updated_at)
       VALUES ($1, $2, $2, $3, $4) ON CONFLICT (shop_domain) DO NOTHING`,
      [shopDomain, initial.maximumAvailable, initial.restoreRate, new Date(state.clock())],
    );
    const result = await client.query<BudgetRow>(
      `SELECT currently_available, maximum_available, restore_rate, updated_at FROM ${table} WHERE shop_domain = $1 FOR UPDATE`,
      [shopDomain],
    );
    const row = toRow(result.rows[0]!);
    // The clock is read after the lock is held, so the restored level is never computed for a
    // moment before another replica's write.
    const now = state.clock();
    state.last = { ...row };
    const write: WriteRow = async (available, maximum = row.maximum, rate = row.rate) => {
      const level = Math.max(0, Math.min(maximum, available));
      await client.query(
        `UPDATE ${table} SET currently_available = $2, maximum_available = $3, restore_rate = $4, updated_at = $5 WHERE shop_domain = $1`,
        [shopDomain, level, maximum, rate, new Date(now)],
      );
      state.last = { available: level, maximum, rate, at: now };
    };
    const value = await fn(row, now, write);
    await client.query('COMMIT');
    return value;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

async function reserve(state: BudgetState, lane: Lane, estimatedCost: number): Promise<Reservation> {
  if (!LANES.includes(lane)) throw new TypeError(`budget.reserve: unknown lane ${JSON.stringify(lane)}`);
  if (!(estimatedCost >= 0)) throw new TypeError(`budget.reserve: estimatedCost must be >= 0 (got ${estimatedCost})`);
  for (;;) {
    const decision = await withLockedRow(state, async (row, now, write): Promise<{ cost: number } | { waitMs: number }> => {
      const level = restored(row, now);
      const cost = Math.min(estimatedCost, row.maximum);
      // A call larger than the lane's share may still run once the bucket is full enough.
      const floor = Math.min(row.maximum * state.reserves[lane], row.maximum - cost);
      if (level - cost >= floor) {
        await write(level - cost);
        return { cost };
      }
      return { waitMs: Math.ceil(((floor + cost - level) / row.rate) * 1000) };
    });
    if ('cost' in decision) return Object.freeze({ lane, cost: decision.cost });
    state.counters.waits += 1;
    state.counters.waitMs += decision.waitMs;
    state.counters.byLane[lane] += 1;
    await state.sleep(decision.waitMs);
  }
}

async function settle(state: BudgetState, reservation: Reservation, outcome: SettleOutcome): Promise<void> {
  if (outcome.kind === 'unknown') return;
  if (outcome.kind === 'answered' && outcome.throttled) state.counters.throttled += 1;
  const cost = outcome.kind === 'answered' ? outcome.cost : undefined;
  const actual = outcome.kind === 'not-charged' || outcome.throttled ? 0 : (cost?.actualQueryCost ?? reservation.cost);
  const refund = reservation.cost - actual;
  const status = cost?.throttleStatus;
  if (refund === 0 && !status) return;
  await withLockedRow(state, async (row, now, write) => {
    let level = restored(row, now) + refund;
    if (status && status.maximumAvailable > 0 && status.restoreRate > 0) {
      // Shopify computed currentlyAvailable before we read the clock: adopting it "as of now"
      // under-counts restoration slightly, which errs on the safe side.
      level = Math.min(level, status.currentlyAvailable);
      await write(level, status.maximumAvailable, status.restoreRate);
    } else {
      await write(level);
    }
  });
}

function snapshotOf(state: BudgetState): BudgetSnapshot {
  const row = state.last;
  const { counters } = state;
  return {
    shopDomain: state.shopDomain,
    available: row ? restored(row, state.clock()) : Number.NaN,
    maximum: row?.maximum ?? Number.NaN,
    restoreRate: row?.rate ?? Number.NaN,
    throttleWaits: counters.waits,
    throttleWaitSeconds: counters.waitMs / 1000,
    throttledResponses: counters.throttled,
    waitsByLane: { ...counters.byLane },
  };
}

async function read(state: BudgetState): Promise<BudgetSnapshot> {
  const result = await state.pool.query<BudgetRow>(
    `SELECT currently_available, maximum_available, restore_rate, updated_at FROM ${state.table} WHERE shop_domain = $1`,
    [state.shopDomain],
  );
  const r = result.rows[0];
  if (r) state.last = toRow(r);
  return snapshotOf(state);
}
