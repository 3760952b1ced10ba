import assert from 'node:assert/strict';
import { checkApiVersion, type VersionCheckClient } from './versions.js';
import { ShopifyApiVersionError } from './errors.js';
import { recordingLogger } from '../../dev/fakes/shopify-admin-api.js';

/** publicApiVersions as Shopify lists them in late November 2026. */
const LISTED = [
  { handle: '2026-01', displayName: '2026-01', supported: true },
  { handle: '2026-04', displayName: '2026-04', supported: true },
  { handle: '2026-07', displayName: '2026-07', supported: true },
  { handle: '2026-10', displayName: '2026-10 (Latest)', supported: true },
  { handle: '2027-01', displayName: '2027-01 (Release candidate)', supported: false },
  { handle: 'unstable', displayName: 'unstable', supported: false },
];
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);

function stubClient(apiVersion: string): VersionCheckClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    apiVersion,
    request: (name) => {
      calls.push(name);
      return Promise.resolve({ publicApiVersions: LISTED });
    },
  };
}

describe('shopify API version check', () => {
  it('fails with a clear error when the configured version is not served as supported', async () => {
    await assert.rejects(checkApiVersion(stubClient('2025-10'), { logger: recordingLogger(), clock: () => NOW }), (error: unknown) => {
      assert.ok(error instanceof ShopifyApiVersionError);
      assert.equal(error.permanent, true);
      assert.equal(
        error.message,
        'Shopify API version 2025-10 is not offered by Shopify; set SHOPIFY_API_VERSION to one of: 2026-01, 2026-04, 2026-07, 2026-10',
      );
      return true;
    });
    await assert.rejects(
      checkApiVersion(stubClient('2027-01'), { logger: recordingLogger(), clock: () => NOW }),
      /^ShopifyApiVersionError: Shopify API version 2027-01 is listed but not supported \(release candidate or end of life\)/,
    );
  });

  it('warns when the configured version is the oldest supported one and near the end of its support', async () => {
    const logger = recordingLogger();
    const client = stubClient('2026-01');
    const result = await checkApiVersion(client, { logger, clock: () => NOW });
    assert.deepEqual(client.calls, ['PublicApiVersions']);
    assert.deepEqual(result.warnings, [
      'Shopify API version 2026-01 is the oldest supported version; plan the upgrade to 2026-10',
      'Shopify API version 2026-01 reaches the end of its 12-month support around 2027-01-01 (34 days)',
    ]);
    assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 2);
  });

  it('accepts the pinned 2026-10 without warnings', async () => {
    const logger = recordingLogger();
    const result = await checkApiVersion(stubClient('2026-10'), { logger, clock: () => NOW });
    assert.deepEqual(result.warnings, []);
    assert.equal(result.oldestSupported, '2026-01');
    assert.equal(result.supportedUntil?.toISOString(), '2027-10-01T00:00:00.000Z');
    assert.deepEqual(
      logger.lines.map((l) => l.level),
      ['info'],
    );
  });
});
