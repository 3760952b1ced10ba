import assert from 'node:assert/strict';
import * as q from './quantities.js';

describe('sim quantities (available / committed / on_hand)', () => {
  const start = q.setOnHand(q.emptyQuantities(), 10);

  it('placing an order moves units from available to committed', () => {
    assert.deepEqual(q.commit(start, 3), { available: 7, committed: 3, on_hand: 10 });
  });

  it('cancelling releases committed units back to available', () => {
    assert.deepEqual(q.release(q.commit(start, 3), 3), { available: 10, committed: 0, on_hand: 10 });
  });

  it('fulfilling reduces committed and on_hand, not available', () => {
    assert.deepEqual(q.fulfill(q.commit(start, 3), 2), { available: 7, committed: 1, on_hand: 8 });
  });

  it('setting on_hand recomputes available, committed stays', () => {
    assert.deepEqual(q.setOnHand(q.commit(start, 3), 20), { available: 17, committed: 3, on_hand: 20 });
  });

  it('setting available recomputes on_hand, committed stays', () => {
    assert.deepEqual(q.setAvailable(q.commit(start, 3), 4), { available: 4, committed: 3, on_hand: 7 });
  });

  it('overselling makes available negative, as Shopify allows with CONTINUE policy', () => {
    assert.deepEqual(q.commit(start, 12), { available: -2, committed: 12, on_hand: 10 });
  });

  it('restocking a return adds to available and on_hand', () => {
    assert.deepEqual(q.restock(q.fulfill(q.commit(start, 2), 2), 1), { available: 9, committed: 0, on_hand: 9 });
  });

  it('reads quantity names Shopify knows but the simulator does not model as 0', () => {
    assert.equal(q.quantityByName(start, 'on_hand'), 10);
    assert.equal(q.quantityByName(start, 'reserved'), 0);
  });
});
