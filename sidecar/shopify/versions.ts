/**
 * API version lifecycle check at start: API versions are configuration (docs/architecture.md,
 * decision 9), and a version Shopify no longer supports must stop the sidecar, not degrade it.
 *
 * Queries `publicApiVersions` and fails with ShopifyApiVersionError when the configured version
 * is not listed as supported (Shopify would otherwise silently "fall forward" to the oldest
 * supported version). Warns when it is the oldest supported stable version, or when it is within
 * `warnDaysBeforeEnd` days of the end of its 12-month support window. `unstable` is accepted
 * with a warning (Shopify lists it with supported=false by design; never for production).
 */
import type { ClientLogger, RequestOptions } from './client.js';
import { ShopifyApiVersionError } from './errors.js';
import type { Lane } from './budget.js';
import type { PublicApiVersionsQuery } from './generated/operations.js';

export type ApiVersionInfo = PublicApiVersionsQuery['publicApiVersions'][number];

/** The part of the Shopify client the check uses. */
export interface VersionCheckClient {
  readonly apiVersion: string;
  request(name: 'PublicApiVersions', variables: undefined, options: RequestOptions): Promise<PublicApiVersionsQuery>;
}

export interface ApiVersionCheck {
  version: string;
  supportedVersions: string[];
  oldestSupported: string | undefined;
  /** Estimated end of support: release + 12 months (Shopify's minimum). Undefined for unstable. */
  supportedUntil: Date | undefined;
  warnings: string[];
}

export interface CheckApiVersionOptions {
  logger: Pick<ClientLogger, 'warn' | 'info'>;
  clock?: () => number;
  warnDaysBeforeEnd?: number;
  lane?: Lane;
}

const STABLE = /^(\d{4})-(\d{2})$/;

/** Start of support of a stable version (release at the start of its quarter) + 12 months. */
export function supportEnd(handle: string): Date | undefined {
  const m = STABLE.exec(handle);
  if (!m) return undefined;
  return new Date(Date.UTC(Number(m[1]) + 1, Number(m[2]) - 1, 1));
}

export async function checkApiVersion(client: VersionCheckClient, options: CheckApiVersionOptions): Promise<ApiVersionCheck> {
  const { logger } = options;
  const clock = options.clock ?? Date.now;
  const warnDays = options.warnDaysBeforeEnd ?? 90;
  const version = client.apiVersion;
  const { publicApiVersions: versions } = await client.request('PublicApiVersions', undefined, { lane: options.lane ?? 'orders' });
  const supportedVersions = versions
    .filter((v) => v.supported && STABLE.test(v.handle))
    .map((v) => v.handle)
    .sort();
  const oldestSupported = supportedVersions[0];
  const warnings: string[] = [];

  if (version === 'unstable') {
    warnings.push('Shopify API version "unstable" changes without notice; use a stable version in production');
  } else if (!supportedVersions.includes(version)) {
    const listed = versions.find((v) => v.handle === version);
    const why = listed ? 'is listed but not supported (release candidate or end of life)' : 'is not offered by Shopify';
    throw new ShopifyApiVersionError(
      `Shopify API version ${version} ${why}; set SHOPIFY_API_VERSION to one of: ${supportedVersions.join(', ') || '(none listed)'}`,
    );
  } else {
    const newest = supportedVersions[supportedVersions.length - 1];
    const end = supportEnd(version)!;
    const daysLeft = Math.floor((end.getTime() - clock()) / 86_400_000);
    if (version === oldestSupported && supportedVersions.length > 1) {
      warnings.push(`Shopify API version ${version} is the oldest supported version; plan the upgrade to ${newest}`);
    }
    if (daysLeft <= warnDays) {
      warnings.push(
        `Shopify API version ${version} reaches the end of its 12-month support around ${end.toISOString().slice(0, 10)} (${Math.max(0, daysLeft)} days)`,
      );
    }
  }
  for (const warning of warnings) logger.warn(`shopify: ${warning}`, { apiVersion: version, supportedVersions });
  if (warnings.length === 0) logger.info('shopify: API version supported', { apiVersion: version });
  return { version, supportedVersions, oldestSupported, supportedUntil: supportEnd(version), warnings };
}
