/** The compliance webhooks' verdict (doctor.ts judgeComplianceArrivals), table-tested. */
import assert from 'node:assert/strict';
import { judgeComplianceArrivals } from './doctor.js';

describe('doctor: compliance webhooks', () => {
  const at = { first: '2026-11-01T10:00:00.000Z', last: '2026-11-20T09:00:00.000Z' };

  it('warns when no compliance topic ever arrived, saying where to configure them', () => {
    const judged = judgeComplianceArrivals({});
    assert.equal(judged.verdict, 'warn');
    assert.equal(
      judged.detail,
      'no compliance webhook ever arrived; configure them on the app (shopify.app.toml or the Dev Dashboard) and send a test delivery (docs/operations.md, "Privacy requests")',
    );
    assert.deepEqual(judged.data, { 'customers/data_request': null, 'customers/redact': null, 'shop/redact': null });
  });

  it('is OK once one arrived, and names each topic with its first and last arrival or "never received"', () => {
    const judged = judgeComplianceArrivals({ 'customers/redact': at });
    assert.equal(judged.verdict, 'ok');
    assert.equal(
      judged.detail,
      'customers/data_request: never received; customers/redact: first 2026-11-01T10:00:00.000Z, last 2026-11-20T09:00:00.000Z; shop/redact: never received',
    );
  });
});
