/**
 * "A short day of commerce", played against a running stack (simulator + sidecar + Odoo double or
 * real Odoo): seed a catalog with variants in two warehouses, then orders, a partial delivery, a
 * cancellation, a stock change and a customer edit — waiting after each step until the change
 * has crossed to the other system. Used by `make demo`, `make demo-check` and the e2e tests.
 */
import { runOnboarding } from '../../sidecar/onboarding/index.js';
import type { MerchantDriver } from '../conformance/target.js';
import type { Stack } from '../testing/stack.js';

export interface Step {
  name: string;
  run(): Promise<string>;
}

interface SimProduct {
  admin_graphql_api_id: string;
  variants: { sku: string | null; inventory_item_id: number; admin_graphql_api_id: string }[];
}
interface SimLevel {
  sku: string;
  location_id: number;
  available: number;
  committed: number;
  on_hand: number;
}
interface SimOrder {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  customer?: { id: number; admin_graphql_api_id?: string; phone?: string | null } | null;
  fulfillments?: { tracking_number?: string | null; line_items: { sku: string; quantity: number }[] }[];
  cancelled_at?: string | null;
}

export const DEMO_LOCATIONS = { main: 101, second: 102 } as const;

export function dayOfCommerce(stack: Stack, merchant: MerchantDriver, log: (line: string) => void = () => {}): Step[] {
  const state: {
    products: Record<string, number>;
    warehouses: { id: number; location_gid: string | null }[];
    orders: SimOrder[];
  } = { products: {}, warehouses: [], orders: [] };

  const sim = <T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown) =>
    stack.simControl<T>(method, path, body);
  const level = async (sku: string, locationId: number) =>
    (await sim<SimLevel[]>('GET', `/inventory?sku=${encodeURIComponent(sku)}&locationId=${locationId}`))[0];
  const warehouseAt = (locationId: number) => {
    const wh = state.warehouses.find((w) => w.location_gid === `gid://shopify/Location/${locationId}`);
    if (!wh) throw new Error(`no Odoo warehouse is mapped to Shopify location ${locationId}`);
    return wh.id;
  };
  const saleOrder = async (order: SimOrder) => (await merchant.readSaleOrders(order.admin_graphql_api_id))[0];

  return [
    {
      name: 'seed the catalog in Odoo (2 products, 4 variants, stock in two warehouses)',
      async run() {
        state.warehouses = await merchant.warehouses();
        const mug = await merchant.createProduct({
          name: 'Ceramic Mug',
          price: '12.00',
          options: [{ name: 'Color', values: [{ value: 'Red' }, { value: 'Blue' }] }],
          variants: [
            { sku: 'DEMO-MUG-RED', barcode: '5400000000011', option_values: { Color: 'Red' } },
            { sku: 'DEMO-MUG-BLUE', barcode: '5400000000028', option_values: { Color: 'Blue' } },
          ],
        });
        const tee = await merchant.createProduct({
          name: 'Cotton Tee',
          price: '20.00',
          options: [{ name: 'Size', values: [{ value: 'S' }, { value: 'M' }] }],
          variants: [
            { sku: 'DEMO-TEE-S', option_values: { Size: 'S' } },
            { sku: 'DEMO-TEE-M', option_values: { Size: 'M' } },
          ],
        });
        state.products = { ...mug.variants, ...tee.variants };
        const main = warehouseAt(DEMO_LOCATIONS.main);
        const second = warehouseAt(DEMO_LOCATIONS.second);
        for (const [sku, id] of Object.entries(state.products)) {
          await merchant.setStock(id, main, 10);
          await merchant.setStock(id, second, sku.startsWith('DEMO-MUG') ? 4 : 0);
        }
        return '4 variants in Odoo; nothing goes to Shopify before onboarding';
      },
    },
    {
      name: 'go-live: onboarding links what already exists, then the catalog is pushed',
      async run() {
        const ctx = {
          config: stack.config,
          logger: stack.sidecar.logger,
          pool: stack.sidecar.pool,
          shopify: stack.sidecar.shopify,
          odoo: stack.sidecar.contract,
          queue: stack.sidecar.queue,
          clock: stack.sidecar.clock,
        };
        const rehearsal = await runOnboarding(ctx, { dryRun: true });
        log(`  dry run: ${rehearsal.report.counts.productsLinked} products to link, ${rehearsal.report.counts.conflicts} conflicts`);
        const real = await runOnboarding(ctx, { dryRun: false });
        if (real.report.writeErrors.length > 0) throw new Error(`onboarding could not write ${real.report.writeErrors.length} links`);
        await stack.waitFor(
          'the catalog and its stock in Shopify',
          async () => {
            for (const sku of Object.keys(state.products)) {
              const products = await sim<SimProduct[]>('GET', `/products?sku=${sku}`);
              if (products.length !== 1) return false;
              if ((await level(sku, DEMO_LOCATIONS.main))?.on_hand !== 10) return false;
            }
            return (await level('DEMO-MUG-RED', DEMO_LOCATIONS.second))?.on_hand === 4;
          },
          60_000,
        );
        return '4 variants pushed with stock at both locations';
      },
    },
    {
      name: 'three orders placed in Shopify',
      async run() {
        const place = (email: string, lines: { sku: string; quantity: number }[]) =>
          sim<SimOrder>('POST', '/orders', {
            email,
            customer: { firstName: email.split('@')[0], lastName: 'Demo' },
            lines: lines.map((l) => ({ ...l, price: l.sku.includes('MUG') ? '12.00' : '20.00' })),
            shippingLines: [{ title: 'Standard', price: '4.90' }],
            shippingAddress: {
              first_name: 'Demo',
              last_name: 'Customer',
              address1: '1 Main St',
              city: 'Brussels',
              zip: '1000',
              country_code: 'BE',
            },
            financialStatus: 'paid',
          });
        state.orders = [
          await place('ada@example.com', [{ sku: 'DEMO-MUG-RED', quantity: 2 }]),
          await place('grace@example.com', [
            { sku: 'DEMO-TEE-S', quantity: 1 },
            { sku: 'DEMO-MUG-BLUE', quantity: 1 },
          ]),
          await place('alan@example.com', [{ sku: 'DEMO-TEE-M', quantity: 1 }]),
        ];
        await stack.waitFor(
          'three sales orders in Odoo',
          async () => (await Promise.all(state.orders.map(saleOrder))).every((so) => so !== undefined),
          60_000,
        );
        const names = await Promise.all(state.orders.map(async (o) => `${o.name} → ${(await saleOrder(o))!.name}`));
        return names.join(', ');
      },
    },
    {
      name: 'a partial delivery with tracking in Odoo',
      async run() {
        const order = state.orders[0]!;
        const so = (await saleOrder(order))!;
        const [picking] = (await merchant.readPickings(so.id)).filter((p) => p.state !== 'done' && p.state !== 'cancel');
        if (!picking) throw new Error(`no open delivery for ${so.name}`);
        await merchant.validateDelivery(picking.id, {
          quantities: { [state.products['DEMO-MUG-RED']!]: 1 },
          tracking: { number: 'DEMO-TRACK-1' },
        });
        await stack.waitFor(
          'a partial fulfillment in Shopify',
          async () => {
            const now = await sim<SimOrder>('GET', `/orders/${order.id}`);
            return (now.fulfillments ?? []).some((f) => f.tracking_number === 'DEMO-TRACK-1');
          },
          60_000,
        );
        return `${order.name}: 1 of 2 shipped, tracking DEMO-TRACK-1`;
      },
    },
    {
      name: 'a cancellation in Shopify',
      async run() {
        const order = state.orders[2]!;
        await sim('POST', `/orders/${order.id}/cancel`, { reason: 'CUSTOMER', restock: true });
        await stack.waitFor('the sales order cancelled in Odoo', async () => (await saleOrder(order))?.state === 'cancel', 60_000);
        return `${order.name} cancelled in Odoo`;
      },
    },
    {
      name: 'a stock change in Odoo',
      async run() {
        await merchant.setStock(state.products['DEMO-TEE-S']!, warehouseAt(DEMO_LOCATIONS.main), 25);
        // Shopify's on_hand = Odoo's on hand − reservations not from Shopify orders − safety stock.
        await stack.waitFor(
          'the new level in Shopify',
          async () => (await level('DEMO-TEE-S', DEMO_LOCATIONS.main))?.on_hand === 25,
          60_000,
        );
        const now = (await level('DEMO-TEE-S', DEMO_LOCATIONS.main))!;
        return `DEMO-TEE-S at Main Warehouse: on_hand ${now.on_hand}, committed ${now.committed}, available ${now.available}`;
      },
    },
    {
      name: 'a customer edit in Odoo',
      async run() {
        const order = state.orders[1]!;
        const so = (await saleOrder(order))!;
        await merchant.editCustomer(so.partner_id, { phone: '+32 470 00 00 00' });
        await stack.waitFor(
          'the phone number in Shopify',
          async () => {
            const [customer] = await sim<{ phone?: string | null }[]>('GET', '/customers?email=grace%40example.com');
            return customer?.phone?.replace(/\s/g, '') === '+32470000000';
          },
          60_000,
        );
        return `customer of ${order.name}: phone updated in Shopify`;
      },
    },
  ].map((step) => ({
    name: step.name,
    async run() {
      log(`▶ ${step.name}`);
      const result = await step.run();
      log(`  ✔ ${result}`);
      return result;
    },
  }));
}
