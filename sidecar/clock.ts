/**
 * Time, injected. Every time comparison in the sidecar (retention, pruning, schedules, rollups,
 * caches with a TTL, report windows, alert timing) reads one `Clock`, created once in the
 * composition root (app.ts) and passed down, so tests can set the date and nothing depends on
 * the day a test runs. SQL compares against the clock's instant passed as a parameter, not
 * against the database's `now()` (docs/architecture.md, "Time").
 */

/** Milliseconds since the epoch. */
export type Clock = () => number;

/** The process's wall clock: the default in production. */
export const systemClock: Clock = () => Date.now();
