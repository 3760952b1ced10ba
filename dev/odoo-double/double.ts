/**
 * The in-process Odoo double: an OdooCaller that implements the `shopify.sync.api` RPC surface
 * of the addon `shopify_sync` (docs/contract.md, docs/odoo-double.md) on in-memory state. The
 * contract methods live in ./api/<area>.ts, split by contract area like the addon's
 * models/shopify_sync_api_<area>.py; the Odoo side they work on is ./core.ts; the merchant side
 * (what a user does in Odoo's UI) is ./merchant.ts.
 *
 * Rules it mirrors:
 * - contract calls run with the origin flag: they write no outbox events (no sync loops);
 * - idempotent upserts keyed by Shopify GID; the same document twice → `unchanged`;
 * - money, emails, GIDs and the contract version follow the shared rules (sidecar/rules/);
 * - unknown SKU → ValidationError naming the SKU and line, nothing created;
 * - unmapped tax line → order held in draft with a message; totals differ by a cent → flagged
 *   (binding in error, not confirmed);
 * - stock: shopify_on_hand = max(0, floor(on_hand − reserved_other − safety_stock)).
 * Each call runs synchronously to completion, which is what the addon's per-key advisory lock
 * gives: concurrent calls for one key serialise.
 */
import { CONTRACT_MODEL, type ContractMethod, type ContractParams, type ContractResult } from '../../sidecar/odoo/contract.js';
import { errorFromOdooFault } from '../../sidecar/odoo/errors.js';
import type { OdooCaller } from '../../sidecar/odoo/types.js';
import { CONTRACT_HANDLERS } from './api/index.js';
import { DoubleCore, type OdooDoubleOptions } from './core.js';
import { odooFault, OdooFaultError, validationError } from './errors.js';
import { useCurrency } from './values.js';

export type { OdooDoubleOptions } from './core.js';
export { DOUBLE_ADDON_VERSION, DOUBLE_ODOO_VERSION } from './api/operations.js';

const isContractMethod = (method: string): method is ContractMethod => Object.hasOwn(CONTRACT_HANDLERS, method);

export class OdooDouble extends DoubleCore implements OdooCaller {
  async executeKw<T = unknown>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<T> {
    try {
      return (await Promise.resolve(this.dispatch(model, method, args, kwargs))) as T;
    } catch (error) {
      // The same context string as the JSON-RPC transport: `odoo <model>.<method>`.
      if (error instanceof OdooFaultError) throw errorFromOdooFault(error.fault, `odoo ${model}.${method}`);
      throw error;
    }
  }

  /** Runs one call synchronously (the addon's advisory lock: calls never interleave). */
  dispatch(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): unknown {
    if (method.startsWith('_'))
      throw odooFault('odoo.exceptions.AccessError', `Private methods (such as '${model}.${method}') cannot be called remotely.`);
    if (model !== CONTRACT_MODEL)
      throw odooFault('builtins.KeyError', `The Odoo double implements only ${CONTRACT_MODEL} (got ${model}.${method})`);
    if (!isContractMethod(method)) throw odooFault('builtins.AttributeError', `The method '${model}.${method}' does not exist`);
    if (args.length !== 1 || Object.keys(kwargs).some((k) => k !== 'context'))
      throw odooFault('builtins.TypeError', `${model}.${method}() takes exactly one document`);
    if (!args[0] || typeof args[0] !== 'object' || Array.isArray(args[0]))
      throw validationError('shopify.sync.api: the document must be a JSON object');
    return this.run(method, args[0]);
  }

  /**
   * A JSON round trip both ways, so callers never share objects with the double's state. The
   * document is typed as the contract says; each method checks what it relies on, as the addon
   * does with whatever JSON arrives.
   */
  private run<M extends ContractMethod>(method: M, document: object): ContractResult<M> {
    const doc = JSON.parse(JSON.stringify(document)) as ContractParams<M>;
    const handler: (core: DoubleCore, doc: ContractParams<M>) => ContractResult<M> = CONTRACT_HANDLERS[method];
    // Money is two-decimal until the method names its currency (values.ts `useCurrency`).
    useCurrency(null);
    return JSON.parse(JSON.stringify(this.asSidecar(() => handler(this, doc)))) as ContractResult<M>;
  }
}

export function createOdooDouble(options: OdooDoubleOptions = {}): OdooDouble {
  return new OdooDouble(options);
}
