/**
 * Shopify's `@idempotent(key:)` directive (required on inventory mutations and refundCreate since
 * 2026-04). A key remembers its mutation, a hash of its arguments and its outcome:
 * - same key, same arguments, succeeded → the first result again, nothing re-applied;
 * - same key, other arguments → IDEMPOTENCY_KEY_PARAMETER_MISMATCH;
 * - same key after a failed attempt → IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED;
 * - same key while the first attempt still runs → IDEMPOTENCY_CONCURRENT_REQUEST.
 * Records live in the state (saved with it).
 */
import crypto from 'node:crypto';
import type { IdempotencyRecord, SimState } from '../state.js';

export type IdempotencyOutcome =
  | { kind: 'new'; record: IdempotencyRecord }
  | { kind: 'replay'; result: unknown }
  | {
      kind: 'error';
      code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH' | 'IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED' | 'IDEMPOTENCY_CONCURRENT_REQUEST';
      message: string;
    };

export const IDEMPOTENCY_MESSAGES = {
  IDEMPOTENCY_CONCURRENT_REQUEST: 'This request is currently in progress, please try again',
  IDEMPOTENCY_KEY_PARAMETER_MISMATCH: 'The same idempotency key cannot be used with different operation parameters',
  IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED: 'A previous request with this idempotency key failed. Retry with a new idempotency key.',
} as const;

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export class IdempotencyStore {
  constructor(private readonly state: () => SimState) {}

  begin(key: string, mutation: string, args: unknown): IdempotencyOutcome {
    const paramsHash = crypto
      .createHash('sha256')
      .update(`${mutation}:${stableStringify(args)}`)
      .digest('hex');
    const existing = this.state().idempotency.find((r) => r.key === key);
    if (!existing) {
      const record: IdempotencyRecord = { key, mutation, paramsHash, status: 'in_progress', result: null };
      this.state().idempotency.push(record);
      return { kind: 'new', record };
    }
    if (existing.status === 'in_progress')
      return { kind: 'error', code: 'IDEMPOTENCY_CONCURRENT_REQUEST', message: IDEMPOTENCY_MESSAGES.IDEMPOTENCY_CONCURRENT_REQUEST };
    if (existing.paramsHash !== paramsHash)
      return {
        kind: 'error',
        code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH',
        message: IDEMPOTENCY_MESSAGES.IDEMPOTENCY_KEY_PARAMETER_MISMATCH,
      };
    if (existing.status === 'failed')
      return {
        kind: 'error',
        code: 'IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED',
        message: IDEMPOTENCY_MESSAGES.IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED,
      };
    return { kind: 'replay', result: existing.result };
  }

  finish(record: IdempotencyRecord, succeeded: boolean, result: unknown): void {
    record.status = succeeded ? 'succeeded' : 'failed';
    record.result = result;
  }

  /** Control API / tests: pin a key as still running, to provoke IDEMPOTENCY_CONCURRENT_REQUEST. */
  markInProgress(key: string, mutation: string): void {
    this.state().idempotency = this.state().idempotency.filter((r) => r.key !== key);
    this.state().idempotency.push({ key, mutation, paramsHash: '', status: 'in_progress', result: null });
  }
}
