/**
 * Admin API access tokens.
 *
 * - static: a legacy custom app's `shpat_…` token, which does not expire;
 * - client_credentials: apps from the Dev Dashboard on stores the organisation owns get a token
 *   from POST https://{shop}/admin/oauth/access_token (grant_type=client_credentials) that lasts
 *   about 24 h (expires_in ≈ 86399) and has no refresh token, so a new one is requested before
 *   expiry (default 5 minutes early). Concurrent callers share one in-flight request
 *   (single-flight). A 401 from the Admin API invalidates the token the request used.
 *
 * Tokens never appear in logs or error messages.
 */
import { ShopifyAuthError } from './errors.js';
import type { ShopifyAuthClientCredentials, ShopifyAuthStatic } from '../config/index.js';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface ShopifyTokenProvider {
  /** True when a rejected token can be replaced by a new one (client credentials). */
  readonly refreshable: boolean;
  /** The current token, fetching a new one first when it is missing or about to expire. */
  token(): Promise<string>;
  /** Marks `token` as rejected by Shopify (401); the next `token()` fetches a new one. */
  invalidate(token: string): void;
}

export function createStaticTokenProvider(accessToken: string): ShopifyTokenProvider {
  if (typeof accessToken !== 'string' || accessToken.length === 0) {
    throw new TypeError('createStaticTokenProvider: accessToken must be a non-empty string');
  }
  return Object.freeze({
    refreshable: false,
    token: () => Promise.resolve(accessToken),
    invalidate: () => {},
  });
}

export interface ClientCredentialsOptions {
  shopDomain: string;
  clientId: string;
  clientSecret: string;
  /** Base URL instead of https://{shopDomain} (the simulator). */
  adminBaseUrl?: string;
  fetch?: FetchLike;
  clock?: () => number;
  /** Refresh this long before expiry. Default 5 minutes. */
  refreshEarlyMs?: number;
  requestTimeoutMs?: number;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

export function createClientCredentialsTokenProvider(options: ClientCredentialsOptions): ShopifyTokenProvider {
  const { shopDomain, clientId, clientSecret } = options;
  for (const [name, value] of [
    ['shopDomain', shopDomain],
    ['clientId', clientId],
    ['clientSecret', clientSecret],
  ] as const) {
    if (typeof value !== 'string' || value.length === 0) {
      throw new TypeError(`createClientCredentialsTokenProvider: ${name} must be a non-empty string`);
    }
  }
  const fetchFn: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const clock = options.clock ?? Date.now;
  const refreshEarlyMs = options.refreshEarlyMs ?? 5 * 60_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const base = (options.adminBaseUrl || `https://${shopDomain}`).replace(/\/+$/, '');
  const tokenUrl = `${base}/admin/oauth/access_token`;

  let cached: CachedToken | undefined;
  let inFlight: Promise<string> | undefined;

  async function requestToken(): Promise<string> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), requestTimeoutMs);
    let response: Response;
    let body: unknown;
    try {
      response = await fetchFn(tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
        signal: controller.signal,
      });
      body = await response.json().catch(() => undefined);
    } catch (error) {
      const what = controller.signal.aborted ? `timed out after ${requestTimeoutMs} ms` : 'failed (network)';
      // The cause is a fetch error about the URL only; the secret is in the body, never in it.
      throw new ShopifyAuthError(`Shopify client-credentials token request ${what}`, { retryable: true, cause: error });
    } finally {
      clearTimeout(timer);
    }
    const requestId = response.headers.get('x-request-id') ?? undefined;
    if (!response.ok) {
      // 400/401/403: wrong client id or secret, app not installed: configuration, permanent.
      const reason = typeof (body as { error?: unknown })?.error === 'string' ? `: ${(body as { error: string }).error}` : '';
      throw new ShopifyAuthError(`Shopify refused the client-credentials grant (HTTP ${response.status}${reason})`, {
        status: response.status,
        requestId,
        retryable: response.status >= 500 || response.status === 429,
      });
    }
    const { access_token: value, expires_in: expiresIn } = (body ?? {}) as { access_token?: unknown; expires_in?: unknown };
    if (typeof value !== 'string' || value === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw new ShopifyAuthError('Shopify client-credentials answer lacks access_token or expires_in', {
        status: response.status,
        requestId,
        retryable: true,
      });
    }
    cached = { value, expiresAt: clock() + expiresIn * 1000 };
    return value;
  }

  function token(): Promise<string> {
    if (cached && clock() < cached.expiresAt - refreshEarlyMs) return Promise.resolve(cached.value);
    // Single-flight: every caller during a refresh awaits the same request.
    inFlight ??= requestToken().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  function invalidate(rejected: string): void {
    // Only forget the token that was rejected: another caller may already have a newer one.
    if (cached?.value === rejected) cached = undefined;
  }

  return Object.freeze({ refreshable: true, token, invalidate });
}

/** The provider for the configured auth (`config.shopify.auth`), or a provider passed as is. */
export function createTokenProvider(
  auth: ShopifyAuthStatic | ShopifyAuthClientCredentials | ShopifyTokenProvider,
  options: Omit<ClientCredentialsOptions, 'clientId' | 'clientSecret'>,
): ShopifyTokenProvider {
  if ('token' in auth && typeof auth.token === 'function') return auth;
  const config = auth as ShopifyAuthStatic | ShopifyAuthClientCredentials;
  if (config.kind === 'static') return createStaticTokenProvider(config.accessToken);
  if (config.kind === 'client_credentials') {
    return createClientCredentialsTokenProvider({ ...options, clientId: config.clientId, clientSecret: config.clientSecret });
  }
  throw new TypeError('createTokenProvider: auth.kind must be "static" or "client_credentials"');
}
