/**
 * Which secret values are refused at start (docs/configuration.md, "Secrets"). Pure.
 *
 * - Placeholders: the values `.env.example` ships with, and anything that reads like one
 *   ("change-me", "changeme", "example", "placeholder", "your-token"…). A copied `.env.example`
 *   must not start a sidecar that anyone who read the repository can call.
 * - Weak tokens, for the secrets the sidecar checks on requests it receives (the admin token, the
 *   metrics token, Odoo's wake-up secret, the webhook secret): fewer than 8 distinct characters
 *   (`aaaa…`, `1212…`) is a token a guesser tries first. Random tokens (`openssl rand -hex 32`)
 *   always pass: 24 random hex digits have fewer than 8 distinct ones about once in ten million.
 */

const PLACEHOLDER = /change[-_ .]?me|example|placeholder|your[-_ ]?(admin[-_ ]?)?(token|secret|key|password)|^(secret|password|token)$/i;

/** Fewest distinct characters in a token the sidecar verifies. */
export const MIN_DISTINCT_CHARACTERS = 8;

/** Why `value` is refused as a secret, or undefined when it is acceptable. Never includes the value. */
export function secretProblem(value: string, options: { strength: boolean }): string | undefined {
  if (PLACEHOLDER.test(value)) return 'is a placeholder (the value from .env.example or alike); generate one, e.g. `openssl rand -hex 32`';
  if (options.strength && new Set(value).size < MIN_DISTINCT_CHARACTERS) {
    return `is too weak (fewer than ${MIN_DISTINCT_CHARACTERS} distinct characters); generate one, e.g. \`openssl rand -hex 32\``;
  }
  return undefined;
}
