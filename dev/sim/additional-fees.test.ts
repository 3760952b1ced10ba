import assert from 'node:assert/strict';
import { control, gql, gqlData, testSimulator } from './test-support.js';

/** 2 × 9.50 + 5.00 shipping, an import handling fee of 2.50 with 0.50 of tax on it: 27.00 in all. */
const FEE_ORDER = {
  email: 'ada@example.com',
  lines: [{ sku: 'SIM-MUG', quantity: 2, price: '9.50' }],
  shippingLines: [{ title: 'Standard', price: '5.00' }],
  additionalFees: [{ name: 'Import handling fee', price: '2.50', taxLines: [{ title: 'VAT', rate: 0.2, price: '0.50' }] }],
  financialStatus: 'paid',
};

const ORDER_QUERY = `query($id: ID!) { order(id: $id) {
  totalPriceSet { shopMoney { amount } }
  currentTotalPriceSet { shopMoney { amount } }
  totalTaxSet { shopMoney { amount } }
  currentTotalTaxSet { shopMoney { amount } }
  originalTotalAdditionalFeesSet { shopMoney { amount } presentmentMoney { amount currencyCode } }
  currentTotalAdditionalFeesSet { shopMoney { amount } }
  additionalFees { id name price { shopMoney { amount } presentmentMoney { amount currencyCode } } taxLines { title rate priceSet { shopMoney { amount } } } }
  lineItems(first: 5) { nodes { id } }
} }`;

const REFUND = `mutation($input: RefundInput!, $key: String!) { refundCreate(input: $input) @idempotent(key: $key) {
  refund { totalRefundedSet { shopMoney { amount } } orderAdjustments(first: 5) { nodes { reason amountSet { shopMoney { amount } } } } }
  userErrors { field message } } }`;

type Sim = ReturnType<typeof testSimulator>['sim'];

async function feeOrder(sim: Sim, body: object = FEE_ORDER) {
  const placed = await control(sim, 'post', '/orders', body);
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  const orderId = placed.body.admin_graphql_api_id as string;
  const order = (await gqlData(sim, ORDER_QUERY, { id: orderId })).order;
  return { orderId, numericId: placed.body.id as number, order, lineId: order.lineItems.nodes[0].id as string };
}

const amounts = (order: { [k: string]: { shopMoney: { amount: string } } | null }, ...keys: string[]) =>
  keys.map((k) => order[k]?.shopMoney.amount ?? null);

describe('sim additional fees', () => {
  it('charges an additional fee and its tax on top of the order, as Shopify totals it', async () => {
    const { sim } = testSimulator();
    const { order, numericId } = await feeOrder(sim);
    assert.deepEqual(
      amounts(
        order,
        'totalPriceSet',
        'currentTotalPriceSet',
        'originalTotalAdditionalFeesSet',
        'currentTotalAdditionalFeesSet',
        'totalTaxSet',
      ),
      ['27.00', '27.00', '2.50', '2.50', '0.50'],
    );
    assert.equal(order.additionalFees.length, 1);
    assert.match(order.additionalFees[0].id, /^gid:\/\/shopify\/AdditionalFee\/\d+$/);
    assert.equal(order.additionalFees[0].name, 'Import handling fee');
    assert.equal(order.additionalFees[0].price.shopMoney.amount, '2.50');
    assert.deepEqual(order.additionalFees[0].taxLines, [{ title: 'VAT', rate: 0.2, priceSet: { shopMoney: { amount: '0.50' } } }]);
    // The REST order shows only the two totals (Shopify's order resource has no list of fees).
    const payload = (await control(sim, 'get', `/orders/${numericId}`)).body;
    assert.equal(payload.original_total_additional_fees_set.shop_money.amount, '2.50');
    assert.equal(payload.current_total_additional_fees_set.shop_money.amount, '2.50');
    assert.equal('additional_fees' in payload, false);
    assert.equal(payload.total_price, '27.00');
    assert.equal(payload.total_tax, '0.50');
  });

  it('answers no fees and null totals for an order without (as before fees were simulated)', async () => {
    const { sim } = testSimulator();
    const { order, numericId } = await feeOrder(sim, { ...FEE_ORDER, additionalFees: undefined });
    assert.deepEqual(order.additionalFees, []);
    assert.deepEqual(amounts(order, 'originalTotalAdditionalFeesSet', 'currentTotalAdditionalFeesSet', 'totalPriceSet'), [
      null,
      null,
      '24.00',
    ]);
    const payload = (await control(sim, 'get', `/orders/${numericId}`)).body;
    assert.equal(payload.current_total_additional_fees_set, null);
    assert.equal(payload.original_total_additional_fees_set, null);
  });

  it('carries the fee in the customer currency too', async () => {
    const { sim } = testSimulator();
    const { order } = await feeOrder(sim, { ...FEE_ORDER, presentmentCurrency: 'USD', exchangeRate: 1.1 });
    assert.deepEqual(order.additionalFees[0].price.presentmentMoney, { amount: '2.75', currencyCode: 'USD' });
    assert.deepEqual(order.originalTotalAdditionalFeesSet.presentmentMoney, { amount: '2.75', currencyCode: 'USD' });
  });

  it('refunds a fee only as money beyond the goods (an order adjustment); the fee stays on the order', async () => {
    const { sim } = testSimulator();
    const { orderId } = await feeOrder(sim);
    // 2026-10's RefundInput has no refundAdditionalFees (unstable only): the schema refuses it.
    const invented = await gql(sim, `mutation($input: RefundInput!) { refundCreate(input: $input) { userErrors { message } } }`, {
      input: { orderId, refundAdditionalFees: [{ additionalFeeId: 'gid://shopify/AdditionalFee/1' }], transactions: [] },
    });
    assert.match(JSON.stringify(invented.body.errors), /refundAdditionalFees/, 'not a field of 2026-10 RefundInput');
    const refund = await gqlData(sim, REFUND, {
      key: 'fee-back',
      input: { orderId, transactions: [{ orderId, amount: '3.00', gateway: 'bogus', kind: 'REFUND' }] },
    });
    assert.deepEqual(refund.refundCreate.userErrors, []);
    assert.equal(refund.refundCreate.refund.totalRefundedSet.shopMoney.amount, '3.00');
    assert.deepEqual(refund.refundCreate.refund.orderAdjustments.nodes, [
      { reason: 'REFUND_DISCREPANCY', amountSet: { shopMoney: { amount: '-3.00' } } },
    ]);
    const order = (await gqlData(sim, ORDER_QUERY, { id: orderId })).order;
    assert.deepEqual(amounts(order, 'currentTotalPriceSet', 'currentTotalAdditionalFeesSet'), ['27.00', '2.50']);
  });

  it('a cancellation with a refund gives the fee money back beyond the goods', async () => {
    const { sim } = testSimulator();
    const { orderId, numericId } = await feeOrder(sim);
    await gqlData(
      sim,
      `mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER, restock: true, refund: true) { userErrors { message } } }`,
      { id: orderId },
    );
    const refunds = (await control(sim, 'get', '/refunds')).body as Array<{
      order_id: number;
      transactions: Array<{ amount: string }>;
      order_adjustments: Array<{ amount: string; kind: string }>;
    }>;
    const refund = refunds.find((r) => r.order_id === numericId)!;
    assert.deepEqual(
      refund.transactions.map((t) => t.amount),
      ['27.00'],
    );
    assert.deepEqual(
      refund.order_adjustments.map((a) => a.amount),
      ['-3.00'],
    );
  });
});
