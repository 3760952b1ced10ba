/**
 * Shopify global IDs (`gid://shopify/Order/820982911946154508`). Pure; imports nothing from the
 * project. Most numeric ids exceed 2^53, so they stay strings end to end. The same rule, with the
 * same cases, is `odoo_addon/shopify_sync/lib/normalize.py` `gid()` (contract/rules/gid.cases.json).
 */

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/([0-9]+)$/;

export class GidError extends TypeError {
  override readonly name = 'GidError';
}

/**
 * The value as an error message shows it: short strings, numbers, booleans and null as JSON; an
 * object, an array or a long string only by its kind, since it may be a payload carrying personal
 * data (docs/operations.md, "Logs").
 */
function shown(value: unknown): string {
  if (typeof value === 'string') return value.length <= 80 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  if (value == null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The GID when valid (of `kind` when given); throws GidError naming the problem otherwise. */
export function parseGid(value: unknown, kind?: string): { gid: string; kind: string; id: string } {
  const match = typeof value === 'string' ? GID.exec(value) : null;
  if (!match) throw new GidError(`${shown(value)} is not a Shopify GID (gid://shopify/<Type>/<digits>)`);
  if (kind && match[1] !== kind) throw new GidError(`${shown(value)} is not a ${kind} GID`);
  return { gid: value as string, kind: match[1]!, id: match[2]! };
}

export function isGid(value: unknown, kind?: string): value is string {
  const match = typeof value === 'string' ? GID.exec(value) : null;
  return match !== null && (!kind || match[1] === kind);
}

/** `gid://shopify/<kind>/<id>` from a numeric id given as digits (never a JS number above 2^53). */
export function toGid(kind: string, id: string | bigint): string {
  const digits = String(id);
  if (!/^[A-Za-z]+$/.test(kind) || !/^[0-9]+$/.test(digits)) throw new GidError(`cannot make a Shopify GID of ${kind} ${digits}`);
  return `gid://shopify/${kind}/${digits}`;
}
