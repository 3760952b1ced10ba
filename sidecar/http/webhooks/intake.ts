/**
 * POST /webhooks/shopify — authenticate, deduplicate, enqueue, nothing else: the work
 * happens from the queue, so the answer never waits for Odoo or Shopify.
 * Order: size limit (413) → HMAC (401) → headers (400) → shop (403) → JSON (400) → dedupe on
 * webhook id → inbox row + job in one transaction → 200. Shopify expects an answer within 5 s;
 * the work itself happens later from the queue. A connection-class failure to store a delivery is
 * tried again for up to 3 s (a PostgreSQL restart is usually shorter); a database away longer gets
 * 503 (nothing was stored) and Shopify delivers again later (docs/operations.md, "Database restarts").
 *
 * Nothing is refused for its content once it is signed: the inbox keeps the exact body whatever it
 * holds (inbox/inbox.ts), and a body a flow cannot use becomes that record's error, not a refused
 * delivery (a processed topic without its entity id is recorded `invalid` and answered 200).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type pg from 'pg';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../observability/logger.js';
import { withLogContext } from '../../observability/logger.js';
import { retryConnectionErrors, type RetryBudget } from '../../db/retry.js';
import { createInboxWriter, type EnqueueMany } from '../../inbox/batch.js';
import { recordInvalid, type EnqueueInTransaction } from '../../inbox/inbox.js';
import { WEBHOOK_ROUTES } from '../../inbox/routes.js';
import { isWebhookTopic, type WebhookJob, type WebhookTopic } from '../../jobs.js';
import type { FlowQueue } from '../../queue/names.js';
import { statusFor, verifyWebhook, type RejectionReason, type VerificationResult, type WebhookDelivery } from './verify.js';

type Rejection = Extract<VerificationResult, { ok: false }>;

/** A delivery's job and where it goes. */
export type QueuedJob = { job: WebhookJob; route: { queue: FlowQueue; key: string } };

export interface WebhookIntakeOptions {
  pool: pg.Pool;
  /** The configured shop's permanent domain: deliveries naming another shop are refused (403). */
  shop: string;
  schema: string;
  secrets: readonly string[];
  maxBodyBytes: number;
  logger: Logger;
  /** `received_at` of inbox rows, which retention and freshness are measured against. */
  clock: Clock;
  enqueue: EnqueueInTransaction;
  /** Many deliveries' jobs in one transaction (the queue's `sendManyInTransaction`); default: `enqueue` for each. */
  enqueueMany?: EnqueueMany<QueuedJob>;
  /** Metrics hook: one call per request with its outcome. */
  onOutcome?: (event: { topic: string; outcome: 'queued' | 'duplicate' | 'ignored' | 'invalid' | RejectionReason }) => void;
  /** How long a delivery's storing is retried after connection-class failures; defaults to STORE_RETRY. */
  storeRetry?: Pick<RetryBudget, 'retryForMs' | 'answerWithinMs'>;
}

/**
 * Shopify waits 5 s for the answer: new attempts start within 3 s, and the answer is given by
 * 4.5 s whatever the last attempt is doing.
 */
export const STORE_RETRY = { retryForMs: 3000, answerWithinMs: 4500 } as const;

/** The job of a delivery of a processed topic with its entity, and where it goes. */
function queuedJob(shop: string, topic: WebhookTopic, delivery: WebhookDelivery, entityGid: string): QueuedJob {
  const route = WEBHOOK_ROUTES[topic];
  return {
    job: {
      source: 'webhook',
      topic,
      webhookId: delivery.webhookId,
      entityGid,
      triggeredAt: delivery.triggeredAt ?? null,
      ...route.hints?.(delivery.payload),
    },
    // The configured shop, which the delivery's (unsigned) header was checked against.
    route: { queue: route.queue, key: route.key(shop, entityGid, delivery.payload) },
  };
}

export function createWebhookRouter(options: WebhookIntakeOptions): Router {
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: options.maxBodyBytes });
  // As many transactions at once as the pool has connections; deliveries beyond wait and are
  // stored together (inbox/batch.ts).
  const writer = createInboxWriter<QueuedJob>({
    pool: options.pool,
    schema: options.schema,
    concurrency: options.pool.options.max ?? 10,
    enqueue:
      options.enqueueMany ??
      (async (client, jobs) => {
        for (const { job, route } of jobs) await options.enqueue(client, job, route);
      }),
  });

  router.post('/webhooks/shopify', raw, async (req: Request, res: Response) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const result = verifyWebhook({
      rawBody,
      headers: req.headers,
      secrets: options.secrets,
      maxBytes: options.maxBodyBytes,
      shopDomain: options.shop,
    });
    if (!result.ok) {
      await reject(options, req, res, result, rawBody);
      return;
    }
    const { delivery } = result;
    await withLogContext({ correlationId: delivery.webhookId }, async () => {
      const topic = delivery.topic;
      const route = isWebhookTopic(topic) ? WEBHOOK_ROUTES[topic] : undefined;
      const entityGid = route?.entityGid(delivery.payload);
      let outcome: { status: 'queued' | 'ignored' | 'invalid'; reason?: string } = { status: 'queued' };
      if (!route) outcome = { status: 'ignored', reason: `topic ${topic} is not processed` };
      // A processed topic without its entity id cannot be routed. Answering 200 (recorded as
      // invalid, logged as an error) keeps Shopify from retrying and then deleting the subscription.
      else if (!entityGid) outcome = { status: 'invalid', reason: `${topic} payload has no entity id` };
      const job = route && entityGid && isWebhookTopic(topic) ? queuedJob(options.shop, topic, delivery, entityGid) : undefined;
      try {
        const receivedAt = options.clock();
        const { duplicate } = await retryConnectionErrors(
          () => writer.record({ delivery, receivedAt, outcome: { ...outcome, entityGid }, job }),
          {
            ...(options.storeRetry ?? STORE_RETRY),
            onRetry: (attempt, error) =>
              options.logger.warn('webhook store retried: database unreachable', { webhookId: delivery.webhookId, topic, attempt, error }),
          },
        );
        const result = duplicate ? 'duplicate' : outcome.status;
        const log = outcome.status === 'invalid' ? options.logger.error.bind(options.logger) : options.logger.info.bind(options.logger);
        log('webhook received', {
          webhookId: delivery.webhookId,
          topic: delivery.topic,
          entityGid,
          outcome: result,
          reason: outcome.reason,
        });
        options.onOutcome?.({ topic: delivery.topic, outcome: result });
        res.status(200).json({ ok: true, outcome: result });
      } catch (error) {
        // Nothing was committed: Shopify will retry the delivery.
        options.logger.error('webhook could not be stored', { webhookId: delivery.webhookId, topic: delivery.topic, error });
        res.status(503).json({ error: 'unavailable' });
      }
    });
  });

  // express.raw's own errors: body over the limit, or a broken stream.
  router.use('/webhooks/shopify', (error: { type?: string; status?: number }, req: Request, res: Response, next: NextFunction) => {
    if (error.type === 'entity.too.large') {
      const topic = req.get('x-shopify-topic') ?? 'unknown';
      options.logger.warn('webhook rejected', { reason: 'body_too_large', webhookId: req.get('x-shopify-webhook-id'), topic });
      options.onOutcome?.({ topic, outcome: 'body_too_large' });
      res.status(413).json({ error: 'body_too_large', detail: `body exceeds the ${options.maxBodyBytes}-byte limit` });
      return;
    }
    next(error);
  });
  return router;
}

/** A delivery that failed verification: logged, counted, kept when only its JSON is broken, answered. */
async function reject(options: WebhookIntakeOptions, req: Request, res: Response, result: Rejection, rawBody: Buffer): Promise<void> {
  const topicHeader = req.get('x-shopify-topic') ?? 'unknown';
  options.logger.warn('webhook rejected', {
    reason: result.reason,
    detail: result.detail,
    webhookId: result.webhookId,
    topic: topicHeader,
    ip: req.ip,
  });
  options.onOutcome?.({ topic: topicHeader, outcome: result.reason });
  if (result.reason === 'malformed_json' && result.webhookId) {
    // Signed by Shopify, but not a JSON object this sidecar can read: kept (exact bytes) as an
    // invalid row and acknowledged, as a body without its entity id is. A refusal would only make
    // Shopify retry the same bytes until it deletes the subscription.
    try {
      const shopDomain = req.get('x-shopify-shop-domain') ?? '';
      const { duplicate } = await recordInvalid(
        ...([options.pool, options.schema, result.webhookId, topicHeader, shopDomain, result.detail, options.clock(), rawBody] as const),
      );
      res.status(200).json({ ok: true, outcome: duplicate ? 'duplicate' : 'invalid' });
    } catch (error) {
      options.logger.error('webhook could not be stored', { webhookId: result.webhookId, topic: topicHeader, error });
      res.status(503).json({ error: 'unavailable' });
    }
    return;
  }
  res.status(statusFor(result.reason)).json({ error: result.reason, detail: result.detail });
}
