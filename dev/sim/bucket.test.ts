import assert from 'node:assert/strict';
import { LeakyBucket } from './bucket.js';
import { ManualClock } from './clock.js';

describe('sim leaky bucket', () => {
  it('starts full with the Standard plan numbers', () => {
    const bucket = new LeakyBucket(new ManualClock());
    assert.deepEqual(bucket.status(), { maximumAvailable: 2000, currentlyAvailable: 2000, restoreRate: 100 });
  });

  it('has the Advanced, Plus and Enterprise plan numbers', () => {
    const clock = new ManualClock();
    assert.deepEqual(new LeakyBucket(clock, 'advanced').status(), { maximumAvailable: 4000, currentlyAvailable: 4000, restoreRate: 200 });
    assert.deepEqual(new LeakyBucket(clock, 'plus').status(), { maximumAvailable: 20000, currentlyAvailable: 20000, restoreRate: 1000 });
    assert.deepEqual(new LeakyBucket(clock, 'enterprise').status(), {
      maximumAvailable: 40000,
      currentlyAvailable: 40000,
      restoreRate: 2000,
    });
  });

  it('refuses what it does not hold and restores at restoreRate per second, up to the maximum', async () => {
    const clock = new ManualClock();
    const bucket = new LeakyBucket(clock);
    assert.equal(bucket.tryTake(1950), true);
    assert.equal(bucket.tryTake(100), false);
    assert.equal(bucket.status().currentlyAvailable, 50);
    await clock.advance(500);
    assert.equal(bucket.status().currentlyAvailable, 100);
    assert.equal(bucket.tryTake(100), true);
    await clock.advance(60_000);
    assert.equal(bucket.status().currentlyAvailable, 2000);
  });
});
