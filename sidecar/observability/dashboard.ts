/**
 * The ops dashboard and the metrics endpoint (HTTP routes only; the data comes from metrics.ts,
 * rollup.ts, alerts.ts and the queue):
 *   GET  /metrics                 Prometheus text behind METRICS_TOKEN; without one it is not served
 *                                 here (METRICS_PORT serves it on an internal listener instead).
 *   GET  /dashboard               the page, or a login form without a valid session.
 *   POST /dashboard/login         form field `token` = ADMIN_TOKEN → HttpOnly SameSite=Strict cookie.
 *   POST /dashboard/logout        clears the cookie.
 *   GET  /dashboard/assets/*      the page's script and uPlot, served from node_modules (offline).
 *   GET  /admin/api/dashboard     the JSON behind the page (bearer token or session cookie).
 *
 * The session cookie never holds the token: it is `<expiry>.<HMAC-SHA256(ADMIN_TOKEN, expiry)>`,
 * so rotating ADMIN_TOKEN ends every session and no server-side store is needed (replicas agree).
 * Failed sign-ins and wrong tokens are counted per address and throttled (http/auth-limiter.ts).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type pg from 'pg';
import type { Clock } from '../clock.js';
import type { AuthLimiter } from '../http/auth-limiter.js';
import { latestReport } from '../reports/store.js';
import { FLOW_QUEUES } from '../queue/names.js';
import type { SyncQueue } from '../queue/queue.js';
import type { ShopifyClient } from '../shopify/index.js';
import type { Alerter } from './alerts.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { readSeries, type RollupWriter } from './rollup.js';

const COOKIE = 'sidecar_session';
const SESSION_SECONDS = 12 * 3600;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export interface DashboardOptions {
  adminToken: string;
  metricsToken: string;
  publicUrl: string;
  pool: pg.Pool;
  schema: string;
  queue: SyncQueue;
  shopify: ShopifyClient;
  metrics: Metrics;
  rollup: RollupWriter;
  alerter: Alerter;
  logger: Logger;
  /** Session expiry and the dashboard's time axis are measured on it. */
  clock: Clock;
  /** Counts and throttles failed sign-ins and wrong tokens. */
  limiter?: AuthLimiter;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

export function sessionValue(adminToken: string, expiresAt: number): string {
  const mac = createHmac('sha256', adminToken).update(`dashboard-session:${expiresAt}`).digest('base64url');
  return `${expiresAt}.${mac}`;
}

export function validSession(adminToken: string, value: string | undefined, now: number): boolean {
  if (!value) return false;
  const [expires, mac] = value.split('.');
  const expiresAt = Number(expires);
  if (!mac || !Number.isSafeInteger(expiresAt) || expiresAt <= now) return false;
  return sameSecret(sessionValue(adminToken, expiresAt), value);
}

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function bearer(req: Request): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1]?.trim();
}

const page = (body: string, head = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shopify ⟷ Odoo sync</title><link rel="stylesheet" href="/dashboard/assets/dashboard.css">${head}</head>
<body>${body}</body></html>`;

const LOGIN = (error: string) =>
  page(`<main class="login"><h1>Shopify ⟷ Odoo sync</h1>
<form method="post" action="/dashboard/login">
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
${error ? `<p class="error" role="alert">${error}</p>` : ''}
</form></main>`);

const DASHBOARD = page(
  `<header><h1>Shopify ⟷ Odoo sync</h1><span id="updated"></span>
<form method="post" action="/dashboard/logout"><button type="submit">Sign out</button></form></header>
<main id="app"><p>Loading…</p></main>`,
  `<link rel="stylesheet" href="/dashboard/assets/uPlot.min.css">
<script src="/dashboard/assets/uPlot.iife.min.js" defer></script>
<script src="/dashboard/assets/dashboard.js" defer></script>`,
);

const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** The page's static files: its own script and style, and uPlot from node_modules (works offline). */
function dashboardAssets(): Record<string, { file: string; type: string }> {
  const uplotDir = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  return {
    'uPlot.iife.min.js': { file: path.join(uplotDir, 'uPlot.iife.min.js'), type: 'text/javascript' },
    'uPlot.min.css': { file: path.join(uplotDir, 'uPlot.min.css'), type: 'text/css' },
    'dashboard.js': { file: path.join(HERE, 'dashboard-page', 'dashboard.js'), type: 'text/javascript' },
    'dashboard.css': { file: path.join(HERE, 'dashboard-page', 'dashboard.css'), type: 'text/css' },
  };
}

export function createDashboardRouter(options: DashboardOptions): Router {
  const router = express.Router();
  const signedIn = (req: Request) => validSession(options.adminToken, cookieOf(req, COOKIE), options.clock());
  router.get('/metrics', metricsRoute(options));
  router.get('/dashboard/assets/:name', assetRoute(dashboardAssets()));
  router.get('/dashboard', (req, res) => {
    res
      .set(SECURITY_HEADERS)
      .type('html')
      .send(signedIn(req) ? DASHBOARD : LOGIN(''));
  });
  sessionRoutes(router, options);
  const guard = (req: Request, res: Response, next: NextFunction) => {
    if (options.limiter?.throttled(req, res, 'dashboard')) return;
    const token = bearer(req);
    if ((token && sameSecret(token, options.adminToken)) || signedIn(req)) return next();
    // A wrong token is a guess; a missing or expired session (the page polling) is not.
    if (token) options.limiter?.failed(req, 'dashboard');
    res.status(401).json({ error: 'unauthorized', detail: 'a valid admin bearer token or dashboard session is required' });
  };
  router.get('/admin/api/dashboard', guard, async (_req, res, next) => {
    try {
      res.set('Cache-Control', 'no-store').json(await dashboardData(options, options.clock()));
    } catch (error) {
      next(error);
    }
  });
  return router;
}

function metricsRoute(options: DashboardOptions) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (!options.metricsToken) {
        res.status(404).json({
          error: 'not_found',
          detail: '/metrics is served here only behind METRICS_TOKEN; or set METRICS_PORT for an internal listener',
        });
        return;
      }
      if (options.limiter?.throttled(req, res, 'metrics')) return;
      if (!sameSecret(bearer(req) ?? '', options.metricsToken)) {
        options.limiter?.failed(req, 'metrics');
        res
          .status(401)
          .set('WWW-Authenticate', 'Bearer')
          .json({ error: 'unauthorized', detail: 'METRICS_TOKEN is set: send it as a bearer token' });
        return;
      }
      res.set('Content-Type', options.metrics.contentType).send(await options.metrics.text());
    } catch (error) {
      next(error);
    }
  };
}

function assetRoute(assets: Record<string, { file: string; type: string }>) {
  return (req: Request<{ name: string }>, res: Response) => {
    const asset = assets[req.params.name];
    if (!asset) {
      res.status(404).json({ error: 'not_found' });
      return;
    }
    res.set({ 'Content-Type': asset.type, 'Cache-Control': 'public, max-age=300', 'X-Content-Type-Options': 'nosniff' });
    fs.createReadStream(asset.file)
      .on('error', () => res.status(500).end())
      .pipe(res);
  };
}

/** Sign-in with the admin token (a form post) and sign-out; the session is a signed expiry cookie. */
function sessionRoutes(router: Router, options: DashboardOptions): void {
  const secure = options.publicUrl.startsWith('https:');
  router.post('/dashboard/login', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    if (options.limiter?.throttled(req, res, 'dashboard login')) return;
    const body = req.body as { token?: unknown } | undefined;
    const given = typeof body?.token === 'string' ? body.token : '';
    if (!given || !sameSecret(given, options.adminToken)) {
      if (options.limiter) options.limiter.failed(req, 'dashboard login');
      else options.logger.warn('dashboard sign-in refused', { ip: req.socket.remoteAddress });
      res.set(SECURITY_HEADERS).status(401).type('html').send(LOGIN('That token is not valid.'));
      return;
    }
    const expiresAt = options.clock() + SESSION_SECONDS * 1000;
    res.cookie(COOKIE, sessionValue(options.adminToken, expiresAt), {
      httpOnly: true,
      sameSite: 'strict',
      secure,
      path: '/',
      maxAge: SESSION_SECONDS * 1000,
    });
    res.redirect(303, '/dashboard');
  });
  router.post('/dashboard/logout', (_req, res) => {
    res.clearCookie(COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
    res.redirect(303, '/dashboard');
  });
}

export async function dashboardData(options: DashboardOptions, at: number) {
  const { queue, pool, schema } = options;
  // This replica's latest counts first, so the charts include the current minute.
  await options.rollup.flush().catch((error: unknown) => options.logger.warn('metrics rollup flush failed', { error }));
  const [hour, day, gauges, alerts, reports] = await Promise.all([
    readSeries(pool, schema, { until: at, windowMinutes: 60, stepMinutes: 1 }),
    readSeries(pool, schema, { until: at, windowMinutes: 24 * 60, stepMinutes: 15 }),
    options.metrics.gauges(),
    options.alerter.active(),
    latestReports(pool, schema),
  ]);
  const flowStats = gauges.queues.filter((q) => (FLOW_QUEUES as readonly string[]).includes(q.queue));
  const deadLetters = await Promise.all(
    flowStats
      .filter((q) => q.dlq > 0)
      .map(async (q) => {
        const entries = await queue.listDeadLetters(q.queue, { limit: 50 });
        entries.sort((a, b) => b.deadLetteredAt.getTime() - a.deadLetteredAt.getTime());
        return {
          queue: q.queue,
          size: q.dlq,
          newest: entries.slice(0, 5).map((e) => ({
            id: e.id,
            key: e.key,
            kind: e.kind,
            reason: e.reason,
            attempts: e.attempts,
            correlationId: e.correlationId,
            deadLetteredAt: e.deadLetteredAt.toISOString(),
          })),
        };
      }),
  );
  const blocked = await Promise.all(
    flowStats
      .filter((q) => q.blockedKeys > 0)
      .map(async (q) => ({ queue: q.queue, count: q.blockedKeys, keys: (await queue.blockedKeys(q.queue)).slice(0, 20) })),
  );
  const budget = options.shopify.budget.snapshot();
  return {
    generatedAt: new Date(at).toISOString(),
    shop: options.shopify.shopDomain,
    flows: FLOW_QUEUES.map((name) => ({
      queue: name,
      stats: flowStats.find((q) => q.queue === name) ?? null,
      hour: hour.find((s) => s.queue === name) ?? null,
      day: day.find((s) => s.queue === name) ?? null,
    })),
    hourAxis: hour[0]?.points.map((p) => p.t) ?? [],
    dayAxis: day[0]?.points.map((p) => p.t) ?? [],
    deadLetters,
    blocked,
    outbox: { lagSeconds: options.metrics.outboxLagSeconds() },
    webhooks: gauges.topics.map((t) => ({
      topic: t.topic,
      lastReceivedAt: t.lastReceivedAt.toISOString(),
      ageSeconds: Math.max(0, Math.round((at - t.lastReceivedAt.getTime()) / 1000)),
      count24h: t.count24h,
    })),
    budget: {
      available: Number.isFinite(budget.available) ? Math.round(budget.available) : null,
      maximum: budget.maximum,
      restoreRate: budget.restoreRate,
      throttleWaits: budget.throttleWaits,
      throttleWaitSeconds: budget.throttleWaitSeconds,
      throttledResponses: budget.throttledResponses,
    },
    deprecations: options.shopify.deprecations(),
    alerts,
    reports,
  };
}

/** The latest reconciliation and integrity reports (sidecar/reports/store.ts), or null: "no report yet". */
async function latestReports(pool: pg.Pool, schema: string): Promise<Record<'reconciliation' | 'integrity', unknown>> {
  const [reconciliation, integrity] = await Promise.all([
    latestReport(pool, 'reconciliation', schema),
    latestReport(pool, 'integrity', schema),
  ]);
  const view = (r: Awaited<ReturnType<typeof latestReport>>) => (r ? { createdAt: r.createdAt, summary: r.summary } : null);
  return { reconciliation: view(reconciliation), integrity: view(integrity) };
}
