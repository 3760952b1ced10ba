import assert from 'node:assert/strict';
import type { OrderFieldsFragment, OrderLineFieldsFragment } from '../../shopify/index.js';
import type { FlowContext } from '../context.js';
import { fetchOrder } from './read.js';

const GID = 'gid://shopify/Order/1001';

/** What fetchOrder looks at of an answer: the currencies and the line items' pages. */
function answer(presentment: string, page: { hasNextPage: boolean; endCursor: string | null }, lines = ['L1']) {
  const nodes = lines.map((id) => ({ id }) as OrderLineFieldsFragment);
  return {
    order: {
      id: GID,
      currencyCode: 'EUR',
      presentmentCurrencyCode: presentment,
      lineItems: { nodes, pageInfo: page },
    } as OrderFieldsFragment,
  };
}
const last = { hasNextPage: false, endCursor: null };

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
