/**
 * The smoke version of `make chaos` (dev/chaos/run.ts): the same separate processes and every
 * fault once — duplicated and reordered deliveries, Shopify 503 and THROTTLED answers, two Odoo
 * outages, a SIGKILL of a replica, a PostgreSQL restart — over 40 orders. Shopify and Odoo must
 * agree record by record afterwards (orders, totals, stock, every refund applied once to the
 * cent), with nothing dead-lettered and the two replicas' shared Shopify budget never overspent.
 * Its figures are not asserted (timing goals are measured by `make chaos`, docs/operations.md).
 */
import assert from 'node:assert/strict';
import { runChaos, SMOKE } from './run.js';

describe('chaos smoke (separate processes: simulator, two sidecar replicas, Odoo double, PostgreSQL)', function () {
  this.timeout(600_000);

  it('ends with Shopify and Odoo agreeing after every fault, nothing lost, duplicated or dead-lettered', async () => {
    const lines: string[] = [];
    const result = await runChaos({ ...SMOKE, realOdoo: null, print: (line) => lines.push(line) });
    console.log(`      ${result.line}`);
    const figures = lines.join('\n');
    assert.deepEqual(
      [
        result.comparison.lost,
        result.comparison.duplicated,
        result.comparison.totalsMismatched,
        result.comparison.stockMismatched,
        result.comparison.shopifyDuplicates,
        result.comparison.refundsMissing,
        result.comparison.refundsDuplicated,
        result.comparison.refundsAmountMismatched,
      ],
      [0, 0, 0, 0, 0, 0, 0, 0],
      figures,
    );
    assert.notEqual(result.convergedAfterSeconds, null, figures);
    assert.ok(result.comparison.refunds > 0, 'the run made refunds');
    assert.equal(result.bucketThrottles, 0, 'THROTTLED answers the faults did not force: the shared budget was overspent');
    assert.equal(result.deadLetters, 0, figures);
    assert.ok(result.comparison.orders >= SMOKE.orders * 0.9, `orders placed: ${result.comparison.orders}`);
    assert.equal(result.recoveries.length, SMOKE.kills);
    assert.ok(
      result.recoveries.every((r) => r.takenOverSeconds !== null && r.doneSeconds !== null),
      `the killed replica's jobs were taken over and done: ${JSON.stringify(result.recoveries)}`,
    );
  });
});
