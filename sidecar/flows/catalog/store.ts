/**
 * The bulk catalog push's state in `<appSchema>.sidecar_state` (key `catalog.bulk`; docs/flows.md,
 * "Go-live in bulk"): which run is queued or running, the bulk operation it started in Shopify, and
 * its counts. Three readers: the run itself, resuming after a crash (it waits for the operation
 * it had started instead of starting a second one); the single catalog jobs, which wait while a
 * run is queued or running (one productSet of the same template at once); the onboarding status.
 */
import { readState, writeState } from '../../db/state.js';
import type { FlowContext } from '../context.js';

const STATE_KEY = 'catalog.bulk';

export interface BulkPushCounts {
  templates: number;
  pushed: number;
  unchanged: number;
  failed: number;
  notPushed: number;
  /** Results written to Odoo so far (record_sync_result). */
  recorded: number;
}

export interface BulkPushState {
  runId: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  /** The bulk operation this run started in Shopify (set before it is polled). */
  operationId: string | null;
  counts: BulkPushCounts | null;
  /** The run's last error, one line (never job data or personal data). */
  error: string | null;
  queuedAt: string;
  updatedAt: string;
}

type StateContext = Pick<FlowContext, 'config' | 'pool'>;

export async function readBulkPushState(ctx: StateContext): Promise<BulkPushState | null> {
  return (await readState<BulkPushState>(ctx.pool, ctx.config.database.appSchema, STATE_KEY))?.value ?? null;
}

export async function writeBulkPushState(
  ctx: StateContext & Pick<FlowContext, 'clock'>,
  state: Omit<BulkPushState, 'updatedAt'>,
): Promise<void> {
  await writeState(ctx.pool, ctx.config.database.appSchema, STATE_KEY, { ...state, updatedAt: new Date(ctx.clock()).toISOString() });
}

/** Updates the stored run, when it is still `runId`'s (a newer go-live replaced it otherwise). */
export async function updateBulkPushState(
  ctx: StateContext & Pick<FlowContext, 'clock'>,
  runId: string,
  change: Partial<Omit<BulkPushState, 'runId' | 'updatedAt' | 'queuedAt'>>,
): Promise<void> {
  const current = await readBulkPushState(ctx);
  if (!current || current.runId !== runId) return;
  await writeBulkPushState(ctx, { ...current, ...change });
}

/**
 * A run touches its state at least every poll (5 s at most) while it runs; one silent for this
 * long died without saying so (its job expired), and nothing waits for it any more.
 */
export const STALE_AFTER_MS = 15 * 60_000;

/** True while a bulk push is queued or running (and alive): single catalog jobs wait for it. */
export function bulkPushActive(state: BulkPushState | null, now: number): boolean {
  if (state?.state !== 'queued' && state?.state !== 'running') return false;
  return now - Date.parse(state.updatedAt) < STALE_AFTER_MS;
}
