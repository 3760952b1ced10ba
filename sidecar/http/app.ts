/**
 * The sidecar's HTTP surface (express): health, readiness, Shopify webhooks and the admin API.
 * Routes only translate HTTP to calls into the other modules.
 */
import { randomUUID } from 'node:crypto';
import express, { type Express, type Router } from 'express';
import { withLogContext, type Logger } from '../observability/logger.js';
import { requireAdminToken } from './admin-auth.js';
import type { AuthLimiter } from './auth-limiter.js';
import type { ReadinessReport } from './readiness.js';

export interface HttpAppOptions {
  logger: Logger;
  adminToken: string;
  /** Reverse proxies whose X-Forwarded-For sets `req.ip` (config TRUSTED_PROXIES); none by default. */
  trustedProxies?: readonly string[];
  /** Counts and throttles wrong admin tokens. */
  limiter?: AuthLimiter;
  readiness: () => Promise<ReadinessReport>;
  /** The webhook intake; absent in a workers-only process. */
  webhooks?: Router;
  /** Admin routes, mounted under /admin behind the bearer token. */
  admin?: Router;
  /** Extra public routes (Odoo's wake-up ping, /metrics, …). */
  extra?: Router[];
}

export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Only a configured proxy's X-Forwarded-For is believed: a client cannot pick its own address.
  app.set('trust proxy', options.trustedProxies?.length ? [...options.trustedProxies] : false);

  app.use((req, _res, next) => {
    const correlationId = req.get('x-request-id') ?? req.get('x-shopify-webhook-id') ?? randomUUID();
    withLogContext({ correlationId }, next);
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const report = await options.readiness();
    res.status(report.ready ? 200 : 503).json(report);
  });

  if (options.webhooks) app.use(options.webhooks);
  for (const router of options.extra ?? []) app.use(router);
  if (options.admin) app.use('/admin', requireAdminToken(options.adminToken, options.limiter), options.admin);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    options.logger.error('http request failed', { error });
    res.status(500).json({ error: 'internal_error' });
  });
  return app;
}
