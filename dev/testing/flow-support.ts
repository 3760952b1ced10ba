/**
 * Test support for flow end-to-end tests: wraps a Flow so that the test sees every Shopify request
 * and every contract call the flow makes (counts per operation), and can act just before a given
 * Shopify operation is sent (e.g. switch a simulator fault on for that one call).
 */
import type { OdooContract } from '../../sidecar/odoo/contract.js';
import type { Flow, FlowContext } from '../../sidecar/flows/context.js';

export interface FlowProbe {
  /** Shopify operations sent, by document name (every attempt the flow made). */
  shopify: Map<string, number>;
  /** Contract calls made, by facade method name. */
  odoo: Map<string, number>;
  /** Every Shopify request in order, with its variables. */
  requests: Array<{ operation: string; variables: Record<string, unknown> | undefined }>;
  /** Called around the next request of `operation`: `before` runs first, `after` once it settled. */
  onNext(operation: string, hooks: { before?: () => Promise<void>; after?: () => Promise<void> }): void;
  count(side: 'shopify' | 'odoo', name: string): number;
}

export function probeFlow(flow: Flow): { flow: Flow; probe: FlowProbe } {
  const hooks = new Map<string, { before?: () => Promise<void>; after?: () => Promise<void> }>();
  const probe: FlowProbe = {
    shopify: new Map(),
    odoo: new Map(),
    requests: [],
    onNext(operation, h) {
      hooks.set(operation, h);
    },
    count(side, name) {
      return probe[side].get(name) ?? 0;
    },
  };
  const bump = (map: Map<string, number>, name: string) => map.set(name, (map.get(name) ?? 0) + 1);
  const wrapped: Flow = {
    name: flow.name,
    queues: flow.queues,
    register(ctx: FlowContext) {
      const request = (async (
        doc: unknown,
        variables: Record<string, unknown> | undefined,
        options: Parameters<FlowContext['shopify']['request']>[2],
      ) => {
        const name = typeof doc === 'string' ? doc : (doc as { name: string }).name;
        bump(probe.shopify, name);
        probe.requests.push({ operation: name, variables });
        const h = hooks.get(name);
        if (h) hooks.delete(name);
        await h?.before?.();
        try {
          return await ctx.shopify.request(doc as string, variables, options);
        } finally {
          await h?.after?.();
        }
      }) as FlowContext['shopify']['request'];
      // The client is a frozen object: define a copy's request rather than assigning through it.
      const shopify = Object.defineProperty(Object.create(ctx.shopify), 'request', { value: request }) as FlowContext['shopify'];
      // The contract facade is frozen too: a plain object of counting wrappers.
      const odoo = Object.fromEntries(
        Object.entries(ctx.odoo).map(([name, fn]) => [
          name,
          (...args: unknown[]) => (bump(probe.odoo, name), (fn as (...a: unknown[]) => unknown)(...args)),
        ]),
      ) as unknown as OdooContract;
      return flow.register({ ...ctx, shopify, odoo });
    },
  };
  return { flow: wrapped, probe };
}
