import assert from 'node:assert/strict';
import { webhookFixture } from '../../dev/testing/fixtures.js';
import { WEBHOOK_ROUTES, orderCurrencyHint } from './routes.js';

describe('webhook routes: what an order job carries besides ids', () => {
  const cases: Array<{ name: string; payload: Record<string, unknown>; want: object }> = [
    { name: 'paid in the shop currency', payload: { currency: 'EUR', presentment_currency: 'EUR' }, want: { paidInShopCurrency: true } },
    { name: 'paid in another currency', payload: { currency: 'EUR', presentment_currency: 'USD' }, want: {} },
    { name: 'without a presentment currency', payload: { currency: 'EUR' }, want: {} },
    { name: 'without currencies', payload: {}, want: {} },
    { name: 'with malformed currencies', payload: { currency: 'eur', presentment_currency: 'eur' }, want: {} },
  ];
  for (const c of cases)
    it(`hints ${JSON.stringify(c.want)} for an order payload ${c.name}`, () => {
      assert.deepEqual(orderCurrencyHint(c.payload), c.want);
    });

  it("reads the hint from the order topics whose payload is the order (Shopify's samples), not from orders/edited's", () => {
    for (const topic of ['orders/create', 'orders/updated', 'orders/paid', 'orders/cancelled'] as const) {
      const payload = JSON.parse(webhookFixture(topic).toString('utf8')) as Record<string, unknown>;
      assert.deepEqual(WEBHOOK_ROUTES[topic].hints?.(payload), { paidInShopCurrency: true }, topic);
    }
    assert.equal(WEBHOOK_ROUTES['orders/edited'].hints, undefined);
    assert.equal(WEBHOOK_ROUTES['refunds/create'].hints, undefined);
  });
});
