/**
 * What every flow gets from the composition root. A flow module exports one `Flow`, made by
 * `defineFlow` (./define-flow.ts): its name, the queues it works, and `register(ctx)`, which starts
 * its queue workers and schedules. Every flow folder has the same files (docs/flows.md):
 *   index.ts  the defineFlow call: triggers and registration
 *   read.ts   Shopify and Odoo reads
 *   map.ts    pure mapping (table-tested in map.test.ts)
 *   apply.ts  writes
 *   store.ts  the sidecar's own tables (optional)
 */
import type pg from 'pg';
import type { Clock } from '../clock.js';
import type { Config } from '../config/index.js';
import type { JobQueue } from '../jobs.js';
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

/** What registering a worker needs; a flow's handlers may need more (`C`). */
export type RegistrationContext = Pick<FlowContext, 'config' | 'logger' | 'pool' | 'queue' | 'clock'>;

export interface Flow<C extends RegistrationContext = FlowContext> {
  name: string;
  /** The queues this flow works (and schedules). */
  queues: readonly JobQueue[];
  register(ctx: C): Promise<void>;
}
