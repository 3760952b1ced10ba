/**
 * A document booked in the customer's (presentment) currency (docs/flows.md, "Currencies"): the
 * amounts of its `presentment` laid over its shop amounts — objects field by field, lists by
 * position. The rule of contract/rules/presentment.cases.json, as the addon's
 * lib/presentment.py applies it; the Odoo double books with it. Pure.
 */
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function merge(target: Json, overlay: Json, where: string): void {
  for (const [key, value] of Object.entries(overlay)) {
    const field = `${where} ${key}`;
    if (!(key in target)) throw new Error(`${field}: not in the document`);
    if (isObject(value)) {
      const inner = target[key];
      if (!isObject(inner)) throw new Error(`${field}: not an object in the document`);
      merge(inner, value, field);
    } else if (Array.isArray(value)) {
      const items = target[key];
      if (!Array.isArray(items) || items.length !== value.length)
        throw new Error(`${field}: ${value.length} entries for ${Array.isArray(items) ? items.length : 0} in the document`);
      value.forEach((patch, i) => {
        const item: unknown = items[i];
        if (!isObject(item) || !isObject(patch)) throw new Error(`${field} ${i + 1}: not an object`);
        merge(item, patch, `${field} ${i + 1}`);
      });
    } else {
      target[key] = value;
    }
  }
}

/** The document without its `presentment`, and that `presentment` (undefined: none). */
export function splitPresentment<T extends { presentment?: unknown }>(document: T): [Omit<T, 'presentment'>, T['presentment']] {
  const { presentment, ...rest } = document;
  return [rest, presentment];
}

/** The document in presentment money: a new document whose `currency` is the presentment's. */
export function overlayPresentment<T extends object>(document: T, presentment: unknown): Omit<T, 'presentment'> & { currency: string } {
  const booked = structuredClone(splitPresentment(document as T & { presentment?: unknown })[0]) as Json;
  if (!isObject(presentment)) throw new Error('presentment: not an object');
  const { currency, ...patch } = presentment;
  if (typeof currency !== 'string' || currency.length !== 3) throw new Error('presentment currency: not an ISO 4217 code');
  merge(booked, patch, 'presentment');
  booked.currency = currency;
  return booked as Omit<T, 'presentment'> & { currency: string };
}
