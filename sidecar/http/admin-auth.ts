/** Bearer-token guard for the admin API and dashboard (constant-time compare, failures limited). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AuthLimiter } from './auth-limiter.js';

export function requireAdminToken(token: string, limiter?: AuthLimiter) {
  // Hash both sides so the comparison has a fixed length and leaks nothing about the token.
  const expected = createHash('sha256').update(token).digest();
  return (req: Request, res: Response, next: NextFunction): void => {
    if (limiter?.throttled(req, res, 'admin')) return;
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const given = createHash('sha256')
      .update(match?.[1]?.trim() ?? '')
      .digest();
    if (!match || !timingSafeEqual(expected, given)) {
      limiter?.failed(req, 'admin');
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized', detail: 'a valid admin bearer token is required' });
      return;
    }
    next();
  };
}
