/**
 * One cost-aware API budget per shop, shared by all workers and all sidecar replicas
 * (docs/architecture.md, decision 6), modelled on Shopify's leaky bucket of cost points.
 *
 * State lives in PostgreSQL (`{schema}.shopify_budget`, one row per shop, migration 002). Before
 * a call, `reserve` takes the estimated cost out of the bucket, after restoring the level for the
 * time elapsed since the row was written, in one conditional UPDATE (atomic, the row locked only
 * while the statement runs); when the bucket is short it sleeps exactly the time the restore rate
 * needs and tries again. After the call, `settle` gives back what Shopify did not charge
 * (requested − actual, or everything on THROTTLED) and adopts Shopify's own `throttleStatus`
 * (maximum, restore rate, and the lower of the two levels: a lower level from Shopify means
 * spending we did not see, a higher one means reservations of other workers that Shopify has not
 * seen yet), in one UPDATE too: a call costs the database two statements, not two transactions of
 * five.
 *
 * Priority lanes: a lower lane may not take the bucket below its reserve, so a catalog backfill
 * never starves orders. Default reserves (fractions of maximumAvailable): orders 0,
 * fulfillments 10 %, inventory 25 %, catalog 50 %. A call of a lower lane yields to orders for
 * at most `patienceMs` (20 s): a flash sale's order reads can hold the bucket below every reserve
 * for minutes, and a stock push or a customer read must not wait that long (nor past its job's
 * expiry). After that it takes the bucket as an order would.
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
  /** How long a call of a lower lane keeps its lane's reserve before it competes as an order (default 20 s). */
  patienceMs?: number;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** A lower lane's call yields to orders this long at most (see the module's comment). */
export const DEFAULT_LANE_PATIENCE_MS = 20_000;

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
  patienceMs: number;
  initial: { maximumAvailable: number; restoreRate: number };
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  /** The row as last read or written by this process. */
  last: Row | undefined;
  counters: { waits: number; waitMs: number; throttled: number; byLane: Record<Lane, number> };
}

type BudgetRow = { currently_available: number; maximum_available: number; restore_rate: number; updated_at: Date };

export function createShopifyBudget(options: BudgetOptions): ShopifyBudget {
  const reserves = checkBudgetOptions(options);
  const state: BudgetState = {
    pool: options.pool,
    shopDomain: options.shopDomain,
    table: `${quoteIdent(options.schema)}.shopify_budget`,
    reserves,
    patienceMs: options.patienceMs ?? DEFAULT_LANE_PATIENCE_MS,
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
  if (options.patienceMs !== undefined && !(options.patienceMs > 0))
    throw new TypeError(`createShopifyBudget: patienceMs must be > 0 (got ${options.patienceMs})`);
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

const COLUMNS = 'currently_available, maximum_available, restore_rate, updated_at';

/**
 * The row's level restored to `$2` (the caller's clock), in SQL over the row's own columns, so that
 * a single UPDATE computes it from the version it locks: PostgreSQL re-evaluates an UPDATE's
 * conditions and values on the latest version when another writer got there first. Never restores
 * for negative time (a replica's clock behind the row's), and `updated_at` never moves back.
 */
const LEVEL = `LEAST(maximum_available, currently_available + GREATEST(0, EXTRACT(EPOCH FROM ($2::timestamptz - updated_at))::float8) * restore_rate)`;
/** The reservation: the estimate `$3`, at most the bucket. */
const COST = 'LEAST($3::float8, maximum_available)';

/** The shop's row as it is, created with the assumed bucket when missing (first call, or erased by shop/redact). */
async function readRow(state: BudgetState): Promise<{ row: Row; created: boolean }> {
  const { table, shopDomain, initial } = state;
  const select = () =>
    state.pool.query<BudgetRow>(`SELECT ${COLUMNS} FROM ${table} WHERE shop_domain = $1`, [shopDomain]).then((r) => r.rows[0]);
  let found = await select();
  if (!found) {
    await state.pool.query(
      `INSERT INTO ${table} (shop_domain, currently_available, maximum_available, restore_rate, updated_at)
       VALUES ($1, $2, $2, $3, $4) ON CONFLICT (shop_domain) DO NOTHING`,
      [shopDomain, initial.maximumAvailable, initial.restoreRate, new Date(state.clock())],
    );
    found = await select();
    state.last = toRow(found!);
    return { row: state.last, created: true };
  }
  state.last = toRow(found);
  return { row: state.last, created: false };
}

/**
 * Takes the cost when the lane may spend it: one UPDATE, the row locked only while it runs (no
 * transaction held across round trips, which concurrent calls of every worker would queue behind).
 * When it takes nothing, the row is read to know how long the restore rate needs.
 */
async function tryTake(state: BudgetState, reserveShare: number, estimatedCost: number): Promise<{ cost: number } | { waitMs: number }> {
  const now = state.clock();
  const taken = await state.pool.query<BudgetRow & { cost: number }>(
    `UPDATE ${state.table}
        SET currently_available = GREATEST(0, ${LEVEL} - ${COST}), updated_at = GREATEST(updated_at, $2::timestamptz)
      WHERE shop_domain = $1
        AND ${LEVEL} - ${COST} >= LEAST(maximum_available * $4::float8, maximum_available - ${COST})
      RETURNING ${COLUMNS}, ${COST} AS cost`,
    [state.shopDomain, new Date(now), estimatedCost, reserveShare],
  );
  const won = taken.rows[0];
  if (won) {
    state.last = toRow(won);
    return { cost: won.cost };
  }
  const { row, created } = await readRow(state);
  const level = restored(row, now);
  const cost = Math.min(estimatedCost, row.maximum);
  // A call larger than the lane's share may still run once the bucket is full enough.
  const floor = Math.min(row.maximum * reserveShare, row.maximum - cost);
  // Enough now: the row was just created (try again at once), or another call gave points back
  // meanwhile (try again a millisecond later, so a clock that does not move still moves on).
  if (level - cost >= floor) return { waitMs: created ? 0 : 1 };
  return { waitMs: Math.ceil(((floor + cost - level) / row.rate) * 1000) };
}

async function reserve(state: BudgetState, lane: Lane, estimatedCost: number): Promise<Reservation> {
  if (!LANES.includes(lane)) throw new TypeError(`budget.reserve: unknown lane ${JSON.stringify(lane)}`);
  if (!(estimatedCost >= 0)) throw new TypeError(`budget.reserve: estimatedCost must be >= 0 (got ${estimatedCost})`);
  const startedAt = state.clock();
  for (;;) {
    // The lane's reserve holds until the call has waited its patience out (the module's comment).
    const patienceLeft = startedAt + state.patienceMs - state.clock();
    const reserveShare = patienceLeft > 0 ? state.reserves[lane] : 0;
    const decision = await tryTake(state, reserveShare, estimatedCost);
    if ('cost' in decision) return Object.freeze({ lane, cost: decision.cost });
    if (decision.waitMs === 0) continue;
    // Wake when the patience ends, if that comes first: from then on the reserve no longer applies.
    const waitMs = reserveShare > 0 ? Math.min(decision.waitMs, Math.ceil(patienceLeft)) : decision.waitMs;
    state.counters.waits += 1;
    state.counters.waitMs += waitMs;
    state.counters.byLane[lane] += 1;
    await state.sleep(waitMs);
  }
}

/**
 * Gives back what Shopify did not charge and adopts its throttleStatus, in one UPDATE: the level
 * restored to now plus the refund, lowered to Shopify's own level when that is lower (spending we
 * did not see), within the bucket Shopify reports.
 */
async function settle(state: BudgetState, reservation: Reservation, outcome: SettleOutcome): Promise<void> {
  if (outcome.kind === 'unknown') return;
  if (outcome.kind === 'answered' && outcome.throttled) state.counters.throttled += 1;
  const cost = outcome.kind === 'answered' ? outcome.cost : undefined;
  const actual = outcome.kind === 'not-charged' || outcome.throttled ? 0 : (cost?.actualQueryCost ?? reservation.cost);
  const refund = reservation.cost - actual;
  const reported = cost?.throttleStatus;
  if (refund === 0 && !reported) return;
  // Shopify computed currentlyAvailable before we read the clock: adopting it "as of now"
  // under-counts restoration slightly, which errs on the safe side.
  const status = reported && reported.maximumAvailable > 0 && reported.restoreRate > 0 ? reported : undefined;
  const result = await state.pool.query<BudgetRow>(
    `UPDATE ${state.table}
        SET currently_available = GREATEST(0, LEAST(COALESCE($5::float8, maximum_available), $4::float8, ${LEVEL} + $3::float8)),
            maximum_available = COALESCE($5::float8, maximum_available),
            restore_rate = COALESCE($6::float8, restore_rate),
            updated_at = GREATEST(updated_at, $2::timestamptz)
      WHERE shop_domain = $1
      RETURNING ${COLUMNS}`,
    [
      state.shopDomain,
      new Date(state.clock()),
      refund,
      status?.currentlyAvailable ?? null,
      status?.maximumAvailable ?? null,
      status?.restoreRate ?? null,
    ],
  );
  if (result.rows[0]) state.last = toRow(result.rows[0]);
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
