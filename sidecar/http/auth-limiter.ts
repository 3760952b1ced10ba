/**
 * Failed sign-ins (admin API bearer token, dashboard login, metrics token) are counted per client
 * address: each failure is logged (address, surface, count; never the token tried), and after
 * `maxFailures` within `windowMs` the address gets 429 with Retry-After on those surfaces until
 * the window ends, also with the right token (a guesser learns nothing from a lucky try), and one
 * line says it is throttled. Per process: each replica counts its own (docs/operations.md,
 * "Access").
 */
import type { Request, Response } from 'express';
import type { Clock } from '../clock.js';
import type { Logger } from '../observability/logger.js';

export interface AuthLimiterOptions {
  logger: Logger;
  clock: Clock;
  /** Failures per address and window before it is throttled (default 10). */
  maxFailures?: number;
  /** Window length, ms (default 60 s). */
  windowMs?: number;
}

export interface AuthLimiter {
  /** Answers 429 and returns true when `req`'s address is throttled; call before checking a token. */
  throttled(req: Request, res: Response, surface: string): boolean;
  /** Counts and logs one failed attempt of `req`'s address. */
  failed(req: Request, surface: string): void;
}

interface Window {
  start: number;
  failures: number;
  throttleLogged: boolean;
}

const MAX_TRACKED = 10_000;

export function createAuthLimiter(options: AuthLimiterOptions): AuthLimiter {
  const maxFailures = options.maxFailures ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const windows = new Map<string, Window>();
  const addressOf = (req: Request) => req.socket.remoteAddress ?? 'unknown';

  function current(address: string, now: number): Window | undefined {
    const w = windows.get(address);
    if (w && now - w.start >= windowMs) {
      windows.delete(address);
      return undefined;
    }
    return w;
  }

  function prune(now: number): void {
    if (windows.size < MAX_TRACKED) return;
    for (const [address, w] of windows) if (now - w.start >= windowMs) windows.delete(address);
    // Still full (a flood from many addresses): forget the oldest, the limit stays per address.
    for (const address of windows.keys()) {
      if (windows.size < MAX_TRACKED) break;
      windows.delete(address);
    }
  }

  return {
    throttled(req, res, surface) {
      const now = options.clock();
      const address = addressOf(req);
      const w = current(address, now);
      if (!w || w.failures < maxFailures) return false;
      if (!w.throttleLogged) {
        w.throttleLogged = true;
        options.logger.warn('sign-in throttled: too many failed attempts from this address', {
          ip: address,
          surface,
          failures: w.failures,
          windowSeconds: windowMs / 1000,
        });
      }
      const retryAfter = Math.max(1, Math.ceil((w.start + windowMs - now) / 1000));
      res
        .status(429)
        .set('Retry-After', String(retryAfter))
        .json({ error: 'too_many_attempts', detail: `too many failed sign-ins from this address; try again in ${retryAfter} s` });
      return true;
    },
    failed(req, surface) {
      const now = options.clock();
      const address = addressOf(req);
      prune(now);
      const w = current(address, now) ?? { start: now, failures: 0, throttleLogged: false };
      w.failures += 1;
      windows.set(address, w);
      options.logger.warn('sign-in failed', { ip: address, surface, failures: w.failures });
    },
  };
}
