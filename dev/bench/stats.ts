/**
 * Bench arithmetic and the printed table. Pure.
 */

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
  p50?: number;
  p95?: number;
  p99?: number;
  /** A throughput or other single number, already formatted. */
  value?: string;
  n?: number;
  target?: string;
  note?: string;
}

const ms = (v: number | undefined) =>
  v === undefined ? '' : Number.isNaN(v) ? '—' : v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`;

/** A Markdown table (readable as plain text too). */
export function renderTable(rows: readonly BenchRow[]): string {
  const head = ['measure', 'load', 'p50', 'p95', 'p99', 'value', 'n', 'target (brief)', 'note'];
  const body = rows.map((r) => [
    r.measure,
    r.load,
    ms(r.p50),
    ms(r.p95),
    ms(r.p99),
    r.value ?? '',
    r.n === undefined ? '' : String(r.n),
    r.target ?? '',
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
