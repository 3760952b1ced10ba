import assert from 'node:assert/strict';
import { control, gqlData, testSimulator } from './test-support.js';

/** 2 × 9.50 + 5.00 shipping, a 3.00 duty on the line with 0.60 of tax on it: 27.60 in all. */
const DUTY_ORDER = {
  email: 'ada@example.com',
  lines: [
    {
      sku: 'SIM-MUG',
      quantity: 2,
      price: '9.50',
      duties: [
        {
          price: '3.00',
          harmonizedSystemCode: '691200',
          countryCodeOfOrigin: 'CN',
          taxLines: [{ title: 'VAT', rate: 0.2, price: '0.60' }],
        },
      ],
    },
  ],
  shippingLines: [{ title: 'Standard', price: '5.00' }],
  financialStatus: 'paid',
};

const ORDER_QUERY = `query($id: ID!) { order(id: $id) {
  dutiesIncluded
  totalPriceSet { shopMoney { amount } }
  currentTotalPriceSet { shopMoney { amount } }
  totalTaxSet { shopMoney { amount } }
  currentTotalTaxSet { shopMoney { amount } }
  originalTotalDutiesSet { shopMoney { amount } presentmentMoney { amount currencyCode } }
  currentTotalDutiesSet { shopMoney { amount } }
  lineItems(first: 5) { nodes { id duties { id harmonizedSystemCode countryCodeOfOrigin price { shopMoney { amount } } taxLines { title priceSet { shopMoney { amount } } } } } }
} }`;

const REFUND = `mutation($input: RefundInput!, $key: String!) { refundCreate(input: $input) @idempotent(key: $key) {
  refund { totalRefundedSet { shopMoney { amount } } duties { amountSet { shopMoney { amount } } originalDuty { id } } orderAdjustments(first: 5) { nodes { id } } }
  userErrors { field message } } }`;

async function dutyOrder(sim: ReturnType<typeof testSimulator>['sim'], body: object = DUTY_ORDER) {
  const placed = await control(sim, 'post', '/orders', body);
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  const orderId = placed.body.admin_graphql_api_id as string;
  const order = (await gqlData(sim, ORDER_QUERY, { id: orderId })).order;
  const line = order.lineItems.nodes[0];
  return { orderId, numericId: placed.body.id as number, order, lineId: line.id as string, dutyId: line.duties[0].id as string };
}

const amounts = (order: { [k: string]: { shopMoney: { amount: string } } | null }, ...keys: string[]) =>
  keys.map((k) => order[k]?.shopMoney.amount ?? null);

describe('sim duties', () => {
  it('charges a line item duty and its tax on top of the order, as Shopify totals it', async () => {
    const { sim } = testSimulator();
    const { order, numericId } = await dutyOrder(sim);
    assert.equal(order.dutiesIncluded, false);
    assert.deepEqual(
      amounts(order, 'totalPriceSet', 'currentTotalPriceSet', 'originalTotalDutiesSet', 'currentTotalDutiesSet', 'totalTaxSet'),
      ['27.60', '27.60', '3.00', '3.00', '0.60'],
    );
    assert.deepEqual(order.lineItems.nodes[0].duties[0], {
      id: order.lineItems.nodes[0].duties[0].id,
      harmonizedSystemCode: '691200',
      countryCodeOfOrigin: 'CN',
      price: { shopMoney: { amount: '3.00' } },
      taxLines: [{ title: 'VAT', priceSet: { shopMoney: { amount: '0.60' } } }],
    });
    // The webhook payload shows them too (they were [] and null before duties were simulated).
    const payload = (await control(sim, 'get', `/orders/${numericId}`)).body;
    assert.equal(payload.line_items[0].duties[0].shop_money.amount, '3.00');
    assert.equal(payload.original_total_duties_set.shop_money.amount, '3.00');
    assert.equal(payload.total_price, '27.60');
  });

  it('refunds a duty proportionally to the refunded units, then the rest in full', async () => {
    const { sim } = testSimulator();
    const { orderId, lineId, dutyId } = await dutyOrder(sim);
    // 1 of 2 units: 9.50 + half the duty (1.50) + half its tax (0.30) = 11.30.
    const first = await gqlData(sim, REFUND, {
      key: 'r1',
      input: {
        orderId,
        refundLineItems: [{ lineItemId: lineId, quantity: 1, restockType: 'CANCEL' }],
        refundDuties: [{ dutyId, refundType: 'PROPORTIONAL' }],
        transactions: [{ orderId, amount: '11.30', gateway: 'bogus', kind: 'REFUND' }],
      },
    });
    assert.deepEqual(first.refundCreate.userErrors, []);
    assert.deepEqual(first.refundCreate.refund.duties, [{ amountSet: { shopMoney: { amount: '1.50' } }, originalDuty: { id: dutyId } }]);
    assert.deepEqual(first.refundCreate.refund.orderAdjustments.nodes, [], 'the money is exactly the goods and the duty');
    let order = (await gqlData(sim, ORDER_QUERY, { id: orderId })).order;
    assert.deepEqual(amounts(order, 'currentTotalPriceSet', 'currentTotalDutiesSet', 'originalTotalDutiesSet', 'currentTotalTaxSet'), [
      '16.30',
      '1.50',
      '3.00',
      '0.30',
    ]);
    // The rest of the duty alone, in full: 1.50 and its 0.30 of tax.
    const second = await gqlData(sim, REFUND, {
      key: 'r2',
      input: {
        orderId,
        refundDuties: [{ dutyId, refundType: 'FULL' }],
        transactions: [{ orderId, amount: '1.80', gateway: 'bogus', kind: 'REFUND' }],
      },
    });
    assert.deepEqual(second.refundCreate.refund.duties[0].amountSet, { shopMoney: { amount: '1.50' } });
    assert.deepEqual(second.refundCreate.refund.orderAdjustments.nodes, []);
    order = (await gqlData(sim, ORDER_QUERY, { id: orderId })).order;
    assert.deepEqual(amounts(order, 'currentTotalPriceSet', 'currentTotalDutiesSet'), ['14.50', '0.00']);
    // The refunds/create payload carries what was given back of the duty.
    const refunds = (await control(sim, 'get', '/refunds')).body as Array<{
      duties: unknown[];
      total_duties_set: { shop_money: { amount: string } };
    }>;
    assert.deepEqual(
      refunds.map((r) => r.total_duties_set.shop_money.amount),
      ['1.50', '1.50'],
    );
    assert.equal(refunds[0]!.duties.length, 1);
  });

  it('gives nothing back of a proportional duty whose line is not refunded, and refuses a duty of another order', async () => {
    const { sim } = testSimulator();
    const { orderId, numericId } = await dutyOrder(sim);
    const other = await dutyOrder(sim);
    const refund = await control(sim, 'post', `/orders/${numericId}/refunds`, { shipping: 'full', duties: 'proportional' });
    assert.equal(refund.status, 201, JSON.stringify(refund.body));
    assert.deepEqual(refund.body.duties, []);
    assert.equal(refund.body.total_duties_set.shop_money.amount, '0.00');
    const refused = await gqlData(sim, REFUND, {
      key: 'r3',
      input: { orderId, refundDuties: [{ dutyId: other.dutyId, refundType: 'FULL' }], transactions: [] },
    });
    assert.equal(refused.refundCreate.refund, null);
    assert.match(refused.refundCreate.userErrors[0].message, /does not belong to the order/);
  });

  it('a cancellation with a refund gives the duties back', async () => {
    const { sim } = testSimulator();
    const { orderId } = await dutyOrder(sim);
    await gqlData(
      sim,
      `mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER, restock: true, refund: true) { userErrors { message } } }`,
      { id: orderId },
    );
    const order = (await gqlData(sim, ORDER_QUERY, { id: orderId })).order;
    assert.deepEqual(amounts(order, 'currentTotalDutiesSet', 'currentTotalPriceSet'), ['0.00', '0.00']);
  });
  it('an order edit that removes a unit takes its share of the duty and its tax off the current totals; Duty.price stays what was charged (an assumption)', async () => {
    const { sim } = testSimulator();
    const { orderId, numericId, dutyId } = await dutyOrder(sim);
    const edited = await control(sim, 'post', `/orders/${numericId}/edit`, { set: [{ sku: 'SIM-MUG', quantity: 1 }] });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    // 1 × 9.50 + 5.00 + half the duty (1.50) and half its tax (0.30): 16.30.
    let order = (await gqlData(sim, ORDER_QUERY, { id: orderId })).order;
    assert.deepEqual(amounts(order, 'currentTotalPriceSet', 'currentTotalDutiesSet', 'originalTotalDutiesSet', 'currentTotalTaxSet'), [
      '16.30',
      '1.50',
      '3.00',
      '0.30',
    ]);
    assert.equal(order.lineItems.nodes[0].duties[0].price.shopMoney.amount, '3.00');
    // A FULL refund of the duty gives back what the edit left of it: 1.50 and its 0.30.
    const refund = await gqlData(sim, REFUND, {
      key: 'r-edit',
      input: {
        orderId,
        refundDuties: [{ dutyId, refundType: 'FULL' }],
        transactions: [{ orderId, amount: '1.80', gateway: 'bogus', kind: 'REFUND' }],
      },
    });
    assert.deepEqual(refund.refundCreate.refund.duties[0].amountSet, { shopMoney: { amount: '1.50' } });
    order = (await gqlData(sim, ORDER_QUERY, { id: orderId })).order;
    assert.deepEqual(amounts(order, 'currentTotalPriceSet', 'currentTotalDutiesSet'), ['14.50', '0.00']);
  });

  it('a line an edit adds can carry the duty Shopify charges on it (control API), and an order can have its duties inside its prices (dutiesIncluded)', async () => {
    const { sim } = testSimulator();
    const { orderId, numericId } = await dutyOrder(sim);
    const edited = await control(sim, 'post', `/orders/${numericId}/edit`, {
      add: [{ sku: 'SIM-MUG', quantity: 1, price: '9.50', duties: [{ price: '1.25', harmonizedSystemCode: '691200' }] }],
    });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    const order = (await gqlData(sim, ORDER_QUERY, { id: orderId })).order;
    assert.equal(order.lineItems.nodes[1].duties[0].price.shopMoney.amount, '1.25');
    // 27.60 + 9.50 (the added line, untaxed: the order charges no tax on its goods) + 1.25.
    assert.deepEqual(amounts(order, 'currentTotalPriceSet', 'currentTotalDutiesSet'), ['38.35', '4.25']);
    const included = await dutyOrder(sim, { ...DUTY_ORDER, dutiesIncluded: true });
    assert.equal(included.order.dutiesIncluded, true);
    // The duty is inside the 9.50 prices: 19.00 + 5.00 + the duty's 0.60 of tax.
    assert.deepEqual(amounts(included.order, 'totalPriceSet', 'currentTotalDutiesSet'), ['24.60', '3.00']);
  });
});
