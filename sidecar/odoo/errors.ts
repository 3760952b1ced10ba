/**
 * The Odoo client's error hierarchy (minimal version written for the Odoo double; the JSON-RPC
 * client may extend it). Pure module.
 *
 * Every error keeps Odoo's exception class name (`odooName`, e.g.
 * "odoo.exceptions.ValidationError") and Odoo's own message as `message`, so a message asserted
 * against the double reads the same as one coming from a real Odoo.
 */
export interface OdooErrorDetails {
  /** Odoo's exception class, `data.name` in a JSON-RPC error, e.g. "odoo.exceptions.ValidationError". */
  odooName?: string;
  /** The model and method that failed. */
  model?: string;
  method?: string;
  cause?: unknown;
}

abstract class OdooError extends Error {
  readonly odooName: string | undefined;
  readonly model: string | undefined;
  readonly method: string | undefined;
  constructor(message: string, details: OdooErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.odooName = details.odooName;
    this.model = details.model;
    this.method = details.method;
  }
}

/** ValidationError / UserError / MissingError: retrying cannot help; the job goes to the DLQ. */
export class OdooPermanentError extends OdooError {
  override readonly name = 'OdooPermanentError';
}

/** AccessDenied / AccessError / failed login: the flow stops and alerts. */
export class OdooConfigurationError extends OdooError {
  override readonly name = 'OdooConfigurationError';
}

/** Serialization failure, connection error, HTTP 5xx: retry with backoff. */
export class OdooRetryableError extends OdooError {
  override readonly name = 'OdooRetryableError';
}
