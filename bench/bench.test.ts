/**
 * Smoke test of `make bench`: a tiny load through the same code, checking that it runs end to end
 * and prints its table. No timing is asserted (brief: numbers are reported, not tested).
 */
import assert from 'node:assert/strict';
import { testDatabase } from '../sidecar/testing/root-hooks.js';
import { runBench } from './run.js';
import { percentile, renderTable } from './stats.js';

describe('make bench', () => {
  it('computes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.deepEqual([50, 95, 99, 100].map((p) => percentile(values, p)), [50, 95, 99, 100]);
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.equal(renderTable([{ measure: 'm', load: 'l', p50: 1.25, value: 'v', n: 2 }]).split('\n')[2], '| m       | l    | 1.3 ms |     |     | v     | 2 |                |      |');
  });

  it('runs a tiny load (20 webhooks, 20 jobs) against the whole stack and prints its table', async function () {
    this.timeout(120_000);
    const printed: string[] = [];
    const { rows, text } = await runBench({
      databaseUrl: await testDatabase('bench_smoke'),
      webhookRate: 20,
      webhookSeconds: 1,
      jobs: 20,
      orderRate: 5,
      orderSeconds: 1,
      stockChanges: 2,
      print: (t) => printed.push(t),
    });
    assert.deepEqual(rows.map((r) => r.measure), [
      'jobs per second through the queue',
      'order webhook → Odoo sales order',
      'Odoo stock change → Shopify quantity',
      'webhook acknowledgement',
    ]);
    const ack = rows[3]!;
    assert.equal(ack.n, 20);
    assert.match(ack.note ?? '', /^20 × 200, 20 queued in the inbox$/);
    assert.equal(rows[0]!.n, 20);
    for (const row of rows.slice(1, 3)) {
      assert.ok(row.n !== undefined || /^not measured: (orders|inventory) flow not present$/.test(row.note ?? ''), JSON.stringify(row));
    }
    assert.equal(printed.at(-1), text);
    assert.match(text, /^\| measure +\| load +\| p50 +\| p95 +\| p99 /);
    assert.match(text, /Machine: \d+ cores .*shared with other processes/);
  });
});
