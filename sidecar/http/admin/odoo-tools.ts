/**
 * Admin API behind Odoo's admin tools (docs/operations.md, "Admin tools in Odoo"): the status
 * snapshot Test connection stores on the Overview, the shop's locations for the location mapping,
 * and re-importing one order by its number. Odoo calls them with the admin bearer token.
 */
import type { Router } from 'express';
import { listLocations } from '../../ops/locations.js';
import { reimportOrderByName } from '../../ops/resync.js';
import { readStatus, statusDepsOf } from '../../ops/status.js';
import type { AdminDeps } from './deps.js';
import { BadRequest, bodyOf, type Handle } from './params.js';

export function odooToolRoutes(router: Router, deps: AdminDeps, handle: Handle): void {
  router.get(
    '/api/status',
    handle(async (_req, res) => {
      res.json(await readStatus(statusDepsOf(deps), { live: true }));
    }),
  );
  router.get(
    '/api/shopify/locations',
    handle(async (_req, res) => {
      res.json({ locations: await listLocations(deps.shopify) });
    }),
  );
  router.post(
    '/api/orders/reimport',
    handle(async (req, res) => {
      const name = bodyOf(req).name;
      if (typeof name !== 'string' || !name.trim()) throw new BadRequest('name is required, e.g. "#1001"');
      const found = await reimportOrderByName({ shopify: deps.shopify, queue: deps.queue, shop: deps.shop }, name, deps.clock());
      if (!found) {
        res.status(404).json({ error: 'not_found', detail: `Shopify has no order ${name}` });
        return;
      }
      res.json(found);
    }),
  );
}
