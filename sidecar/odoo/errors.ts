/**
 * Typed Odoo errors and the one converter from wire errors (one hierarchy, one
 * converter, so every caller classifies alike). Classification decides what the queue does:
 * - configuration (AccessDenied, AccessError, failed login): stop and alert, never retry;
 * - permanent (ValidationError, UserError, MissingError, bad arguments): dead-letter with reason;
 * - retryable (connection errors, timeouts, HTTP 5xx, serialization conflicts and locks): retry with backoff.
 * The same for both transports: JSON-RPC carries Odoo's exception in `error.data`, JSON-2 in the
 * body of a 4xx/5xx answer (with the HTTP status); classification is by the exception's name.
 */

export type OdooErrorKind = 'configuration' | 'permanent' | 'retryable';

export class OdooError extends Error {
  override name = 'OdooError';
  readonly kind: OdooErrorKind;
  /** Odoo's exception class, e.g. "odoo.exceptions.ValidationError", when Odoo answered one. */
  readonly odooName: string | undefined;
  readonly httpStatus: number | undefined;

  constructor(kind: OdooErrorKind, message: string, details: { odooName?: string; httpStatus?: number; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.odooName = details.odooName;
    this.httpStatus = details.httpStatus;
  }

  get permanent(): boolean {
    return this.kind !== 'retryable';
  }

  get retryable(): boolean {
    return this.kind === 'retryable';
  }
}

export class OdooConfigurationError extends OdooError {
  override name = 'OdooConfigurationError';
  constructor(message: string, details: { odooName?: string; httpStatus?: number; cause?: unknown } = {}) {
    super('configuration', message, details);
  }
}

export class OdooPermanentError extends OdooError {
  override name = 'OdooPermanentError';
  constructor(message: string, details: { odooName?: string; httpStatus?: number; cause?: unknown } = {}) {
    super('permanent', message, details);
  }
}

export class OdooRetryableError extends OdooError {
  override name = 'OdooRetryableError';
  constructor(message: string, details: { odooName?: string; httpStatus?: number; cause?: unknown } = {}) {
    super('retryable', message, details);
  }
}

const CONFIGURATION = new Set([
  'odoo.exceptions.AccessDenied',
  'odoo.exceptions.AccessError',
  'werkzeug.exceptions.Unauthorized',
  'werkzeug.exceptions.Forbidden',
]);
const PERMANENT = new Set([
  'odoo.exceptions.ValidationError',
  'odoo.exceptions.UserError',
  'odoo.exceptions.MissingError',
  'odoo.exceptions.RedirectWarning',
  'builtins.ValueError',
  'builtins.TypeError',
  'builtins.KeyError',
  'werkzeug.exceptions.NotFound',
  'werkzeug.exceptions.UnprocessableEntity',
]);
/** The API key or user was refused: JSON-RPC's AccessDenied, JSON-2's 401. */
const AUTHENTICATION = new Set(['odoo.exceptions.AccessDenied', 'werkzeug.exceptions.Unauthorized']);
/**
 * Conflicts: PostgreSQL's, which Odoo re-raises after its own 5 retries, and Odoo 19's LockError
 * (HTTP 409, a record locked by another transaction): try again later.
 */
const CONFLICT = /SerializationFailure|LockNotAvailable|DeadlockDetected|LockError|could not serialize access|concurrent update/i;

/** Odoo's serialised exception: `error.data` of a JSON-RPC answer, or the body of a JSON-2 error. */
export interface OdooFault {
  name?: string;
  message?: string;
}

export function errorFromOdooFault(fault: OdooFault, context: string, httpStatus?: number): OdooError {
  const name = fault.name ?? 'unknown';
  const hint = AUTHENTICATION.has(name) ? ' (check ODOO_USER and ODOO_API_KEY)' : '';
  const message = `${context}: ${name.replace(/^odoo\.exceptions\./, '')}: ${fault.message ?? 'no message'}${hint}`;
  const details = { odooName: name, ...(httpStatus === undefined ? {} : { httpStatus }) };
  if (CONFLICT.test(name) || CONFLICT.test(fault.message ?? '')) return new OdooRetryableError(message, details);
  if (CONFIGURATION.has(name)) return new OdooConfigurationError(message, details);
  if (PERMANENT.has(name)) return new OdooPermanentError(message, details);
  return new OdooRetryableError(message, details);
}

export function errorFromHttpStatus(status: number, context: string): OdooError {
  if (status === 401 || status === 403)
    return new OdooConfigurationError(`${context}: HTTP ${status} (check ODOO_USER and ODOO_API_KEY)`, { httpStatus: status });
  if (status === 404)
    return new OdooConfigurationError(`${context}: HTTP 404 (check ODOO_URL and that the shopify_sync addon is installed)`, {
      httpStatus: status,
    });
  if (status >= 500 || status === 429 || status === 408)
    return new OdooRetryableError(`${context}: HTTP ${status}`, { httpStatus: status });
  return new OdooPermanentError(`${context}: HTTP ${status}`, { httpStatus: status });
}
