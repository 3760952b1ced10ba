/**
 * The Odoo double in a process of its own, for `make chaos` (dev/chaos/run.ts): JSON-RPC on one
 * port as Odoo 18 serves it (dev/odoo-double/http.ts), and the merchant's side on another
 * (`POST /merchant {method, args}` calls the DoubleMerchant, the same MerchantDriver a real Odoo
 * has; `GET /sale-orders` and `GET /refunds` list every sale order's and refund record's Shopify GID,
 * for the final comparison).
 * Warehouses are mapped to the simulator's locations 101 and 102; the company sells in EUR.
 * Prints `{"rpc": url, "control": url}` once both listen; stops on SIGTERM.
 *
 *   node --import tsx dev/chaos/odoo-double-server.ts <db> <login> <api key>
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDoubleMerchant, createOdooDouble } from '../odoo-double/index.js';
import { serveOdooDouble } from '../odoo-double/http.js';

const [db, login, apiKey] = process.argv.slice(2);
if (!db || !login || !apiKey) throw new Error('usage: odoo-double-server.ts <db> <login> <api key>');

const odoo = createOdooDouble({
  warehouses: [
    { name: 'Main Warehouse', code: 'WH', location_gid: 'gid://shopify/Location/101' },
    { name: 'Second Warehouse', code: 'WH2', location_gid: 'gid://shopify/Location/102' },
  ],
  settings: { company_currency: 'EUR' },
});
const merchant = createDoubleMerchant(odoo);
const rpc = await serveOdooDouble(odoo, { db, login, apiKey });

async function answer(req: http.IncomingMessage, body: string): Promise<unknown> {
  if (req.method === 'GET' && req.url === '/sale-orders') {
    return [...odoo.state.saleOrders.values()].map((so) => so.order_gid);
  }
  if (req.method === 'GET' && req.url === '/refunds') {
    return [...odoo.state.refunds.values()].map((r) => r.refund_gid);
  }
  if (req.method === 'POST' && req.url === '/merchant') {
    const { method, args } = JSON.parse(body) as { method: string; args: unknown[] };
    const fn = (merchant as unknown as Record<string, unknown>)[method];
    if (typeof fn !== 'function') throw new Error(`no merchant action ${method}`);
    return (await (fn as (...a: unknown[]) => Promise<unknown>).apply(merchant, args)) ?? null;
  }
  throw new Error(`no route ${req.method} ${req.url}`);
}

const control = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    answer(req, Buffer.concat(chunks).toString('utf8')).then(
      (result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result })),
      (error: unknown) =>
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (error as Error).message })),
    );
  });
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
process.stdout.write(`${JSON.stringify({ rpc: rpc.url, control: `http://127.0.0.1:${(control.address() as AddressInfo).port}` })}\n`);
process.on('SIGTERM', () => {
  void rpc.close().finally(() => process.exit(0));
});
