/**
 * Reading admin API input: each helper throws BadRequest (HTTP 400) naming the field and the
 * rule; `handler` turns thrown errors into answers (400, or 502 when a dependency failed).
 */
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../../observability/logger.js';
import { QUEUE_NAMES, isQueueName, type QueueName } from '../../queue/names.js';

export class BadRequest extends Error {}

/** Wraps an async route: bad input → 400 with the reason; anything else → logged, 502. */
export type Handle = (fn: (req: Request, res: Response) => Promise<void>) => RequestHandler;

export function handler(logger: Logger): Handle {
  return (fn) => async (req, res) => {
    try {
      await fn(req, res);
    } catch (error) {
      if (error instanceof BadRequest || error instanceof RangeError) {
        res.status(400).json({ error: 'bad_request', detail: error.message });
        return;
      }
      logger.error('admin api failed', { path: req.path, error });
      res.status(502).json({ error: 'failed', detail: error instanceof Error ? error.message : String(error) });
    }
  };
}

/** A value as the operator sent it, for error messages and string fields. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A route parameter (`/api/dlq/:queue/:id`). */
export function routeParam(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : '';
}

export function queueParam(value: unknown): QueueName {
  if (typeof value !== 'string' || !isQueueName(value))
    throw new BadRequest(`queue must be one of ${QUEUE_NAMES.join(', ')} (got "${shown(value)}")`);
  return value;
}

export function intParam(value: unknown, name: string, fallback?: number): number | undefined {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new BadRequest(`${name} must be a non-negative integer (got "${shown(value)}")`);
  return n;
}

export function dateParam(value: unknown, name: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const d = new Date(shown(value));
  if (Number.isNaN(d.getTime())) throw new BadRequest(`${name} must be an ISO date (got "${shown(value)}")`);
  return d;
}

/** The JSON body as a record (an absent or non-object body reads as empty). */
export function bodyOf(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
}
