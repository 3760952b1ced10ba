import assert from 'node:assert/strict';
import { eachLimited } from './each-limited.js';

/** A call the test settles by hand, so which calls run at once is decided by the test. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { done, open, fail };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('eachLimited', () => {
  it('runs at most `limit` calls at once and every item once, in order of start', async () => {
    const gates = Array.from({ length: 7 }, gate);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const run = eachLimited(gates, 3, async (g, i) => {
      started.push(i);
      running += 1;
      most = Math.max(most, running);
      await g.done;
      running -= 1;
    });
    await tick();
    assert.deepEqual(started, [0, 1, 2]);
    gates[1]!.open();
    await tick();
    assert.deepEqual(started, [0, 1, 2, 3]);
    for (const g of gates) g.open();
    await run;
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(most, 3);
  });

  it('after a failure starts nothing new, waits for the calls running, then throws the first failure', async () => {
    const gates = Array.from({ length: 6 }, gate);
    const started: number[] = [];
    const finished: number[] = [];
    const seen: string[] = [];
    const run = eachLimited(
      gates,
      3,
      async (g, i) => {
        started.push(i);
        await g.done;
        finished.push(i);
      },
      (error, _g, i) => seen.push(`${i}: ${(error as Error).message}`),
    );
    const outcome = run.then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    await tick();
    gates[1]!.fail(new Error('batch 1 refused'));
    await tick();
    // Batches 0 and 2 still run; nothing new started, and the caller has not been answered yet.
    assert.deepEqual(started, [0, 1, 2]);
    let answered = false;
    void outcome.then(() => (answered = true));
    await tick();
    assert.equal(answered, false);
    gates[2]!.fail(new Error('batch 2 refused'));
    gates[0]!.open();
    assert.equal(await outcome, 'batch 1 refused');
    assert.deepEqual(started, [0, 1, 2]);
    assert.deepEqual(finished, [0]);
    assert.deepEqual(seen, ['1: batch 1 refused', '2: batch 2 refused']);
  });

  it('with a limit of 1 is a sequential loop, and refuses a limit that is not a whole number >= 1', async () => {
    const order: string[] = [];
    await eachLimited(['a', 'b', 'c'], 1, async (x) => {
      order.push(`start ${x}`);
      await tick();
      order.push(`end ${x}`);
    });
    assert.deepEqual(order, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    await assert.rejects(
      eachLimited([1], 0, async () => {}),
      /limit must be a whole number >= 1 \(got 0\)/,
    );
    await eachLimited([], 4, () => Promise.reject(new Error('no item, no call')));
  });
});
