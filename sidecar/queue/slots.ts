/**
 * A first-come, first-served limit on how many handlers of one queue run at once in this process,
 * shared by the queue's fetch loops. It lets a loop claim more jobs per fetch than it runs at once
 * (docs/queues.md, "Fetch size"): the claimed jobs wait here, in the order they were fetched.
 */
export interface Slots {
  /** Resolves once a slot is free; call the returned function exactly once to free it. */
  acquire(): Promise<() => void>;
  /** Handlers running now (for tests and diagnostics). */
  readonly running: number;
}

export function createSlots(size: number): Slots {
  if (!Number.isInteger(size) || size < 1) throw new Error(`queue: slots must be a positive integer (got ${size})`);
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    // The freed slot passes straight to the next waiter, so `running` stays the same.
    if (next) next();
    else running -= 1;
  };
  return {
    acquire() {
      let released = false;
      const once = () => {
        if (released) return;
        released = true;
        release();
      };
      if (running < size) {
        running += 1;
        return Promise.resolve(once);
      }
      return new Promise((resolve) => waiting.push(() => resolve(once)));
    },
    get running() {
      return running;
    },
  };
}
