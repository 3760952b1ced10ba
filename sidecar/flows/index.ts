/**
 * The flows the sidecar runs. Each is one module in this folder (see ./context.ts for the shape);
 * registering a flow starts its queue workers and schedules.
 */
import type { Flow, FlowContext } from './context.js';
import { catalogFlow } from './catalog/index.js';
import { inventoryFlow } from './inventory/index.js';

export const FLOWS: readonly Flow[] = [catalogFlow, inventoryFlow];

export async function registerFlows(ctx: FlowContext, flows: readonly Flow[] = FLOWS): Promise<string[]> {
  for (const flow of flows) await flow.register(ctx);
  return flows.map((f) => f.name);
}
