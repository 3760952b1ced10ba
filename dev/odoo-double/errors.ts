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

/**
 * Python's repr() of a JSON value, as the addon's messages print it (`{value!r}`): None, True and
 * False, strings quoted and escaped as Python quotes them, lists and dicts with Python's spacing.
 */
export function pyRepr(value: unknown): string {
  if (value === undefined || value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return pyStringRepr(value);
  if (typeof value === 'number') return pyNumber(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  // Anything else left after a JSON round trip is an object (a Python dict).
  return `{${Object.entries(value)
    .map(([k, v]) => `${pyStringRepr(k)}: ${pyRepr(v)}`)
    .join(', ')}}`;
}

/** Python's str() of a JSON value (`f"{value}"`): a string as it is, anything else as its repr. */
export const pyStr = (value: unknown): string => (typeof value === 'string' ? value : pyRepr(value));

/** Python's truth value of a JSON value (`if value:`): None, False, 0, "", [] and {} are false. */
export function pyTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

/**
 * A JSON number as Python reads and prints it: without a point or an exponent on the wire it is an
 * int (its digits); otherwise a float, printed with the shortest digits, in exponent notation
 * below 1e-4 and from 1e16 on (`1e-05`, `1e+16`), else with at least one decimal (`12.0`).
 */
function pyNumber(value: number): string {
  const wire = JSON.stringify(value);
  if (!/[.e]/i.test(wire)) return wire;
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  const fixed = String(value);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

// Characters Python's repr escapes besides the quote and the backslash: control characters,
// separators and other characters Python does not print (str.isprintable() is False).
const NOT_PRINTABLE = /[\p{C}\p{Z}]/u;

/** Python's repr() of a string: single quotes unless it holds one and no double quote. */
function pyStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === ' ' || !NOT_PRINTABLE.test(ch)) out += ch;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return out + quote;
}

/** Python's repr of a sorted list of strings. */
export const pyList = (items: readonly string[]): string => `[${[...items].sort().map(pyStringRepr).join(', ')}]`;
