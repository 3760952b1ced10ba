/** Bearer-token guard for the admin API and dashboard (constant-time compare). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export function requireAdminToken(token: string) {
  // Hash both sides so the comparison has a fixed length and leaks nothing about the token.
  const expected = createHash('sha256').update(token).digest();
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const given = createHash('sha256')
      .update(match?.[1]?.trim() ?? '')
      .digest();
    if (!match || !timingSafeEqual(expected, given)) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized', detail: 'a valid admin bearer token is required' });
      return;
    }
    next();
  };
}
