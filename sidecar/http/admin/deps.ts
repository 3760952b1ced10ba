/** What the admin API's routes are built from (the composition root passes them in). */
import type pg from 'pg';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../observability/logger.js';
import type { OdooContract } from '../../odoo/contract.js';
import type { OdooCaller } from '../../odoo/types.js';
import type { SyncQueue } from '../../queue/queue.js';
import type { ReportDeps } from '../../reports/reconcile.js';
import type { ShopifyClient } from '../../shopify/index.js';

export interface AdminDeps {
  config: Config;
  shop: string;
  logger: Logger;
  /** Report windows, the integrity check's default seed and doctor's "last 24 h" read it. */
  clock: Clock;
  pool: pg.Pool;
  queue: SyncQueue;
  shopify: ShopifyClient;
  contract: OdooContract;
  odoo: OdooCaller;
}

export function reportDepsOf(deps: AdminDeps): ReportDeps {
  return {
    pool: deps.pool,
    schema: deps.config.database.appSchema,
    shop: deps.shop,
    queue: deps.queue,
    shopify: deps.shopify,
    odoo: deps.contract,
    logger: deps.logger,
    clock: deps.clock,
  };
}
