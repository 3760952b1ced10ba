/**
 * Exceptions raised inside the double, shaped like Odoo's serialised exceptions (`data.name` +
 * `data.message` of a JSON-RPC error), and the Python spellings the addon's messages use.
 */
import type { OdooFault } from '../../sidecar/odoo/errors.js';

/**
 * An exception raised inside the double. OdooDouble.executeKw converts it with the client's own
 * converter (sidecar/odoo/errors.ts errorFromOdooFault), so callers get the same error class and
 * message as from a real Odoo behind the JSON-RPC client.
 */
export class OdooFaultError extends Error {
  constructor(readonly fault: Required<OdooFault>) {
    super(fault.message);
  }
}

export const odooFault = (name: string, message: string) => new OdooFaultError({ name, message });
export const validationError = (message: string) => odooFault('odoo.exceptions.ValidationError', message);
export const missingError = (model: string, id: number) =>
  odooFault('odoo.exceptions.MissingError', `Record does not exist or has been deleted.\n(Record: ${model}(${id},), User: 2)`);

/** Python's repr of a JSON value, as the addon's messages print it. */
export const pyRepr = (value: unknown): string =>
  value === undefined || value === null ? 'None' : typeof value === 'string' ? `'${value}'` : JSON.stringify(value);

/** Python's repr of a sorted list of strings. */
export const pyList = (items: readonly string[]): string =>
  `[${[...items]
    .sort()
    .map((i) => `'${i}'`)
    .join(', ')}]`;
