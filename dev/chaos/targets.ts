/**
 * The Odoo of a chaos run: the double in its own process (./odoo-double-server.ts), or a real Odoo
 * 18 with shopify_sync (scripts/with-real-odoo.sh sets ODOO_URL and friends). Either way the run
 * sees the same things: the integration user's JSON-RPC address and credentials (for the
 * sidecars, behind the outage proxy), the contract (for the final comparison), the merchant's
 * actions, and every sale order's and shopify.refund record's Shopify GID (to find duplicates).
 */
import path from 'node:path';
import { createOdooClient } from '../../sidecar/odoo/client.js';
import { createOdooContract, type OdooContract } from '../../sidecar/odoo/contract.js';
import { createLogger } from '../../sidecar/observability/logger.js';
import { createRealMerchant } from '../conformance/real-driver.js';
import type { MerchantDriver } from '../conformance/target.js';
import type { RealOdooSettings } from '../testing/env.js';
import { MemoryTransport } from '../testing/memory-transport.js';
import { spawnNode, stopProcess } from './processes.js';

export interface OdooTarget {
  label: string;
  /** JSON-RPC base URL (no path), host and port: what the outage proxy forwards to. */
  url: string;
  db: string;
  user: string;
  apiKey: string;
  contract: OdooContract;
  merchant: MerchantDriver;
  /** The Shopify order GID of every sale order (one entry per sale order). */
  saleOrderGids(): Promise<string[]>;
  /** The Shopify refund GID of every shopify.refund record (one entry per record). */
  refundGids(): Promise<string[]>;
  stop(): Promise<void>;
}

const quiet = () => createLogger({ transports: [new MemoryTransport()] });

function contractAt(url: string, db: string, user: string, apiKey: string): OdooContract {
  return createOdooContract(createOdooClient({ url, db, user, apiKey, protocol: 'jsonrpc', requestTimeoutMs: 120_000, logger: quiet() }));
}

export async function startDoubleTarget(logDir: string): Promise<OdooTarget> {
  const db = 'chaos';
  const user = 'shopify-sync';
  const apiKey = 'chaos-odoo-api-key-0123456789';
  const p = spawnNode('dev/chaos/odoo-double-server.ts', [db, user, apiKey], { log: path.join(logDir, 'odoo-double.log') });
  const { rpc, control } = JSON.parse(await p.firstLine) as { rpc: string; control: string };
  const post = async (route: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${control}${route}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await res.json()) as { result?: unknown; error?: string };
    if (!res.ok) throw new Error(`odoo double ${route}: ${answer.error}`);
    return answer.result;
  };
  // Every MerchantDriver action, run by the double's own DoubleMerchant in its process.
  const merchant = new Proxy({} as MerchantDriver, {
    get: (_target, method) => (method === 'name' ? 'odoo double (process)' : (...args: unknown[]) => post('/merchant', { method, args })),
  });
  return {
    label: 'the Odoo double (its own process, JSON-RPC over HTTP)',
    url: rpc,
    db,
    user,
    apiKey,
    contract: contractAt(rpc, db, user, apiKey),
    merchant,
    saleOrderGids: async () => (await post('/sale-orders')) as string[],
    refundGids: async () => (await post('/refunds')) as string[],
    stop: () => stopProcess(p),
  };
}

export function realOdooTarget(real: RealOdooSettings): OdooTarget {
  const admin = createOdooClient({
    url: real.url,
    db: real.db,
    user: real.adminUser,
    apiKey: real.adminPassword,
    protocol: 'jsonrpc',
    requestTimeoutMs: 120_000,
    logger: quiet(),
  });
  return {
    label: `a real Odoo at ${real.url} (database ${real.db})`,
    url: real.url,
    db: real.db,
    user: real.user,
    apiKey: real.apiKey,
    contract: contractAt(real.url, real.db, real.user, real.apiKey),
    merchant: createRealMerchant({ admin, adminLogin: real.adminUser }),
    async saleOrderGids() {
      const rows = await admin.executeKw<Array<{ shopify_gid: string | false }>>(
        'sale.order',
        'search_read',
        [[['shopify_gid', '!=', false]]],
        { fields: ['shopify_gid'], context: { active_test: false } },
      );
      return rows.map((r) => r.shopify_gid).filter((g): g is string => typeof g === 'string');
    },
    async refundGids() {
      const rows = await admin.executeKw<Array<{ shopify_gid: string }>>('shopify.refund', 'search_read', [[]], {
        fields: ['shopify_gid'],
        context: { active_test: false },
      });
      return rows.map((r) => r.shopify_gid);
    },
    stop: () => Promise.resolve(),
  };
}
