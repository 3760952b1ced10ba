/** A refused operation changes nothing: no half-made refunds, returns, products or orders. */
import assert from 'node:assert/strict';
import { control, gqlData, testSimulator, SAMPLE_ORDER } from '../test-support.js';

describe('sim domain operations are all-or-nothing', () => {
  it('a refused refund moves no stock and leaves the fulfillment order as it was', async () => {
    const { sim } = testSimulator();
    const o = (
      await control(sim, 'post', '/orders', {
        ...SAMPLE_ORDER,
        lines: [
          { sku: 'SIM-MUG', quantity: 2 },
          { sku: 'SIM-TSHIRT-S', quantity: 1 },
        ],
      })
    ).body;
    await control(sim, 'post', `/orders/${o.id}/fulfillments`, { lines: [{ sku: 'SIM-TSHIRT-S', quantity: 1 }] });
    const before = JSON.stringify(sim.state);
    // first line valid (unfulfilled mugs), second CANCEL of a fulfilled shirt: refused as a whole
    const res = await control(sim, 'post', `/orders/${o.id}/refunds`, {
      lines: [
        { sku: 'SIM-MUG', quantity: 2, restock: 'cancel' },
        { sku: 'SIM-TSHIRT-S', quantity: 1, restock: 'cancel' },
      ],
    });
    assert.equal(res.status, 422);
    assert.match(res.body.errors[0].message, /CANCEL is only for unfulfilled units/);
    const tooMuch = await control(sim, 'post', `/orders/${o.id}/refunds`, {
      lines: [{ sku: 'SIM-MUG', quantity: 1, restock: true }],
      amount: '500.00',
    });
    assert.equal(tooMuch.status, 422);
    assert.equal(JSON.stringify(sim.state), before);
  });

  it('a refused returnProcess processes nothing', async () => {
    const { sim } = testSimulator();
    const o = (await control(sim, 'post', '/orders', SAMPLE_ORDER)).body;
    await control(sim, 'post', `/orders/${o.id}/fulfillments`, {});
    const ret = (await control(sim, 'post', `/orders/${o.id}/returns`, { lines: [{ sku: 'SIM-MUG', quantity: 2 }] })).body;
    const before = JSON.stringify(sim.state);
    const res = await control(sim, 'post', `/returns/${ret.id}/process`, { restock: true, refund: '999.00' });
    assert.equal(res.status, 422);
    assert.equal(JSON.stringify(sim.state), before);
  });

  it('a refused productSet creates no product', async () => {
    const { sim } = testSimulator();
    const before = JSON.stringify(sim.state);
    const data = await gqlData(
      sim,
      `mutation { productSet(input: { title: "Half", variants: [
      { optionValues: [{ optionName: "Title", name: "A" }], price: "1.00" },
      { optionValues: [{ optionName: "Title", name: "B" }], inventoryQuantities: [{ locationId: "gid://shopify/Location/102", name: "available", quantity: 1 }] }
    ] }) { product { id } userErrors { field message } } }`,
    );
    assert.equal(data.productSet.product, null);
    assert.deepEqual(data.productSet.userErrors, [
      { field: ['input', 'variants', '1', 'inventoryQuantities'], message: 'The variant is not stocked at this location' },
    ]);
    assert.equal(JSON.stringify(sim.state), before);
  });

  it('a refused order creates no customer', async () => {
    const { sim } = testSimulator();
    const before = JSON.stringify(sim.state.customers);
    const res = await control(sim, 'post', '/orders', {
      ...SAMPLE_ORDER,
      email: 'new@example.com',
      shippingLines: [{ title: 'x', price: 'free' }],
    });
    assert.equal(res.status, 422);
    assert.equal(JSON.stringify(sim.state.customers), before);
    assert.equal(sim.state.orders.length, 0);
  });
});
