/**
 * POST /odoo/wake — the addon's post-commit ping saying "the outbox has events". Signed with the
 * shared secret (hex HMAC-SHA256 of the raw body in X-Shopify-Sync-Signature, see the addon's
 * shopify_sync_event.py). The ping only triggers a drain; a forged or lost one changes nothing
 * that the periodic poll would not do anyway.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type Router } from 'express';
import type { Logger } from '../observability/logger.js';

export function createOdooWakeRouter(options: { secret: string; onWake: () => void; logger: Logger }): Router {
  const router = express.Router();
  router.post('/odoo/wake', express.raw({ type: () => true, limit: 4096 }), (req, res) => {
    if (!options.secret) {
      res.status(404).json({ error: 'wake_disabled', detail: 'set ODOO_WAKE_SECRET to accept wake-up pings' });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const given = Buffer.from(req.get('x-shopify-sync-signature') ?? '', 'hex');
    const expected = createHmac('sha256', options.secret).update(body).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      options.logger.warn('odoo wake-up rejected', { reason: 'invalid signature' });
      res.status(401).json({ error: 'invalid_signature' });
      return;
    }
    options.onWake();
    res.status(202).json({ ok: true });
  });
  return router;
}
