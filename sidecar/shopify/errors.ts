/**
 * The Shopify client's error hierarchy (shopify-app-js style: a small set of classes carrying
 * the response details). Every error says whether retrying can help (`retryable`) or not
 * (`permanent`), so the queue layer can map them to its own RetryableError / PermanentError
 * without importing this module's internals (no import cycles). Pure: no I/O.
 *
 * Messages never contain tokens or variables (which may hold personal data): only operation
 * names, statuses, codes and Shopify's own messages.
 */

export interface ShopifyErrorDetails {
  /** GraphQL operation name, e.g. "InventorySetQuantities". */
  operation?: string;
  /** HTTP status of the last response, when there was one. */
  status?: number;
  /** Shopify's `X-Request-Id`, to quote to Shopify support. */
  requestId?: string;
  /** Seconds Shopify asked us to wait (`Retry-After`). */
  retryAfter?: number;
  /** Attempts made, including the first. */
  attempts?: number;
  /**
   * True when the request may have been executed although no answer arrived (timeout, network
   * error or 5xx on a mutation without an idempotency key): resolve it by reading back before
   * retrying (docs/architecture.md, decision 5).
   */
  mayHaveExecuted?: boolean;
  cause?: unknown;
}

export abstract class ShopifyError extends Error {
  abstract readonly retryable: boolean;
  readonly operation: string | undefined;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly retryAfter: number | undefined;
  readonly attempts: number | undefined;
  readonly mayHaveExecuted: boolean;

  constructor(message: string, details: ShopifyErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.operation = details.operation;
    this.status = details.status;
    this.requestId = details.requestId;
    this.retryAfter = details.retryAfter;
    this.attempts = details.attempts;
    this.mayHaveExecuted = details.mayHaveExecuted ?? false;
  }

  get permanent(): boolean {
    return !this.retryable;
  }
}

export interface ShopifyUserError {
  /** Path to the input field, e.g. ["input", "quantities", "0", "changeFromQuantity"]; null when general. */
  field: string[] | null;
  message: string;
  code?: string | null;
}

/**
 * userErrors codes that a later attempt can clear by itself: a concurrent request with the same
 * idempotency key, and a compare-and-swap conflict that the flow resolves by re-reading.
 * Every other userError is permanent (straight to the DLQ).
 */
export const RETRYABLE_USER_ERROR_CODES: ReadonlySet<string> = new Set(['IDEMPOTENCY_CONCURRENT_REQUEST', 'CHANGE_FROM_QUANTITY_STALE']);

/** A mutation answered with `userErrors`: Shopify refused the input. */
export class ShopifyUserErrors extends ShopifyError {
  readonly userErrors: readonly ShopifyUserError[];
  /** The mutation field that returned them, e.g. "inventorySetQuantities". */
  readonly mutation: string;
  readonly retryable: boolean;

  constructor(mutation: string, userErrors: readonly ShopifyUserError[], details: ShopifyErrorDetails = {}) {
    const summary = userErrors
      .map((e) => `${e.field && e.field.length > 0 ? `${e.field.join('.')}: ` : ''}${e.message}${e.code ? ` (${e.code})` : ''}`)
      .join('; ');
    super(`Shopify ${mutation} rejected the input: ${summary}`, details);
    this.mutation = mutation;
    this.userErrors = Object.freeze(userErrors.map((e) => Object.freeze({ ...e })));
    this.retryable = userErrors.length > 0 && userErrors.every((e) => e.code != null && RETRYABLE_USER_ERROR_CODES.has(e.code));
  }

  /** The codes present, e.g. ["CHANGE_FROM_QUANTITY_STALE"]. */
  get codes(): string[] {
    return this.userErrors.map((e) => e.code).filter((c): c is string => typeof c === 'string');
  }
}

/** Cost budget exhausted on Shopify's side (200 + THROTTLED, or 429) after every retry. */
export class ShopifyThrottledError extends ShopifyError {
  readonly retryable = true;
}

/** A non-2xx answer that is not throttling or authentication. */
export class ShopifyHttpError extends ShopifyError {
  readonly retryable: boolean;
  constructor(message: string, details: ShopifyErrorDetails & { status: number }) {
    super(message, details);
    // 5xx: Shopify's side, worth retrying. 4xx (402 frozen shop, 404 unknown shop, 423 locked,
    // 400 malformed): the same request will fail again.
    this.retryable = details.status >= 500;
  }
}

/** The request never got an HTTP answer (DNS, connection reset, TLS). */
export class ShopifyNetworkError extends ShopifyError {
  readonly retryable = true;
}

/** No answer within the configured request timeout. */
export class ShopifyTimeoutError extends ShopifyError {
  readonly retryable = true;
}

/**
 * Authentication or authorisation failed: a rejected token (401 after one refresh), missing
 * scopes (403), or a refused client-credentials grant. A configuration problem, not retryable,
 * unless the token endpoint itself failed with a 5xx or a network error.
 */
export class ShopifyAuthError extends ShopifyError {
  readonly retryable: boolean;
  constructor(message: string, details: ShopifyErrorDetails & { retryable?: boolean } = {}) {
    super(message, details);
    this.retryable = details.retryable ?? false;
  }
}

export interface GraphQLErrorEntry {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/**
 * GraphQL `errors` other than THROTTLED: a document the schema rejects, MAX_COST_EXCEEDED,
 * ACCESS_DENIED, … Permanent, except Shopify's INTERNAL_SERVER_ERROR code.
 */
export class ShopifyGraphQLError extends ShopifyError {
  readonly errors: readonly GraphQLErrorEntry[];
  readonly retryable: boolean;
  constructor(message: string, errors: readonly GraphQLErrorEntry[], details: ShopifyErrorDetails = {}) {
    super(message, details);
    this.errors = errors;
    this.retryable = errors.length > 0 && errors.every((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');
  }

  get codes(): string[] {
    return this.errors.map((e) => e.extensions?.code).filter((c): c is string => typeof c === 'string');
  }
}

/** The configured API version is not served by Shopify as a supported version. */
export class ShopifyApiVersionError extends ShopifyError {
  readonly retryable = false;
}
