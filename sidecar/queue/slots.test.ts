import assert from 'node:assert/strict';
import { createSlots } from './slots.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createSlots', () => {
  it('lets `size` holders in at once and the waiters in the order they came', async () => {
    const slots = createSlots(2);
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const all = [0, 1, 2, 3].map((i) =>
      slots.acquire().then((release) => {
        order.push(i);
        releases.push(release);
      }),
    );
    await tick();
    assert.deepEqual(order, [0, 1]);
    assert.equal(slots.running, 2);
    releases[0]!();
    // A second call of the same release frees nothing more.
    releases[0]!();
    await tick();
    assert.deepEqual(order, [0, 1, 2]);
    assert.equal(slots.running, 2);
    releases[1]!();
    releases[2]!();
    await Promise.all(all);
    assert.deepEqual(order, [0, 1, 2, 3]);
    releases[3]!();
    assert.equal(slots.running, 0);
  });

  it('refuses a size that is not a positive integer', () => {
    assert.throws(() => createSlots(0), /positive integer/);
    assert.throws(() => createSlots(1.5), /positive integer/);
  });
});
