/**
 * One attempt of a Shopify Admin GraphQL request, for the client's retry loop (./client.ts):
 * takes the current token, sends through @shopify/admin-api-client with a timeout, settles the
 * reserved budget from the answer, and classifies the answer as data, a rejected token, or a
 * failure (with whether Shopify certainly did not execute it and how long to wait). It also
 * counts `X-Shopify-API-Deprecated-Reason` headers and remembers each document's
 * `requestedQueryCost` as the next call's estimate. Never logs tokens or variables.
 */
import { createAdminApiClient } from '@shopify/admin-api-client';
import type { FetchLike, ShopifyTokenProvider } from './auth.js';
import type { QueryCost, Reservation, ShopifyBudget } from './budget.js';
import { MAX_QUERY_COST } from './cost.js';
import {
  ShopifyAuthError,
  ShopifyError,
  ShopifyGraphQLError,
  ShopifyHttpError,
  ShopifyNetworkError,
  ShopifyThrottledError,
  ShopifyTimeoutError,
  type GraphQLErrorEntry,
} from './errors.js';

/** The logging surface the client needs (winston's Logger fits). */
export interface ClientLogger {
  debug(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

export interface DeprecationCounts {
  total: number;
  byReason: Record<string, number>;
}

export interface AttemptSettings {
  shopDomain: string;
  apiVersion: string;
  /** Base URL replacing https://{shopDomain} (the simulator); '' = Shopify. */
  adminBaseUrl: string;
  requestTimeoutMs: number;
  budget: ShopifyBudget;
  logger: ClientLogger;
  fetch: FetchLike;
  clock: () => number;
  tokens: ShopifyTokenProvider;
  userAgentPrefix: string;
}

export type AttemptOutcome =
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

export interface Attempter {
  attempt(
    source: string,
    operation: string,
    variables: Record<string, unknown> | undefined,
    reservation: Reservation,
  ): Promise<AttemptOutcome>;
  /** The `requestedQueryCost` Shopify reported for `source` last time (capped), if any. */
  lastRequestedCost(source: string): number | undefined;
  deprecations(): DeprecationCounts;
}

/** A Retry-After beyond this is not waited in-process; the job is retried by the queue instead. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: GraphQLErrorEntry[];
  extensions?: { cost?: QueryCost };
}

/** What one attempt works with: the settings, the transport, the header watch and the cost memory. */
interface AttemptContext {
  settings: AttemptSettings;
  send: Send;
  headers: HeaderWatch;
  requestedCosts: Map<string, number>;
}

export function createAttempter(settings: AttemptSettings): Attempter {
  const context: AttemptContext = {
    settings,
    send: createAdminTransport(settings),
    headers: createHeaderWatch(settings.logger, settings.apiVersion),
    requestedCosts: new Map(),
  };
  return {
    attempt: (source, operation, variables, reservation) => attemptOnce(context, source, operation, variables, reservation),
    lastRequestedCost: (source) => context.requestedCosts.get(source),
    deprecations: () => context.headers.counts(),
  };
}

async function attemptOnce(
  context: AttemptContext,
  source: string,
  operation: string,
  variables: Record<string, unknown> | undefined,
  reservation: Reservation,
): Promise<AttemptOutcome> {
  const { budget, tokens } = context.settings;
  let token: string;
  try {
    token = await tokens.token();
  } catch (error) {
    await budget.settle(reservation, { kind: 'not-charged' });
    throw error;
  }
  const sent = await sendWithTimeout(context, source, operation, variables, token);
  if ('error' in sent) {
    await budget.settle(reservation, { kind: 'unknown' });
    return { kind: 'failure', error: sent.error, notExecuted: false };
  }
  const { response, text } = sent;
  const requestId = response.headers.get('x-request-id') ?? undefined;
  context.headers.observe(response.headers, operation);
  if (response.status === 401) {
    await budget.settle(reservation, { kind: 'not-charged' });
    return { kind: 'unauthorized', token, requestId };
  }
  const answer = { status: response.status, headers: response.headers, operation, requestId, reservation };
  return (await refusedByStatus(context.settings, answer)) ?? readBody(context, answer, text, source);
}

async function sendWithTimeout(
  context: AttemptContext,
  source: string,
  operation: string,
  variables: Record<string, unknown> | undefined,
  token: string,
): Promise<{ response: Response; text: string } | { error: ShopifyError }> {
  const { requestTimeoutMs } = context.settings;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), requestTimeoutMs);
  try {
    const response = await context.send(source, variables, token, controller.signal);
    return { response, text: await response.text() };
  } catch (cause) {
    const error = controller.signal.aborted
      ? new ShopifyTimeoutError(`Shopify ${operation} timed out after ${requestTimeoutMs} ms`, { operation, cause })
      : new ShopifyNetworkError(`Shopify ${operation} failed: ${describeCause(cause)}`, { operation, cause });
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

/** An HTTP answer of one attempt, before its body is read. */
interface Answer {
  status: number;
  headers: Headers;
  operation: string;
  requestId: string | undefined;
  reservation: Reservation;
}

/** 429, 403 and other non-2xx answers (401 is handled by the caller); undefined for a 2xx. */
async function refusedByStatus(settings: AttemptSettings, answer: Answer): Promise<AttemptOutcome | undefined> {
  const { status, operation, requestId, reservation } = answer;
  const { budget } = settings;
  if (status === 429) {
    await budget.settle(reservation, { kind: 'not-charged' });
    const retryAfter = parseRetryAfter(answer.headers.get('retry-after'), settings.clock());
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
  return undefined;
}

/** A 2xx answer: data, THROTTLED, or GraphQL errors; settles the budget from extensions.cost. */
async function readBody(context: AttemptContext, answer: Answer, text: string, source: string): Promise<AttemptOutcome> {
  const { status, operation, requestId, reservation } = answer;
  const { budget } = context.settings;
  let body: GraphQLBody;
  try {
    body = JSON.parse(text) as GraphQLBody;
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
    context.requestedCosts.set(source, Math.min(cost.requestedQueryCost, MAX_QUERY_COST));
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

type Send = (source: string, variables: Record<string, unknown> | undefined, token: string, signal: AbortSignal) => Promise<Response>;

/**
 * Sends through the library's `fetch` with `retries: 0` (its own retry reads Retry-After as
 * milliseconds and ignores THROTTLED in 200 answers, so the client retries instead) and an
 * injected `customFetchApi` that adds the attempt's token and rewrites the URL to `adminBaseUrl`.
 */
function createAdminTransport(settings: AttemptSettings): Send {
  const tokensBySignal = new WeakMap<AbortSignal, string>();
  const rewriteUrl = (url: string): string => {
    if (!settings.adminBaseUrl) return url;
    const parsed = new URL(url);
    return `${settings.adminBaseUrl}${parsed.pathname}${parsed.search}`;
  };
  const adminClient = createAdminApiClient({
    storeDomain: settings.shopDomain,
    apiVersion: settings.apiVersion,
    // The real token is set per attempt in customFetchApi: the library lets configured headers win
    // over per-request ones, and client-credentials tokens change every ~24 h.
    accessToken: 'set-per-request',
    retries: 0,
    userAgentPrefix: settings.userAgentPrefix,
    // The library warns about versions from its own clock-based list; versions.ts checks
    // publicApiVersions instead, so its notices are dropped.
    logger: () => {},
    customFetchApi: async (url: string, init?: RequestInit) => {
      const token = init?.signal ? tokensBySignal.get(init.signal) : undefined;
      if (token === undefined) throw new Error('shopify client: request without attempt context');
      const headers = { ...(init?.headers as Record<string, string>), 'X-Shopify-Access-Token': token };
      return settings.fetch(rewriteUrl(url), { ...init, headers });
    },
  });
  return (source, variables, token, signal) => {
    tokensBySignal.set(signal, token);
    return adminClient.fetch(source, { variables, signal });
  };
}

interface HeaderWatch {
  observe(headers: Headers, operation: string): void;
  counts(): DeprecationCounts;
}

/** Counts deprecation headers (each distinct reason logged once) and logs a fell-forward version once. */
function createHeaderWatch(logger: ClientLogger, apiVersion: string): HeaderWatch {
  const byReason = new Map<string, number>();
  let total = 0;
  let fellForwardLogged = false;
  return {
    observe(headers: Headers, operation: string): void {
      const reason = headers.get('x-shopify-api-deprecated-reason');
      if (reason) {
        total += 1;
        const seen = byReason.get(reason) ?? 0;
        byReason.set(reason, seen + 1);
        if (seen === 0) logger.warn('shopify: deprecated API use', { operation, apiVersion, deprecationReason: reason });
      }
      const servedVersion = headers.get('x-shopify-api-version');
      if (servedVersion && servedVersion !== apiVersion && !fellForwardLogged) {
        fellForwardLogged = true;
        logger.warn('shopify: served by another API version than configured (fell forward)', { apiVersion, servedVersion });
      }
    },
    counts: (): DeprecationCounts => ({ total, byReason: Object.fromEntries(byReason) }),
  };
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
