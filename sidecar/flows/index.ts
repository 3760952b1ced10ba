/**
 * The data flows and the scheduled jobs the sidecar runs once Odoo answers, each made by
 * `defineFlow` (./define-flow.ts); registering one starts its queue workers and schedules. The
 * webhook-subscriptions job is wired apart, in app.ts: it runs even while Odoo is down.
 */
import { housekeepingSchedule } from '../schedules/housekeeping.js';
import { reportsSchedule } from '../schedules/reports.js';
import type { Flow, FlowContext } from './context.js';
import { catalogFlow } from './catalog/index.js';
import { customersFlow } from './customers/index.js';
import { fulfillmentsFlow } from './fulfillments/index.js';
import { inventoryFlow } from './inventory/index.js';
import { ordersFlow } from './orders/index.js';
import { paymentsFlow } from './payments/index.js';
import { privacyFlow } from './privacy/index.js';
import { refundsFlow } from './refunds/index.js';
import { returnsFlow } from './returns/index.js';

export const FLOWS: readonly Flow[] = [
  ordersFlow,
  customersFlow,
  fulfillmentsFlow,
  reportsSchedule,
  housekeepingSchedule,
  catalogFlow,
  inventoryFlow,
  privacyFlow,
  refundsFlow,
  returnsFlow,
  paymentsFlow,
];

export async function registerFlows(ctx: FlowContext, flows: readonly Flow[] = FLOWS): Promise<string[]> {
  for (const flow of flows) await flow.register(ctx);
  return flows.map((f) => f.name);
}
