/**
 * Bench arithmetic and the printed table. Pure.
 *
 * Every row is a measure beside the baseline measured in the same run (a bare pg-boss loop, a bare
 * HTTP server, Odoo's own create + confirm, Shopify's cost budget), their ratio and the goal the
 * ratio or value is held to. A shared machine's absolute timings move with its load; the ratio to
 * a baseline taken minutes apart on the same machine moves much less.
 */
import os from 'node:os';

/** Nearest-rank percentile (p in 0..100) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface BenchRow {
  measure: string;
  load: string;
  /** What was measured, formatted (e.g. "p50 12 ms, p95 30 ms", "1,850 jobs/s"). */
  value: string;
  /** The same-run baseline it is compared with, formatted; '' when the row has none. */
  baseline: string;
  /** value ÷ baseline (of the quantity the goal is about); undefined when there is no baseline. */
  ratio?: number;
  /** The goal (e.g. "≥ 0.7×", "p99 < 50 ms"); '' when none is set. */
  goal: string;
  /** Met, missed, or '' when it cannot be judged (no measure, not measured in this mode). */
  met?: boolean;
  n?: number;
  note?: string;
}

export const ms = (v: number | undefined): string =>
  v === undefined ? '' : Number.isNaN(v) ? '—' : v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`;

export const ratioText = (r: number | undefined): string =>
  r === undefined ? '' : Number.isFinite(r) ? `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×` : '—';

/** "p50 1.0 ms, p95 2.0 ms, p99 3.0 ms" of `values`. */
export function latencies(values: readonly number[]): string {
  if (values.length === 0) return 'none measured';
  return `p50 ${ms(percentile(values, 50))}, p95 ${ms(percentile(values, 95))}, p99 ${ms(percentile(values, 99))}`;
}

/** A Markdown table (readable as plain text too). */
export function renderTable(rows: readonly BenchRow[]): string {
  const head = ['measure', 'load', 'value', 'baseline (same run)', 'ratio', 'goal', 'met', 'n', 'note'];
  const body = rows.map((r) => [
    r.measure,
    r.load,
    r.value,
    r.baseline,
    ratioText(r.ratio),
    r.goal,
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
    r.n === undefined ? '' : String(r.n),
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/** Load averages (1, 5, 15 min) as text. */
export const loadText = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The machine line that ends the table: cores, RAM, load at the start and at the end. */
export function machineLine(loadAtStart: string, setup: string): string {
  const cpus = os.cpus();
  return (
    `Machine: ${cpus.length} cores (${cpus[0]?.model ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM ` +
    `(${(os.freemem() / 2 ** 30).toFixed(1)} GiB free), load average ${loadAtStart} at the start and ${loadText()} at the end ` +
    `(1/5/15 min), shared with other processes; Node ${process.version}; ${setup}. Absolute numbers are this machine's at ` +
    'that load; the ratios compare measures taken in the same run. Nothing here is asserted in tests.'
  );
}
