import assert from 'node:assert/strict';
import { dlqName, InvalidKeyError, keys, odooRef, QUEUE_NAMES, queueOptions, retryLimitFor, shopifyGid } from './names.js';

describe('queue names and keys', () => {
  it('gives every queue a .dlq dead-letter queue', () => {
    assert.equal(QUEUE_NAMES.length, 17);
    assert.equal(dlqName('orders'), 'orders.dlq');
    assert.equal(dlqName('orders.pull'), 'orders.pull.dlq');
    for (const queue of QUEUE_NAMES)
      assert.equal(queueOptions(queue, { limit: 8, delaySeconds: 5, delayMaxSeconds: 1800 }).deadLetter, `${queue}.dlq`);
  });

  it('keys a webhook replay and a retry of one order to the same key, whatever the shop domain case', () => {
    const gid = shopifyGid('Order', '820982911946154508');
    assert.equal(keys.order('Demo-Shop.myshopify.com', gid), 'order:demo-shop.myshopify.com:gid://shopify/Order/820982911946154508');
    assert.equal(keys.order(' demo-shop.myshopify.com', gid), keys.order('demo-shop.myshopify.com', gid));
  });

  it('keys stock by inventory item and location', () => {
    assert.equal(
      keys.stock(shopifyGid('InventoryItem', 49148385n), shopifyGid('Location', '655441491')),
      'stock:gid://shopify/InventoryItem/49148385:gid://shopify/Location/655441491',
    );
  });

  it('keys stock from the outbox by Odoo variant and Shopify location', () => {
    assert.equal(
      keys.stock(odooRef('product.product', 7), 'gid://shopify/Location/1'),
      'stock:odoo:product.product:7:gid://shopify/Location/1',
    );
  });

  it('names Odoo records that have no Shopify id yet', () => {
    assert.equal(
      keys.product('demo-shop.myshopify.com', odooRef('product.template', 42)),
      'product:demo-shop.myshopify.com:odoo:product.template:42',
    );
  });

  it('refuses ids that are not GIDs, shops that are not myshopify domains, and unsafe numbers', () => {
    assert.throws(
      () => keys.order('demo-shop.myshopify.com', '820982911946154508'),
      /order must be a Shopify GID \(got "820982911946154508"\)/,
    );
    assert.throws(() => keys.order('shop.example.com', 'gid://shopify/Order/1'), /shop must be <name>.myshopify.com/);
    assert.throws(() => keys.stock('odoo:product.product:1', 'odoo:stock.warehouse:1'), InvalidKeyError);
    assert.throws(() => keys.stock('product 1', 'gid://shopify/Location/1'), InvalidKeyError);
    assert.throws(() => shopifyGid('Order', '1e3'), InvalidKeyError);
    assert.throws(() => odooRef('product.template', 2 ** 53), InvalidKeyError);
  });

  it('uses strict per-key FIFO with capped exponential backoff on entity queues, and singleton on scheduled ones', () => {
    const retry = { limit: 8, delaySeconds: 5, delayMaxSeconds: 1800 };
    assert.deepEqual(queueOptions('inventory', retry), {
      policy: 'key_strict_fifo',
      retryLimit: 8,
      retryBackoff: true,
      retryDelay: 5,
      retryDelayMax: 1800,
      expireInSeconds: 120,
      retentionSeconds: 30 * 86_400,
      deleteAfterSeconds: 3 * 86_400,
      deadLetter: 'inventory.dlq',
      notify: true,
      // A worker that stops refreshing it for 10 s is taken for dead (docs/queues.md, "Crash recovery").
      heartbeatSeconds: 10,
    });
    const scheduled = queueOptions('inventory.reconcile', retry);
    assert.equal(scheduled.policy, 'singleton');
    assert.equal(scheduled.retryLimit, 2);
    assert.equal(keys.scheduled('inventory.reconcile'), 'schedule:inventory.reconcile');
  });

  it('derives from a time budget the retries whose backoff lower bounds span it', () => {
    assert.equal(retryLimitFor({ budgetSeconds: 21_600, delaySeconds: 5, delayMaxSeconds: 300 }), 77);
    assert.equal(retryLimitFor({ budgetSeconds: 1, delaySeconds: 5, delayMaxSeconds: 300 }), 1);
    // Never below the budget: the sum of min(cap, delay · 2^n) over the limit reaches it, one retry fewer does not.
    for (const [budget, delay, cap] of [
      [3600, 1, 60],
      [14_400, 5, 1800],
      [90, 1, 4],
    ] as const) {
      const limit = retryLimitFor({ budgetSeconds: budget, delaySeconds: delay, delayMaxSeconds: cap });
      const waited = (n: number) =>
        Array.from({ length: n }, (_, i) => Math.min(cap, delay * 2 ** Math.min(i, 15))).reduce((a, b) => a + b, 0);
      assert.ok(waited(limit) >= budget && waited(limit - 1) < budget, `${budget}/${delay}/${cap}: ${limit}`);
    }
  });
});
