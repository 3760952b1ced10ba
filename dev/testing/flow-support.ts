/**
 * Test support for flow end-to-end tests: wraps a Flow so that the test sees every Shopify request
 * and every contract call the flow makes (counts per operation), and can act just before a given
 * Shopify operation is sent (e.g. switch a simulator fault on for that one call).
 */
import type { OdooContract } from '../../sidecar/odoo/contract.js';
import type { Flow, FlowContext } from '../../sidecar/flows/context.js';
import type { ShopifyClient } from '../../sidecar/shopify/index.js';

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
      const request: ShopifyClient['request'] = async (name, variables, options) => {
        bump(probe.shopify, name);
        probe.requests.push({ operation: name, variables });
        const h = hooks.get(name);
        if (h) hooks.delete(name);
        await h?.before?.();
        try {
          return await ctx.shopify.request(name, variables, options);
        } finally {
          await h?.after?.();
        }
      };
      // The client is a frozen object: a copy with this request.
      const shopify: ShopifyClient = { ...ctx.shopify, request };
      const odoo = countingContract(ctx.odoo, (name) => bump(probe.odoo, name));
      return flow.register({ ...ctx, shopify, odoo });
    },
  };
  return { flow: wrapped, probe };
}

/**
 * The contract facade with every method counted before it runs. The facade is frozen, so the
 * proxy stands over a copy of it.
 */
function countingContract(odoo: OdooContract, count: (method: string) => void): OdooContract {
  return new Proxy<OdooContract>(
    { ...odoo },
    {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof property !== 'string' || typeof value !== 'function') return value;
        return (...args: unknown[]): unknown => {
          count(property);
          return Reflect.apply(value, target, args);
        };
      },
    },
  );
}
