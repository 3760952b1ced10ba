/**
 * The in-memory side of the per-minute rollups: one cell per (minute, queue) accumulating this
 * process's attempts until the rollup writer (./rollup.ts) takes them; a failed write puts them
 * back. No I/O.
 */
import { emptyBuckets } from './buckets.js';
import type { QueueName } from '../queue/names.js';

/** One minute of one queue's attempts, as kept in memory until the rollup writer flushes it. */
export interface RollupCell {
  minute: number;
  queue: QueueName;
  completed: number;
  failed: number;
  retried: number;
  deadLettered: number;
  durationBuckets: number[];
  latencyBuckets: number[];
}

export interface RollupCells {
  /** The cell of the minute `at` (ms) falls in, created empty on first use. */
  cell(queue: QueueName, at: number): RollupCell;
  take(): RollupCell[];
  restore(cells: readonly RollupCell[]): void;
}

export function createRollupCells(): RollupCells {
  const cells = new Map<string, RollupCell>();
  function cell(queue: QueueName, at: number): RollupCell {
    const minute = Math.floor(at / 60_000) * 60_000;
    const id = `${minute}|${queue}`;
    let c = cells.get(id);
    if (!c) {
      c = {
        minute,
        queue,
        completed: 0,
        failed: 0,
        retried: 0,
        deadLettered: 0,
        durationBuckets: emptyBuckets(),
        latencyBuckets: emptyBuckets(),
      };
      cells.set(id, c);
    }
    return c;
  }
  return {
    cell,
    take() {
      const taken = [...cells.values()];
      cells.clear();
      return taken;
    },
    restore(restored) {
      for (const r of restored) {
        const c = cell(r.queue, r.minute);
        c.completed += r.completed;
        c.failed += r.failed;
        c.retried += r.retried;
        c.deadLettered += r.deadLettered;
        r.durationBuckets.forEach((n, i) => (c.durationBuckets[i]! += n));
        r.latencyBuckets.forEach((n, i) => (c.latencyBuckets[i]! += n));
      }
    },
  };
}
