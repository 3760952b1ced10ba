/**
 * The normalised email used to match a Shopify customer to an Odoo partner (after the GID, never
 * by name). Pure; imports nothing from the project. The same rule, with the same cases, is
 * `odoo_addon/shopify_sync/lib/normalize.py` `email()` (contract/rules/email.cases.json).
 */

/** Trimmed and lower-case; null when empty, not a string, or not `local@domain`. */
export function normaliseEmail(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const email = value.trim().toLowerCase();
  if (!email.includes('@') || email.startsWith('@') || email.endsWith('@')) return null;
  return email;
}
