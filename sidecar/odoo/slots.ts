/**
 * At most N Odoo calls in flight per sidecar process (`ODOO_MAX_CONCURRENT_REQUESTS`). A
 * multi-process Odoo accepts connections into a listen backlog of 8 × its workers
 * (odoo/service/server.py, PreforkServer); the sidecar's queues together can call more at once
 * than that, and a connection beyond the backlog is not refused but left unanswered until the
 * call's connect timeout, then retried — seen in a real-Odoo bench at 5 orders/s with 2 workers.
 * Waiting here instead costs nothing Odoo would not make the call wait anyway. p-limit keeps the
 * waiting calls in arrival order.
 */
import pLimit from 'p-limit';
import type { OdooCaller } from './types.js';

export function withCallSlots(caller: OdooCaller, maxConcurrent: number): OdooCaller {
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw new TypeError('withCallSlots: maxConcurrent must be a positive integer');
  const slots = pLimit(maxConcurrent);
  return Object.freeze({
    executeKw<T>(model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<T> {
      return slots(() => caller.executeKw<T>(model, method, args, kwargs));
    },
  });
}
