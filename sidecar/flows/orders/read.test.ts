import assert from 'node:assert/strict';
import type { OrderFieldsFragment, OrderLineFieldsFragment } from '../../shopify/index.js';
import type { FlowContext } from '../context.js';
import { fetchOrder } from './read.js';

const GID = 'gid://shopify/Order/1001';

type Page = { hasNextPage: boolean; endCursor: string | null };
const last: Page = { hasNextPage: false, endCursor: null };
type ShippingLine = OrderFieldsFragment['shippingLines']['nodes'][number];
const shippingLine = (title: string) => ({ title }) as ShippingLine;

/** What fetchOrder looks at of an answer: the currencies, the line items' and the shipping lines' pages. */
function answer(
  presentment: string,
  page: Page,
  lines = ['L1'],
  shipping: { titles: string[]; page: Page } = { titles: ['S1'], page: last },
) {
  const nodes = lines.map((id) => ({ id }) as OrderLineFieldsFragment);
  return {
    order: {
      id: GID,
      currencyCode: 'EUR',
      presentmentCurrencyCode: presentment,
      lineItems: { nodes, pageInfo: page },
      shippingLines: { nodes: shipping.titles.map(shippingLine), pageInfo: shipping.page },
    } as OrderFieldsFragment,
  };
}

/** A Shopify client that answers in turn and records each request's name and variables. */
function shopify(answers: unknown[]) {
  const calls: Array<[string, unknown]> = [];
  const client = {
    request: (name: string, variables: unknown) => {
      calls.push([name, variables]);
      return Promise.resolve(answers.shift());
    },
  } as unknown as FlowContext['shopify'];
  return { ctx: { shopify: client }, calls };
}

describe('orders read: the customer-currency amounts only when the order may need them', () => {
  it('reads them by default (a job that knows nothing of the order)', async () => {
    const { ctx, calls } = shopify([answer('EUR', last)]);
    await fetchOrder(ctx, GID);
    assert.deepEqual(calls, [['OrderById', { id: GID, withPresentment: true }]]);
  });

  it('leaves them out of the read and of its line item pages for an order known to be paid in the shop currency', async () => {
    const { ctx, calls } = shopify([
      answer('EUR', { hasNextPage: true, endCursor: 'c1' }),
      { order: { lineItems: { nodes: [{ id: 'L2' }], pageInfo: last } } },
    ]);
    const fetched = await fetchOrder(ctx, GID, { withPresentment: false });
    assert.deepEqual(calls, [
      ['OrderById', { id: GID, withPresentment: false }],
      ['OrderLineItems', { id: GID, after: 'c1', withPresentment: false }],
    ]);
    assert.deepEqual(
      fetched?.lineItems.map((l) => l.id),
      ['L1', 'L2'],
    );
  });

  it('reads the order again with them when the answer shows another currency (a wrong hint), and uses only that read', async () => {
    const { ctx, calls } = shopify([
      answer('USD', last, ['stale']),
      answer('USD', { hasNextPage: true, endCursor: 'c1' }, ['L1']),
      { order: { lineItems: { nodes: [{ id: 'L2' }], pageInfo: last } } },
    ]);
    const fetched = await fetchOrder(ctx, GID, { withPresentment: false });
    assert.deepEqual(calls, [
      ['OrderById', { id: GID, withPresentment: false }],
      ['OrderById', { id: GID, withPresentment: true }],
      ['OrderLineItems', { id: GID, after: 'c1', withPresentment: true }],
    ]);
    assert.deepEqual(
      fetched?.lineItems.map((l) => l.id),
      ['L1', 'L2'],
    );
  });

  it('answers null for an order Shopify does not have, with one read', async () => {
    const { ctx, calls } = shopify([{ order: null }]);
    assert.equal(await fetchOrder(ctx, GID, { withPresentment: false }), null);
    assert.equal(calls.length, 1);
  });
});

describe('orders read: every shipping line, removed ones included, past the first page', () => {
  it('reads the shipping lines past the first 5 and answers the order with all of them, in order', async () => {
    const { ctx, calls } = shopify([
      answer('EUR', last, ['L1'], { titles: ['S1', 'S2', 'S3', 'S4', 'S5'], page: { hasNextPage: true, endCursor: 's5' } }),
      { order: { id: GID, shippingLines: { nodes: ['S6', 'S7'].map(shippingLine), pageInfo: last } } },
    ]);
    const fetched = await fetchOrder(ctx, GID, { withPresentment: false });
    assert.deepEqual(calls, [
      ['OrderById', { id: GID, withPresentment: false }],
      ['OrderShippingLines', { id: GID, after: 's5', withPresentment: false }],
    ]);
    assert.deepEqual(
      fetched?.order.shippingLines.nodes.map((s) => s.title),
      ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7'],
    );
    assert.equal(fetched?.order.shippingLines.pageInfo.hasNextPage, false);
  });

  it('refuses to answer part of an order that vanished between two pages (retried, never a short document)', async () => {
    for (const [first, what] of [
      [answer('EUR', last, ['L1'], { titles: ['S1'], page: { hasNextPage: true, endCursor: 's1' } }), 'shipping lines'],
      [answer('EUR', { hasNextPage: true, endCursor: 'c1' }), 'line items'],
    ] as const) {
      const { ctx } = shopify([first, { order: null }]);
      await assert.rejects(fetchOrder(ctx, GID, { withPresentment: false }), (error: Error) => {
        assert.equal(error.name, 'RetryableError');
        assert.match(error.message, new RegExp(`disappeared while its ${what} were read`));
        return true;
      });
    }
  });
});
