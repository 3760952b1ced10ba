/**
 * Time for the simulator: a clock and a scheduler, injected so that tests control time and
 * never sleep for real. `realClock` uses Date.now/setTimeout; `ManualClock` runs timers only when
 * a test calls `advance(ms)`.
 */
export interface Clock {
  now(): number;
  /** Runs `fn` after `ms` of this clock's time; returns a cancel function. */
  schedule(ms: number, fn: () => void | Promise<void>): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  schedule(ms, fn) {
    const timer = setTimeout(() => void fn(), Math.max(0, ms));
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};

interface Timer {
  at: number;
  seq: number;
  fn: () => void | Promise<void>;
}

export class ManualClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(start = Date.parse('2026-11-27T12:00:00Z')) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(ms: number, fn: () => void | Promise<void>): () => void {
    const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward, running every timer that falls due, in time order, awaiting each. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      await due.fn();
    }
    this.current = target;
  }

  pendingTimers(): number {
    return this.timers.length;
  }
}
