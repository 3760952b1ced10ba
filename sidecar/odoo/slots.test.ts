import assert from 'node:assert/strict';
import { withCallSlots } from './slots.js';
import type { OdooCaller } from './types.js';

/** A caller whose calls stay open until the test settles them, in the order they reached it. */
function heldCaller() {
  const open: Array<{ method: string; settle: (ok: boolean) => void }> = [];
  const caller: OdooCaller = {
    executeKw<T>(_model: string, method: string): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        open.push({ method, settle: (ok) => (ok ? resolve(method as T) : reject(new Error(`${method} failed`))) });
      });
    },
  };
  return { caller, open };
}

const ticks = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

describe('withCallSlots', () => {
  it('keeps at most N calls in flight, starts the waiting ones in arrival order, and frees a slot when a call fails', async () => {
    const { caller, open } = heldCaller();
    const limited = withCallSlots(caller, 2);
    const calls = ['a', 'b', 'c', 'd'].map((m) => limited.executeKw<string>('sale.order', m, []));
    const outcomes = calls.map((p) =>
      p.then(
        (v) => v,
        (e: Error) => e.message,
      ),
    );
    await ticks();
    assert.deepEqual(
      open.map((c) => c.method),
      ['a', 'b'],
    );
    open[0]!.settle(false);
    await ticks();
    assert.deepEqual(
      open.map((c) => c.method),
      ['a', 'b', 'c'],
    );
    open[1]!.settle(true);
    await ticks();
    assert.deepEqual(
      open.map((c) => c.method),
      ['a', 'b', 'c', 'd'],
    );
    open[2]!.settle(true);
    open[3]!.settle(true);
    assert.deepEqual(await Promise.all(outcomes), ['a failed', 'b', 'c', 'd']);
  });

  it('refuses a limit that is not a positive integer', () => {
    const { caller } = heldCaller();
    assert.throws(() => withCallSlots(caller, 0), /maxConcurrent must be a positive integer/);
  });
});
