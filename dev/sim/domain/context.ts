/**
 * What every domain operation needs: the state, the clock, id allocation and the event sink that
 * turns merchant/storefront actions into webhook deliveries.
 */
import type { Clock } from '../clock.js';
import type { SimState } from '../state.js';

export interface UserError {
  field: string[] | null;
  message: string;
  code?: string;
}

/** A rejected operation; GraphQL turns it into `userErrors`, the control API into HTTP 422. */
export class DomainError extends Error {
  constructor(readonly userErrors: UserError[]) {
    super(userErrors.map((e) => e.message).join('; '));
    this.name = 'DomainError';
  }
}

export function fail(message: string, field: string[] | null = null, code?: string): never {
  throw new DomainError([{ field, message, ...(code ? { code } : {}) }]);
}

export interface SimEvent {
  topic: string;
  payload: Record<string, unknown>;
}

export interface DomainContext {
  state: SimState;
  clock: Clock;
  /** Queues a webhook event; all events of one action share an event id (X-Shopify-Event-Id). */
  emit(events: SimEvent[]): void;
}

export function nextId(ctx: DomainContext): number {
  ctx.state.nextId += 1;
  return ctx.state.nextId;
}

export function nowIso(ctx: DomainContext): string {
  return new Date(ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
