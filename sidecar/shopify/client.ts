/**
 * The sidecar's Shopify Admin GraphQL client, built on @shopify/admin-api-client.
 *
 * `request(document, variables, {lane, idempotencyKey})` returns `data` or throws one of the
 * errors in ./errors.ts. Around each attempt it:
 *  - reserves the estimated cost in the shared per-shop budget (./budget.ts), waiting when the
 *    lane may not spend it yet, and settles the budget from `extensions.cost` afterwards;
 *  - sends through the library's `fetch` with `retries: 0` (its retry reads Retry-After as
 *    milliseconds and ignores THROTTLED in 200s, research/shopify.md 6) and an injected
 *    `customFetchApi` that adds the current token, rewrites the URL to `adminBaseUrl` (the
 *    simulator) and is aborted after `requestTimeoutMs`;
 *  - retries THROTTLED (after the budget's exact wait), 429 (after Retry-After), 5xx, network
 *    errors and timeouts with exponential backoff, jitter and a cap, up to `maxRetries`. An
 *    answer-less failure of a mutation that is neither keyed (`@idempotent`) nor declared
 *    `retrySafe` is NOT retried: it may have executed, and the flow reads back first
 *    (BRIEF decision 5); the error says so with `mayHaveExecuted`;
 *  - on 401 with a refreshable token (client credentials), refreshes once and retries;
 *  - turns mutation `userErrors` into ShopifyUserErrors;
 *  - counts `X-Shopify-API-Deprecated-Reason` headers and logs each distinct reason once.
 * Never logs tokens or variables.
 */
import { createAdminApiClient } from '@shopify/admin-api-client';
import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import type { ShopifyAuthClientCredentials, ShopifyAuthStatic } from '../config/index.js';
import { createTokenProvider, type FetchLike, type ShopifyTokenProvider } from './auth.js';
import type { Lane, QueryCost, Reservation, ShopifyBudget } from './budget.js';
import { LANES } from './budget.js';
import { document as namedDocument, toShopifyDocument, type DocumentName, type ShopifyDocument } from './documents.js';
import {
  ShopifyAuthError,
  ShopifyError,
  ShopifyGraphQLError,
  ShopifyHttpError,
  ShopifyNetworkError,
  ShopifyThrottledError,
  ShopifyTimeoutError,
  ShopifyUserErrors,
  type GraphQLErrorEntry,
  type ShopifyUserError,
} from './errors.js';
import { IDEMPOTENCY_VARIABLE, missingIdempotentDirectives, withIdempotentDirective } from './idempotency.js';

/** The logging surface the client needs (winston's Logger fits). */
export interface ClientLogger {
  debug(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

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

export interface DeprecationCounts {
  total: number;
  byReason: Record<string, number>;
}

export interface ShopifyClient {
  readonly shopDomain: string;
  readonly apiVersion: string;
  readonly budget: ShopifyBudget;
  request<T = Record<string, unknown>>(
    document: ShopifyDocument | DocumentName | string,
    variables: Record<string, unknown> | undefined,
    options: RequestOptions,
  ): Promise<T>;
  /** `X-Shopify-API-Deprecated-Reason` headers seen, for metrics. */
  deprecations(): DeprecationCounts;
}

const DEFAULT_BASE_MS = 500;
const DEFAULT_CAP_MS = 30_000;
/** Shopify rejects any single query above 1000 points (research/shopify.md 1.1). */
const MAX_QUERY_COST = 1000;
/** A Retry-After beyond this is not waited in-process; the job is retried by the queue instead. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface AttemptContext {
  token: string;
}

export function createShopifyClient(options: ShopifyClientOptions): ShopifyClient {
  const { shopDomain, apiVersion, budget, logger } = options;
  if (typeof shopDomain !== 'string' || !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shopDomain)) {
    throw new TypeError(`createShopifyClient: shopDomain must look like "store.myshopify.com" (got ${JSON.stringify(shopDomain)})`);
  }
  if (typeof apiVersion !== 'string' || !/^(\d{4}-\d{2}|unstable)$/.test(apiVersion)) {
    throw new TypeError(`createShopifyClient: apiVersion must be YYYY-MM or "unstable" (got ${JSON.stringify(apiVersion)})`);
  }
  if (!Number.isInteger(options.maxRetries) || options.maxRetries < 0)
    throw new TypeError('createShopifyClient: maxRetries must be an integer >= 0');
  if (!(options.requestTimeoutMs > 0)) throw new TypeError('createShopifyClient: requestTimeoutMs must be > 0');
  if (!budget || typeof budget.reserve !== 'function') throw new TypeError('createShopifyClient: budget is required');
  if (!logger) throw new TypeError('createShopifyClient: logger is required');
  const adminBaseUrl = (options.adminBaseUrl ?? '').replace(/\/+$/, '');
  if (adminBaseUrl && !/^https?:\/\/[^/]+/.test(adminBaseUrl))
    throw new TypeError('createShopifyClient: adminBaseUrl must be an http(s) URL');

  const fetchFn: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const baseMs = options.backoff?.baseMs ?? DEFAULT_BASE_MS;
  const capMs = options.backoff?.capMs ?? DEFAULT_CAP_MS;
  const { maxRetries, requestTimeoutMs } = options;
  const tokens = createTokenProvider(options.auth, { shopDomain, adminBaseUrl, fetch: fetchFn, clock, requestTimeoutMs });

  const contexts = new WeakMap<AbortSignal, AttemptContext>();
  const deprecationCounts = new Map<string, number>();
  let deprecationTotal = 0;
  let fellForwardLogged = false;
  /** requestedQueryCost of the previous call of each document: the next call's estimate. */
  const lastRequestedCost = new Map<string, number>();
  const parsedStrings = new Map<string, ShopifyDocument>();

  const adminClient = createAdminApiClient({
    storeDomain: shopDomain,
    apiVersion,
    // The real token is set per attempt in customFetchApi: the library lets configured headers win
    // over per-request ones, and client-credentials tokens change every ~24 h.
    accessToken: 'set-per-request',
    retries: 0,
    userAgentPrefix: options.userAgentPrefix ?? 'shopify-odoo-sidecar',
    // The library warns about versions from its own clock-based list; versions.ts checks
    // publicApiVersions instead, so its notices are dropped.
    logger: () => {},
    customFetchApi: async (url: string, init?: RequestInit) => {
      const signal = init?.signal ?? undefined;
      const context = signal ? contexts.get(signal) : undefined;
      if (!context) throw new Error('shopify client: request without attempt context');
      const headers = { ...(init?.headers as Record<string, string>), 'X-Shopify-Access-Token': context.token };
      return fetchFn(rewriteUrl(url), { ...init, headers });
    },
  });

  function rewriteUrl(url: string): string {
    if (!adminBaseUrl) return url;
    const parsed = new URL(url);
    return `${adminBaseUrl}${parsed.pathname}${parsed.search}`;
  }

  function resolve(doc: ShopifyDocument | DocumentName | string): ShopifyDocument {
    if (typeof doc !== 'string') return doc;
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(doc)) return namedDocument(doc as DocumentName);
    let parsed = parsedStrings.get(doc);
    if (!parsed) {
      parsed = toShopifyDocument(doc);
      parsedStrings.set(doc, parsed);
    }
    return parsed;
  }

  function backoffMs(retry: number): number {
    const ceiling = Math.min(capMs, baseMs * 2 ** (retry - 1));
    return Math.round(ceiling * (0.5 + 0.5 * random()));
  }

  function countDeprecation(reason: string, operation: string): void {
    deprecationTotal += 1;
    const seen = deprecationCounts.get(reason) ?? 0;
    deprecationCounts.set(reason, seen + 1);
    if (seen === 0) logger.warn('shopify: deprecated API use', { operation, apiVersion, deprecationReason: reason });
  }

  async function request<T>(
    input: ShopifyDocument | DocumentName | string,
    variables: Record<string, unknown> | undefined,
    requestOptions: RequestOptions,
  ): Promise<T> {
    const { lane, idempotencyKey } = requestOptions ?? ({} as RequestOptions);
    if (!LANES.includes(lane)) throw new TypeError(`shopify request: options.lane must be one of ${LANES.join(', ')}`);
    const doc = resolve(input);
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
    const sentVariables = idempotencyKey ? { ...variables, [IDEMPOTENCY_VARIABLE]: idempotencyKey } : variables;
    const retrySafe = requestOptions.retrySafe ?? (doc.operation === 'query' || idempotencyKey !== undefined);

    let attempt = 0;
    let authRefreshed = false;
    for (;;) {
      attempt += 1;
      const retriesLeft = attempt <= maxRetries;
      const estimate = requestOptions.estimatedCost ?? lastRequestedCost.get(source) ?? estimateCost(doc.ast, sentVariables ?? {});
      const reservation = await budget.reserve(lane, estimate);
      const outcome = await attemptOnce(source, operation, sentVariables, reservation);

      if (outcome.kind === 'data') {
        if (doc.operation === 'mutation') throwOnUserErrors(outcome.data, operation, outcome.requestId, attempt);
        return outcome.data as T;
      }
      if (outcome.kind === 'unauthorized') {
        if (tokens.refreshable && !authRefreshed) {
          authRefreshed = true;
          tokens.invalidate(outcome.token);
          attempt -= 1; // one refresh is not a retry
          logger.info('shopify: token rejected, refreshing once', { operation, status: 401, requestId: outcome.requestId });
          continue;
        }
        throw new ShopifyAuthError(`Shopify rejected the access token for ${operation} (HTTP 401)`, {
          operation,
          status: 401,
          requestId: outcome.requestId,
          attempts: attempt,
        });
      }
      // Everything else is a failure; decide whether to retry and how long to wait.
      const error = outcome.error;
      const retryable = error.retryable && (outcome.notExecuted || retrySafe);
      if (!retryable || !retriesLeft || outcome.waitMs === Infinity) {
        throw withAttempts(error, attempt, doc.operation === 'mutation' && isAmbiguous(error));
      }
      const waitMs = outcome.waitMs ?? backoffMs(attempt);
      logger.warn('shopify: retrying', {
        operation,
        lane,
        attempt,
        reason: error.name,
        status: error.status,
        requestId: error.requestId,
        waitMs,
      });
      if (waitMs > 0) await sleep(waitMs);
    }
  }

  type AttemptOutcome =
    | { kind: 'data'; data: Record<string, unknown>; requestId: string | undefined }
    | { kind: 'unauthorized'; token: string; requestId: string | undefined }
    | {
        kind: 'failure';
        error: ShopifyError;
        /** True when Shopify certainly did not execute the request (throttled, 429). */
        notExecuted: boolean;
        /** Exact wait before the next attempt; undefined = exponential backoff; 0 = the budget waits. */
        waitMs?: number;
      };

  async function attemptOnce(
    source: string,
    operation: string,
    variables: Record<string, unknown> | undefined,
    reservation: Reservation,
  ): Promise<AttemptOutcome> {
    let token: string;
    try {
      token = await tokens.token();
    } catch (error) {
      await budget.settle(reservation, { kind: 'not-charged' });
      throw error;
    }
    const controller = new AbortController();
    contexts.set(controller.signal, { token });
    const timer = setTimeout(() => controller.abort(), requestTimeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await adminClient.fetch(source, { variables, signal: controller.signal });
      text = await response.text();
    } catch (cause) {
      await budget.settle(reservation, { kind: 'unknown' });
      const error = controller.signal.aborted
        ? new ShopifyTimeoutError(`Shopify ${operation} timed out after ${requestTimeoutMs} ms`, { operation, cause })
        : new ShopifyNetworkError(`Shopify ${operation} failed: ${describeCause(cause)}`, { operation, cause });
      return { kind: 'failure', error, notExecuted: false };
    } finally {
      clearTimeout(timer);
    }

    const status = response.status;
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const deprecated = response.headers.get('x-shopify-api-deprecated-reason');
    if (deprecated) countDeprecation(deprecated, operation);
    const servedVersion = response.headers.get('x-shopify-api-version');
    if (servedVersion && servedVersion !== apiVersion && !fellForwardLogged) {
      fellForwardLogged = true;
      logger.warn('shopify: served by another API version than configured (fell forward)', { apiVersion, servedVersion });
    }

    if (status === 401) {
      await budget.settle(reservation, { kind: 'not-charged' });
      return { kind: 'unauthorized', token, requestId };
    }
    if (status === 429) {
      await budget.settle(reservation, { kind: 'not-charged' });
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), clock());
      const error = new ShopifyThrottledError(`Shopify ${operation} throttled (HTTP 429)`, { operation, status, requestId, retryAfter });
      if (retryAfter !== undefined && retryAfter * 1000 > MAX_RETRY_AFTER_MS)
        return { kind: 'failure', error, notExecuted: true, waitMs: Infinity };
      return { kind: 'failure', error, notExecuted: true, ...(retryAfter !== undefined ? { waitMs: Math.ceil(retryAfter * 1000) } : {}) };
    }
    if (status === 403) {
      await budget.settle(reservation, { kind: 'not-charged' });
      throw new ShopifyAuthError(`Shopify refused ${operation} (HTTP 403: missing access scope or app not installed)`, {
        operation,
        status,
        requestId,
      });
    }
    if (status < 200 || status >= 300) {
      await budget.settle(reservation, status >= 500 ? { kind: 'unknown' } : { kind: 'not-charged' });
      const error = new ShopifyHttpError(`Shopify ${operation} failed with HTTP ${status}`, { operation, status, requestId });
      return { kind: 'failure', error, notExecuted: false };
    }

    let body: { data?: Record<string, unknown> | null; errors?: GraphQLErrorEntry[]; extensions?: { cost?: QueryCost } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch (cause) {
      await budget.settle(reservation, { kind: 'unknown' });
      const error = new ShopifyHttpError(`Shopify ${operation} answered HTTP ${status} with a body that is not JSON`, {
        operation,
        status: 502,
        requestId,
        cause,
      });
      return { kind: 'failure', error, notExecuted: false };
    }
    const cost = body.extensions?.cost;
    if (cost && typeof cost.requestedQueryCost === 'number')
      lastRequestedCost.set(source, Math.min(cost.requestedQueryCost, MAX_QUERY_COST));
    const errors = Array.isArray(body.errors) ? body.errors : [];
    const throttled = errors.some((e) => e?.extensions?.code === 'THROTTLED');
    await budget.settle(reservation, { kind: 'answered', cost, throttled });
    if (throttled) {
      const error = new ShopifyThrottledError(`Shopify ${operation} throttled (THROTTLED)`, { operation, status, requestId });
      // With a throttleStatus the budget now knows the exact level and the next reserve waits
      // exactly as long as the restore rate needs; without one, back off.
      return { kind: 'failure', error, notExecuted: true, ...(cost?.throttleStatus ? { waitMs: 0 } : {}) };
    }
    if (errors.length > 0 || !body.data) {
      const messages =
        errors
          .map((e) => e?.message)
          .filter(Boolean)
          .join('; ') || 'no data in the answer';
      const error = new ShopifyGraphQLError(`Shopify ${operation} failed: ${messages}`, errors, { operation, status, requestId });
      return { kind: 'failure', error, notExecuted: false };
    }
    return { kind: 'data', data: body.data, requestId };
  }

  return Object.freeze({
    shopDomain,
    apiVersion,
    budget,
    request,
    deprecations: (): DeprecationCounts => ({ total: deprecationTotal, byReason: Object.fromEntries(deprecationCounts) }),
  });
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

function describeCause(cause: unknown): string {
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : undefined;
  const outer = cause instanceof Error ? cause.message : String(cause);
  return inner ? `${outer} (${inner})` : outer;
}

/** Retry-After in seconds: a number of seconds (possibly decimal) or an HTTP date. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - now) / 1000);
}

/** Throws ShopifyUserErrors when a mutation payload carries non-empty `userErrors` (or `…UserErrors`). */
function throwOnUserErrors(data: Record<string, unknown>, operation: string, requestId: string | undefined, attempts: number): void {
  for (const [mutation, payload] of Object.entries(data)) {
    if (!payload || typeof payload !== 'object') continue;
    const collected: ShopifyUserError[] = [];
    for (const [key, value] of Object.entries(payload as Record<string, unknown>)) {
      if (!/^(userErrors|[a-z]+UserErrors)$/.test(key) || !Array.isArray(value)) continue;
      for (const raw of value as Array<Record<string, unknown>>) {
        const field = Array.isArray(raw.field) ? raw.field.map(String) : null;
        const code = typeof raw.code === 'string' ? raw.code : null;
        const entry = { field, message: String(raw.message ?? ''), code };
        if (!collected.some((c) => c.message === entry.message && c.code === entry.code && String(c.field) === String(entry.field))) {
          collected.push(entry);
        }
      }
    }
    if (collected.length > 0) throw new ShopifyUserErrors(mutation, collected, { operation, requestId, status: 200, attempts });
  }
}

/**
 * A static estimate of Shopify's requested cost, used before the first answer for a document
 * (afterwards, the previous requestedQueryCost is used). Follows Shopify's documented defaults
 * (research/shopify.md 1.1): objects 1, scalars and enums 0, connections 2 + first × child cost,
 * mutations 10. Capped at 1000, the most a single query may cost.
 */
export function estimateCost(ast: DocumentNode, variables: Record<string, unknown>): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of ast.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const sizeOf = (value: ValueNode | undefined): number | undefined => {
    if (!value) return undefined;
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.VARIABLE) {
      const v = variables[value.name.value];
      return typeof v === 'number' ? v : undefined;
    }
    return undefined;
  };
  const costOf = (set: SelectionSetNode | undefined, depth: number): number => {
    if (!set || depth > 20) return 0;
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (!sel.selectionSet) continue;
        const size = sizeOf(sel.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last')?.value);
        const children = costOf(sel.selectionSet, depth + 1);
        total += size === undefined ? 1 + children : 2 + size * children;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        total += costOf(sel.selectionSet, depth + 1);
      } else {
        total += costOf(fragments.get(sel.name.value)?.selectionSet, depth + 1);
      }
      if (total >= MAX_QUERY_COST) return MAX_QUERY_COST;
    }
    return total;
  };
  let cost = 0;
  for (const def of ast.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    if (def.operation === 'mutation') {
      for (const sel of def.selectionSet.selections) {
        cost += 10 + (sel.kind === Kind.FIELD ? costOf(sel.selectionSet, 1) : 0);
      }
    } else {
      cost += costOf(def.selectionSet, 0);
    }
  }
  return Math.max(1, Math.min(MAX_QUERY_COST, cost));
}
