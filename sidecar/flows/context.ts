/**
 * What every flow gets from the composition root. A flow module exports one `Flow`: its name and
 * `register(ctx)`, which starts its queue workers. Inside, each flow has the same shape:
 *   trigger (webhook / outbox / schedule job) → fetch current state → map (pure) →
 *   write idempotently → record the result on the binding → the queue logs the attempt.
 */
import type pg from 'pg';
import type { Clock } from '../clock.js';
import type { Config } from '../config/index.js';
import type { OdooContract } from '../odoo/contract.js';
import type { Logger } from '../observability/logger.js';
import type { SyncQueue } from '../queue/queue.js';
import type { ShopifyClient } from '../shopify/index.js';

export interface FlowContext {
  config: Config;
  /** The shop's permanent domain (config.shopify.shopDomain), used in queue keys. */
  shop: string;
  logger: Logger;
  pool: pg.Pool;
  queue: SyncQueue;
  shopify: ShopifyClient;
  odoo: OdooContract;
  /** The clock every time comparison reads (docs/architecture.md, "Time"). */
  clock: Clock;
}

export interface Flow {
  name: string;
  register(ctx: FlowContext): Promise<void>;
}
