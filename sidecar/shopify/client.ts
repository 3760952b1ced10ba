/**
 * The sidecar's Shopify Admin GraphQL client, built on @shopify/admin-api-client.
 *
 * `request(name, variables, {lane, idempotencyKey})` sends the named operation of
 * ./graphql/<name>.graphql, with variables and result typed by the types generated from that
 * document (./generated/operations.ts, docs/architecture.md "Generated types"), and returns
 * `data` or throws one of the errors in ./errors.ts. Around each attempt (./attempt.ts) it:
 *  - reserves the estimated cost in the shared per-shop budget (./budget.ts), waiting when the
 *    lane may not spend it yet, and settles the budget from `extensions.cost` afterwards;
 *  - retries THROTTLED (after the budget's exact wait), 429 (after Retry-After), 5xx, network
 *    errors and timeouts with exponential backoff, jitter and a cap, up to `maxRetries`. An
 *    answer-less failure of a mutation that is neither keyed (`@idempotent`) nor declared
 *    `retrySafe` is NOT retried: it may have executed, and the flow reads back first (a blind
 *    retry could create a second fulfillment); the error says so with `mayHaveExecuted`;
 *  - on 401 with a refreshable token (client credentials), refreshes once and retries;
 *  - turns mutation `userErrors` into ShopifyUserErrors.
 * Never logs tokens or variables.
 */
import type { ShopifyAuthClientCredentials, ShopifyAuthStatic } from '../config/index.js';
import { createAttempter, type Attempter, type ClientLogger, type DeprecationCounts } from './attempt.js';
import { createTokenProvider, type FetchLike, type ShopifyTokenProvider } from './auth.js';
import type { Lane, ShopifyBudget } from './budget.js';
import { LANES } from './budget.js';
import { estimateCost } from './cost.js';
import { document as namedDocument, type DocumentName, type ShopifyDocument } from './documents.js';
import {
  ShopifyAuthError,
  ShopifyGraphQLError,
  ShopifyHttpError,
  ShopifyNetworkError,
  ShopifyTimeoutError,
  ShopifyUserErrors,
  type ShopifyError,
  type ShopifyUserError,
} from './errors.js';
import type { Operations } from './generated/operations.js';
import { IDEMPOTENCY_VARIABLE, missingIdempotentDirectives, withIdempotentDirective } from './idempotency.js';

export type { ClientLogger, DeprecationCounts } from './attempt.js';

export interface ShopifyClientOptions {
  shopDomain: string;
  apiVersion: string;
  /** Base URL replacing https://{shopDomain}, e.g. the simulator's http://127.0.0.1:4010. Empty = Shopify. */
  adminBaseUrl?: string;
  auth: ShopifyAuthStatic | ShopifyAuthClientCredentials | ShopifyTokenProvider;
  requestTimeoutMs: number;
  maxRetries: number;
  budget: ShopifyBudget;
  logger: ClientLogger;
  fetch?: FetchLike;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1). */
  random?: () => number;
  /** Backoff: wait = min(capMs, baseMs × 2^(retry−1)) × (0.5 + 0.5 × random()). */
  backoff?: { baseMs?: number; capMs?: number };
  userAgentPrefix?: string;
}

export interface RequestOptions {
  /** Priority lane in the shared budget. */
  lane: Lane;
  /** Required for mutations that need `@idempotent` (see ./idempotency.ts); reused on every retry. */
  idempotencyKey?: string;
  /**
   * Declares a mutation without an idempotency key safe to repeat after an unanswered attempt
   * (e.g. productSet or customerSet keyed by identifier). Queries and keyed mutations are.
   */
  retrySafe?: boolean;
  /** Overrides the cost estimate reserved before the first attempt. */
  estimatedCost?: number;
}

/** The variables of a named operation, without the idempotency key (passed in RequestOptions). */
export type OperationVariables<N extends DocumentName> = Omit<Operations[N]['variables'], typeof IDEMPOTENCY_VARIABLE>;
/** `data` of a named operation's answer. */
export type OperationResult<N extends DocumentName> = Operations[N]['result'];
/** Operations whose variables are all optional may be sent with `undefined`. */
type VariablesArgument<N extends DocumentName> =
  Record<string, never> extends OperationVariables<N> ? OperationVariables<N> | undefined : OperationVariables<N>;

export interface ShopifyClient {
  readonly shopDomain: string;
  readonly apiVersion: string;
  readonly budget: ShopifyBudget;
  /**
   * Sends the named operation of ./graphql; its variables and result are typed from its document,
   * so only the documents in ./graphql can be sent.
   */
  request<N extends DocumentName>(name: N, variables: VariablesArgument<N>, options: RequestOptions): Promise<OperationResult<N>>;
  /** `X-Shopify-API-Deprecated-Reason` headers seen, for metrics. */
  deprecations(): DeprecationCounts;
}

const DEFAULT_BASE_MS = 500;
const DEFAULT_CAP_MS = 30_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What the retry loop needs, with defaults applied. */
interface RetrySettings {
  budget: ShopifyBudget;
  logger: ClientLogger;
  tokens: ShopifyTokenProvider;
  maxRetries: number;
  sleep: (ms: number) => Promise<void>;
  backoffMs: (retry: number) => number;
}

/** A request ready to send: the text with the key variable when needed, and whether a blind retry is safe. */
interface PreparedRequest {
  doc: ShopifyDocument;
  source: string;
  variables: Record<string, unknown> | undefined;
  retrySafe: boolean;
  options: RequestOptions;
}

export function createShopifyClient(options: ShopifyClientOptions): ShopifyClient {
  const { shopDomain, apiVersion, budget, logger } = options;
  const adminBaseUrl = checkOptions(options);
  const fetchFn: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const baseMs = options.backoff?.baseMs ?? DEFAULT_BASE_MS;
  const capMs = options.backoff?.capMs ?? DEFAULT_CAP_MS;
  const { requestTimeoutMs } = options;
  const tokens = createTokenProvider(options.auth, { shopDomain, adminBaseUrl, fetch: fetchFn, clock, requestTimeoutMs });
  const attempter = createAttempter({
    shopDomain,
    apiVersion,
    adminBaseUrl,
    requestTimeoutMs,
    budget,
    logger,
    fetch: fetchFn,
    clock,
    tokens,
    userAgentPrefix: options.userAgentPrefix ?? 'shopify-odoo-sidecar',
  });
  const retry: RetrySettings = {
    budget,
    logger,
    tokens,
    maxRetries: options.maxRetries,
    sleep: options.sleep ?? defaultSleep,
    backoffMs: (n) => Math.round(Math.min(capMs, baseMs * 2 ** (n - 1)) * (0.5 + 0.5 * random())),
  };

  async function request<N extends DocumentName>(
    name: N,
    variables: VariablesArgument<N>,
    requestOptions: RequestOptions,
  ): Promise<OperationResult<N>> {
    const prepared = prepareRequest(namedDocument(name), variables, requestOptions);
    // The one place an answer gets its type: `data` has the shape its document selects, which is
    // what the type generated from that document and the pinned schema says (docs/architecture.md,
    // "Generated types").
    return (await sendWithRetries(prepared, attempter, retry)) as OperationResult<N>;
  }

  return Object.freeze({
    shopDomain,
    apiVersion,
    budget,
    request,
    deprecations: () => attempter.deprecations(),
  });
}

/** Throws a TypeError naming the first invalid option; returns adminBaseUrl without trailing slashes. */
function checkOptions(options: ShopifyClientOptions): string {
  const { shopDomain, apiVersion } = options;
  if (typeof shopDomain !== 'string' || !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shopDomain)) {
    throw new TypeError(`createShopifyClient: shopDomain must look like "store.myshopify.com" (got ${JSON.stringify(shopDomain)})`);
  }
  if (typeof apiVersion !== 'string' || !/^(\d{4}-\d{2}|unstable)$/.test(apiVersion)) {
    throw new TypeError(`createShopifyClient: apiVersion must be YYYY-MM or "unstable" (got ${JSON.stringify(apiVersion)})`);
  }
  if (!Number.isInteger(options.maxRetries) || options.maxRetries < 0)
    throw new TypeError('createShopifyClient: maxRetries must be an integer >= 0');
  if (!(options.requestTimeoutMs > 0)) throw new TypeError('createShopifyClient: requestTimeoutMs must be > 0');
  if (typeof options.budget?.reserve !== 'function') throw new TypeError('createShopifyClient: budget is required');
  if (!options.logger) throw new TypeError('createShopifyClient: logger is required');
  const adminBaseUrl = (options.adminBaseUrl ?? '').replace(/\/+$/, '');
  if (adminBaseUrl && !/^https?:\/\/[^/]+/.test(adminBaseUrl))
    throw new TypeError('createShopifyClient: adminBaseUrl must be an http(s) URL');
  return adminBaseUrl;
}

/** Checks the lane and the idempotency key, and binds the key into the text and variables. */
function prepareRequest(
  doc: ShopifyDocument,
  variables: Record<string, unknown> | undefined,
  options: RequestOptions | undefined,
): PreparedRequest {
  const { lane, idempotencyKey } = options ?? ({} as Partial<RequestOptions>);
  if (lane === undefined || !LANES.includes(lane)) throw new TypeError(`shopify request: options.lane must be one of ${LANES.join(', ')}`);
  const operation = doc.name;
  let source = doc.source;
  if (doc.idempotentFields.length > 0) {
    if (typeof idempotencyKey !== 'string' || idempotencyKey === '') {
      throw new ShopifyGraphQLError(
        `Shopify ${operation}: ${doc.idempotentFields.join(', ')} requires an idempotency key since API 2026-04`,
        [{ message: 'idempotency key missing', extensions: { code: 'IDEMPOTENCY_KEY_MISSING' } }],
        { operation },
      );
    }
    if (missingIdempotentDirectives(doc.ast).length > 0) source = withIdempotentDirective(source);
  }
  if (idempotencyKey !== undefined && !source.includes(`$${IDEMPOTENCY_VARIABLE}`)) {
    // A key on a mutation without @idempotent protects nothing (fulfillmentCreate, productSet…):
    // say so instead of letting the caller believe a retry is deduplicated.
    throw new TypeError(
      `shopify request: ${operation} does not use @idempotent; resolve timeouts by reading back instead of passing idempotencyKey`,
    );
  }
  const sent = idempotencyKey ? { ...variables, [IDEMPOTENCY_VARIABLE]: idempotencyKey } : variables;
  const retrySafe = options?.retrySafe ?? (doc.operation === 'query' || idempotencyKey !== undefined);
  return { doc, source, variables: sent, retrySafe, options: options! };
}

/** The retry loop around single attempts: budget reservation, one token refresh, backoff. */
async function sendWithRetries(request: PreparedRequest, attempter: Attempter, settings: RetrySettings): Promise<unknown> {
  const { doc, source, variables, options } = request;
  const operation = doc.name;
  let attempt = 0;
  let authRefreshed = false;
  for (;;) {
    attempt += 1;
    const estimate = options.estimatedCost ?? attempter.lastRequestedCost(source) ?? estimateCost(doc.ast, variables ?? {});
    const reservation = await settings.budget.reserve(options.lane, estimate);
    const outcome = await attempter.attempt(source, operation, variables, reservation);
    if (outcome.kind === 'data') {
      if (doc.operation === 'mutation') throwOnUserErrors(outcome.data, operation, outcome.requestId, attempt);
      return outcome.data;
    }
    if (outcome.kind === 'unauthorized') {
      if (settings.tokens.refreshable && !authRefreshed) {
        authRefreshed = true;
        settings.tokens.invalidate(outcome.token);
        attempt -= 1; // one refresh is not a retry
        settings.logger.info('shopify: token rejected, refreshing once', { operation, status: 401, requestId: outcome.requestId });
        continue;
      }
      throw new ShopifyAuthError(`Shopify rejected the access token for ${operation} (HTTP 401)`, {
        operation,
        status: 401,
        requestId: outcome.requestId,
        attempts: attempt,
      });
    }
    const error = outcome.error;
    const retryable = error.retryable && (outcome.notExecuted || request.retrySafe);
    if (!retryable || attempt > settings.maxRetries || outcome.waitMs === Infinity) {
      throw withAttempts(error, attempt, doc.operation === 'mutation' && isAmbiguous(error));
    }
    const waitMs = outcome.waitMs ?? settings.backoffMs(attempt);
    settings.logger.warn('shopify: retrying', {
      operation,
      lane: options.lane,
      attempt,
      reason: error.name,
      status: error.status,
      requestId: error.requestId,
      waitMs,
    });
    if (waitMs > 0) await settings.sleep(waitMs);
  }
}

function withAttempts(error: ShopifyError, attempts: number, mayHaveExecuted: boolean): ShopifyError {
  Object.defineProperty(error, 'attempts', { value: attempts, enumerable: true });
  if (mayHaveExecuted) Object.defineProperty(error, 'mayHaveExecuted', { value: true, enumerable: true });
  return error;
}

/** No answer, or a server error: Shopify may or may not have executed the request. */
function isAmbiguous(error: ShopifyError): boolean {
  return (
    error instanceof ShopifyTimeoutError ||
    error instanceof ShopifyNetworkError ||
    (error instanceof ShopifyHttpError && (error.status ?? 0) >= 500)
  );
}

/** Throws ShopifyUserErrors when a mutation payload carries non-empty `userErrors` (or `…UserErrors`). */
function throwOnUserErrors(data: Record<string, unknown>, operation: string, requestId: string | undefined, attempts: number): void {
  for (const [mutation, payload] of Object.entries(data)) {
    if (!payload || typeof payload !== 'object') continue;
    const collected: ShopifyUserError[] = [];
    for (const [key, value] of Object.entries(payload as Record<string, unknown>)) {
      if (!/^(userErrors|[a-z]+UserErrors)$/.test(key) || !Array.isArray(value)) continue;
      for (const raw of value as unknown[]) {
        const entry = toUserError(raw);
        if (!collected.some((c) => c.message === entry.message && c.code === entry.code && String(c.field) === String(entry.field))) {
          collected.push(entry);
        }
      }
    }
    if (collected.length > 0) throw new ShopifyUserErrors(mutation, collected, { operation, requestId, status: 200, attempts });
  }
}

function toUserError(raw: unknown): ShopifyUserError {
  const entry = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const field = Array.isArray(entry.field) ? entry.field.map(String) : null;
  const code = typeof entry.code === 'string' ? entry.code : null;
  const message = typeof entry.message === 'string' ? entry.message : entry.message == null ? '' : JSON.stringify(entry.message);
  return { field, message, code };
}
