import assert from 'node:assert/strict';
import { orderDoc } from '../../dev/conformance/fixtures.js';
import { simpleProduct } from '../../dev/conformance/support.js';
import { createDoubleMerchant, createOdooDouble } from '../../dev/odoo-double/index.js';
import { MemoryTransport } from '../../dev/testing/memory-transport.js';
import { createOdooContract } from '../odoo/contract.js';
import { OdooPermanentError, OdooRetryableError } from '../odoo/errors.js';
import { createLogger } from '../observability/logger.js';
import { PermanentError } from '../queue/errors.js';
import { orderInOdoo, saleOrderOf, showRefusalOnOrder } from './sale-order.js';

describe('the sale order of a Shopify order', () => {
  async function setUp() {
    const double = createOdooDouble({ settings: { shop_domain: 'test-shop.myshopify.com' } });
    const odoo = createOdooContract(double);
    const merchant = createDoubleMerchant(double);
    const p = await simpleProduct(merchant);
    const doc = orderDoc({ currency: await merchant.companyCurrency(), lines: [{ sku: p.sku, quantity: 1, price: '10.00' }] });
    const applied = await odoo.applyOrder(doc);
    const ctx = { odoo, logger: createLogger({ transports: [new MemoryTransport()] }) };
    return { ctx, merchant, doc, saleOrderId: applied.sale_order_id };
  }

  it('finds the imported order, and says when it is not imported yet', async () => {
    const { ctx, doc, saleOrderId } = await setUp();
    assert.equal(await saleOrderOf(ctx, doc.order_gid), saleOrderId);
    assert.equal(await orderInOdoo(ctx, doc.order_gid), true);
    assert.equal(await saleOrderOf(ctx, 'gid://shopify/Order/999999999'), null);
    assert.equal(await orderInOdoo(ctx, 'gid://shopify/Order/999999999'), false);
  });

  it('shows a refusal on the order, by its ID or its Shopify GID, without the RPC prefix, and returns the error', async () => {
    const { ctx, merchant, doc, saleOrderId } = await setUp();
    const refused = new OdooPermanentError('odoo shopify.sync.api.apply_refund: ValidationError: refund 7: line 2 is not in the order');
    assert.equal(await showRefusalOnOrder(ctx, doc.order_gid, 'Shopify refund not applied', refused), refused);
    assert.deepEqual(
      [(await merchant.readBinding('sale.order', saleOrderId)).state, (await merchant.readBinding('sale.order', saleOrderId)).message],
      ['error', 'Shopify refund not applied: refund 7: line 2 is not in the order'],
    );
    const own = new PermanentError('payments: transaction 9 has no amount');
    assert.equal(await showRefusalOnOrder(ctx, saleOrderId, 'Shopify payments not booked', own), own);
    assert.equal(
      (await merchant.readBinding('sale.order', saleOrderId)).message,
      'Shopify payments not booked: payments: transaction 9 has no amount',
    );
  });

  it('leaves the order alone for an error a retry may cure, or an order Odoo does not have', async () => {
    const { ctx, merchant, saleOrderId } = await setUp();
    const before = await merchant.readBinding('sale.order', saleOrderId);
    const down = new OdooRetryableError('odoo: HTTP 503');
    assert.equal(await showRefusalOnOrder(ctx, saleOrderId, 'Shopify refund not applied', down), down);
    const refused = new OdooPermanentError('refused');
    assert.equal(await showRefusalOnOrder(ctx, 'gid://shopify/Order/999999999', 'Shopify refund not applied', refused), refused);
    assert.deepEqual(await merchant.readBinding('sale.order', saleOrderId), before);
  });
});
