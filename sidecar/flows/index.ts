/**
 * The flows the sidecar runs. Each is one module in this folder (see ./context.ts for the shape);
 * registering a flow starts its queue workers and schedules.
 */
import type { Flow, FlowContext } from './context.js';
import { catalogFlow } from './catalog/index.js';
import { customersFlow } from './customers/index.js';
import { fulfillmentsFlow } from './fulfillments/index.js';
import { housekeepingFlow } from './housekeeping/index.js';
import { inventoryFlow } from './inventory/index.js';
import { ordersFlow } from './orders/index.js';
import { reportsFlow } from './reports/index.js';

export const FLOWS: readonly Flow[] = [
  ordersFlow,
  customersFlow,
  fulfillmentsFlow,
  reportsFlow,
  housekeepingFlow,
  catalogFlow,
  inventoryFlow,
];

export async function registerFlows(ctx: FlowContext, flows: readonly Flow[] = FLOWS): Promise<string[]> {
  for (const flow of flows) await flow.register(ctx);
  return flows.map((f) => f.name);
}
