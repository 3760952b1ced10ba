/**
 * The Odoo client's public shape. Flows and the conformance suite depend on this interface,
 * not on a transport: JSON-RPC (Odoo 17/18) and JSON-2 (Odoo 19+) implement it, and so does the
 * in-process double used in CI.
 */
export interface OdooCaller {
  /**
   * Calls `model.method(*args, **kwargs)` as the integration user.
   * Errors are thrown as OdooPermanentError (ValidationError/UserError), OdooConfigurationError
   * (AccessDenied/AccessError/auth) or OdooRetryableError (connection, 5xx, serialization).
   */
  executeKw<T = unknown>(model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<T>;
}
