/**
 * Helpers shared by the catalog and inventory end-to-end tests: a stack whose Odoo double maps
 * its two warehouses to the simulator's two locations, and readers of the simulator's state.
 */
import { createDoubleMerchant, createOdooDouble, type OdooDouble } from '../odoo-double/index.js';
import type { DoubleMerchant } from '../odoo-double/merchant.js';
import { OdooRetryableError } from '../../sidecar/odoo/errors.js';
import type { OdooCaller } from '../../sidecar/odoo/types.js';
import { startStack, type Stack } from './stack.js';
import type { Flow, FlowContext } from '../../sidecar/flows/context.js';
import { catalogFlow } from '../../sidecar/flows/catalog/index.js';
import { inventoryFlow } from '../../sidecar/flows/inventory/index.js';

export const LOC_MAIN = 'gid://shopify/Location/101';
export const LOC_SECOND = 'gid://shopify/Location/102';

export interface FlowStack {
  stack: Stack;
  odoo: OdooDouble;
  merchant: DoubleMerchant;
  /** Warehouse ids in the double: main → Location/101, second → Location/102. */
  wh: { main: number; second: number };
  ctx: FlowContext;
  /** Makes the next `times` calls of a contract method fail as a lost connection would (retryable). */
  failNext(method: string, times?: number): void;
}

export async function startFlowStack(
  databaseUrl: string,
  env: Record<string, string> = {},
  flows: readonly Flow[] = [catalogFlow, inventoryFlow],
): Promise<FlowStack> {
  const odoo = createOdooDouble({
    warehouses: [
      { name: 'Main warehouse', code: 'WH', location_gid: LOC_MAIN },
      { name: 'Second warehouse', code: 'WH2', location_gid: LOC_SECOND },
    ],
  });
  const failures = new Map<string, number>();
  // The sidecar talks to the double through this caller, which can lose a call on demand.
  const caller: OdooCaller = {
    async executeKw<T>(model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<T> {
      const left = failures.get(method) ?? 0;
      if (left > 0) {
        failures.set(method, left - 1);
        throw new OdooRetryableError(`odoo ${model}.${method}: connection reset (injected by the test)`);
      }
      return odoo.executeKw<T>(model, method, args, kwargs);
    },
  };
  const stack = await startStack({ databaseUrl, odoo: caller, flows, env });
  await stack.sidecar.workersStarted;
  const ids = [...odoo.state.warehouses.values()];
  const s = stack.sidecar;
  const ctx: FlowContext = {
    config: s.config,
    shop: s.config.shopify.shopDomain,
    logger: s.logger,
    pool: s.pool,
    queue: s.queue,
    shopify: s.shopify,
    odoo: s.contract,
    clock: s.clock,
  };
  return {
    stack,
    odoo,
    merchant: createDoubleMerchant(odoo),
    wh: { main: ids[0]!.id, second: ids[1]!.id },
    ctx,
    failNext: (method, times = 1) => failures.set(method, times),
  };
}

/** The simulator's product with this handle, with its variants (sorted by position). */
export function simProduct(stack: Stack, handle: string) {
  const state = stack.sim.state;
  const product = state.products.find((p) => p.handle === handle);
  if (!product) return undefined;
  const variants = product.variantIds.map((id) => state.variants.find((v) => v.id === id)!);
  return { ...product, gid: `gid://shopify/Product/${product.id}`, variants };
}

/** Quantities of one SKU at one location in the simulator (undefined = not stocked there). */
export function simLevel(stack: Stack, sku: string, locationGid: string) {
  const state = stack.sim.state;
  const locationId = Number(locationGid.split('/').pop());
  const item = state.inventoryItems.find((i) => i.sku === sku);
  if (!item) return undefined;
  const level = state.levels.find((l) => l.inventoryItemId === item.id && l.locationId === locationId);
  return level ? { available: level.available, committed: level.committed, on_hand: level.on_hand } : undefined;
}

/** Jobs not yet settled on a queue (queued + active), from the live job table. */
export async function pendingJobs(stack: Stack, queue: string): Promise<number> {
  const stats = await stack.sidecar.queue.queueStats();
  const row = stats.find((s) => s.queue === queue);
  return (row?.queued ?? 0) + (row?.active ?? 0);
}
