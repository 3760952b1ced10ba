/**
 * Onboarding's state in `<appSchema>.sidecar_state` (key `onboarding`): written once a real run
 * completed, read by the gate every push consults, and the advisory lock that keeps one run at a
 * time across replicas.
 */
import type pg from 'pg';
import { readState, writeState } from '../db/state.js';
import type { FlowContext } from '../flows/context.js';
import type { OnboardingPlan } from './map.js';

export type OnboardingContext = Pick<FlowContext, 'config' | 'logger' | 'pool' | 'shopify' | 'odoo' | 'queue' | 'clock'>;

const STATE_KEY = 'onboarding';
/** Advisory lock key: one onboarding at a time across replicas. */
const LOCK_KEY = 7_310_104_305;

export interface OnboardingCounts {
  odooVariants: number;
  shopifyVariants: number;
  odooCustomers: number;
  shopifyCustomers: number;
  productsLinked: number;
  variantsLinked: number;
  productsAlreadyLinked: number;
  customersLinked: number;
  customersAlreadyLinked: number;
  conflicts: number;
  /** record_sync_result calls made (0 in a dry run). */
  written: number;
}

export interface OnboardingState {
  completedAt: string;
  held: OnboardingPlan['held'];
  counts: OnboardingCounts;
}

export async function saveOnboardingState(ctx: Pick<FlowContext, 'config' | 'pool'>, state: OnboardingState): Promise<void> {
  await writeState(ctx.pool, ctx.config.database.appSchema, STATE_KEY, state);
}

/**
 * Whether pushing to Shopify may start: a real onboarding run finished without write errors, or
 * ONBOARDING_REQUIRED=false; and the Odoo records onboarding held back for a conflict.
 */
export async function onboardingGate(
  ctx: Pick<FlowContext, 'config' | 'pool'>,
): Promise<{ complete: boolean; held: OnboardingPlan['held'] }> {
  const stored = await readState<OnboardingState>(ctx.pool, ctx.config.database.appSchema, STATE_KEY);
  const held = stored?.value.held ?? { templateIds: [], partnerIds: [] };
  return { complete: !ctx.config.onboarding.required || stored !== null, held };
}

export class OnboardingBusyError extends Error {
  override name = 'OnboardingBusyError';
}

/** Runs `task` holding the onboarding lock; OnboardingBusyError when another run holds it. */
export async function withOnboardingLock<T>(pool: pg.Pool, task: () => Promise<T>): Promise<T> {
  const lock = await pool.connect();
  try {
    const { rows } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LOCK_KEY]);
    if (!rows[0]?.ok) throw new OnboardingBusyError('onboarding is already running');
    try {
      return await task();
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  } finally {
    lock.release();
  }
}
