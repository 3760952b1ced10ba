/**
 * The sidecar's error hierarchy, as the queue sees it. Pure (no I/O).
 *
 * - `PermanentError`: the same input will fail the same way (validation, Shopify `userErrors`,
 *   Odoo `ValidationError`/`UserError`). Not retried: the job goes straight to its dead-letter
 *   queue with the reason.
 * - `RetryableError`: the world may differ next time (network, 5xx, 429/`THROTTLED`, Postgres
 *   serialization conflicts). Retried with exponential backoff up to the retry limit.
 * - `WaitingError`: a retryable error that is expected — the job waits for a precondition (a
 *   refund for its order's import). Retried exactly the same way, but logged at info as a wait
 *   with what it waits for, and not counted as a failure; its last attempt fails as any other
 *   (docs/queues.md, "Waits").
 * - `ConfigurationError`: credentials or access are wrong (401/403, Odoo `AccessError`). Retrying
 *   cannot help and every job would fail the same way, so it is not retried and is surfaced loudly.
 *
 * Clients (Shopify, Odoo) convert their wire errors into these; `classifyError` also recognises
 * common untyped errors. Anything unknown is retryable: a bug fixed and deployed then gets its
 * retries, and the retry limit still bounds it.
 */

export type ErrorKind = 'permanent' | 'retryable' | 'configuration';

export interface SyncErrorOptions {
  cause?: unknown;
  /** Machine-readable detail kept with the job in the DLQ (status, request id, userErrors, …). */
  details?: Record<string, unknown>;
}

export abstract class SyncError extends Error {
  abstract readonly kind: ErrorKind;
  readonly details: Record<string, unknown>;

  constructor(message: string, options: SyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details ?? {};
  }
}

export class PermanentError extends SyncError {
  override readonly name = 'PermanentError';
  readonly kind = 'permanent' as const;
}

export class RetryableError extends SyncError {
  // Typed string, not the literal: WaitingError refines it.
  override readonly name: string = 'RetryableError';
  readonly kind = 'retryable' as const;
  /** A server's Retry-After, when it gave one; informational (pg-boss owns the retry schedule). */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: SyncErrorOptions & { retryAfterMs?: number } = {}) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * A job that cannot do its work until something else happened (its order imported in Odoo, an
 * earlier write of ours answered): retried with the queue's backoff and retry budget like any
 * retryable error. `waitingFor` names what it waits for, in a few words, for the log line.
 */
export class WaitingError extends RetryableError {
  override readonly name: string = 'WaitingError';
  readonly waitingFor: string;

  constructor(waitingFor: string, message: string, options: SyncErrorOptions = {}) {
    super(message, options);
    this.waitingFor = waitingFor;
  }
}

export class ConfigurationError extends SyncError {
  override readonly name = 'ConfigurationError';
  readonly kind = 'configuration' as const;
}

export interface Classification {
  kind: ErrorKind;
  /** One line for logs and the DLQ: `<ErrorName>: <message>`. */
  reason: string;
  /** Set for a WaitingError: what the job waits for (an expected wait, not a failure). */
  waitingFor?: string;
}

/** Node and undici network failures: the request may not have reached the server, or got no answer. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Postgres SQLSTATEs worth retrying: serialization failure, deadlock, lock timeout, connection loss. */
const RETRYABLE_SQLSTATE = /^(40001|40P01|55P03|57P01|57P02|57P03|08...)$/;

/** Odoo exception classes as JSON-RPC reports them in `error.data.name`. */
const ODOO_PERMANENT = /^odoo\.exceptions\.(ValidationError|UserError|MissingError|RedirectWarning)$/;
const ODOO_CONFIGURATION = /^odoo\.exceptions\.(AccessError|AccessDenied)$/;
const ODOO_RETRYABLE = /^psycopg2\.(errors\.)?(SerializationFailure|DeadlockDetected|OperationalError|LockNotAvailable)$/;

export function classifyError(error: unknown): Classification {
  const reason = describe(error);
  if (error instanceof WaitingError) return { kind: error.kind, reason, waitingFor: error.waitingFor };
  if (error instanceof SyncError) return { kind: error.kind, reason };
  // The Odoo and Shopify clients' own hierarchies (odoo/errors.ts, shopify/errors.ts) say what
  // they are without importing this module.
  const typed = error as { kind?: unknown; retryable?: unknown; name?: unknown } | null;
  if (typed && (typed.kind === 'permanent' || typed.kind === 'retryable' || typed.kind === 'configuration'))
    return { kind: typed.kind, reason };
  if (error instanceof Error && typeof typed?.retryable === 'boolean') {
    if (typed.retryable) return { kind: 'retryable', reason };
    return { kind: typed.name === 'ShopifyAuthError' || typed.name === 'ShopifyApiVersionError' ? 'configuration' : 'permanent', reason };
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const odooName = (e.data as { name?: unknown } | undefined)?.name;
  if (typeof odooName === 'string') {
    if (ODOO_PERMANENT.test(odooName)) return { kind: 'permanent', reason };
    if (ODOO_CONFIGURATION.test(odooName)) return { kind: 'configuration', reason };
    if (ODOO_RETRYABLE.test(odooName)) return { kind: 'retryable', reason };
  }
  if (code === 'THROTTLED') return { kind: 'retryable', reason };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (code && (NETWORK_CODES.has(code) || RETRYABLE_SQLSTATE.test(code))) return { kind: 'retryable', reason };
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return { kind: 'retryable', reason };
  if (status !== undefined) {
    if (status === 401 || status === 403) return { kind: 'configuration', reason };
    if (status === 408 || status === 409 || status === 425 || status === 429 || status >= 500) return { kind: 'retryable', reason };
    if (status >= 400) return { kind: 'permanent', reason };
  }
  return { kind: 'retryable', reason };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
