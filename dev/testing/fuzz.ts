/**
 * fast-check arbitraries for the fuzz tests (sidecar/flows/mapping.fuzz.test.ts,
 * sidecar/http/webhooks/intake.fuzz.test.ts): hostile text (U+0000, lone surrogates, control and
 * right-to-left characters, emoji, very long), amounts that are and are not exact decimals, and
 * Shopify-like GIDs, mixed with ordinary values so that most inputs get past the first check.
 * `fuzzRuns` reads FUZZ_RUNS (dev/testing/env.ts) to run more.
 */
import fc from 'fast-check';
import { fuzzRunsOverride } from './env.js';

/** Characters storage and parsers trip on. */
const NASTY = ['\u0000', '\ud800', '\udfff', '\u202e', '\u200b', '\ufeff', '\n', '"', '\\', '💥', 'é', '\u0301', '<script>', "'; --"];

export const nastyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...NASTY), { maxLength: 6 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.string({ minLength: 300, maxLength: 2000 }) },
);

/** Mostly ordinary names, sometimes hostile ones. */
export const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('Ada', 'Lovelace', 'Mug', 'Standard', '1 Main St', 'Brussels') },
  { weight: 2, arbitrary: nastyText },
);

export const optionalText: fc.Arbitrary<string | null> = fc.option(text, { nil: null });

/** Decimal amounts: mostly exact with 0-2 decimals, sometimes not an amount at all. */
export const amount: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 99 }))
      .map(([a, c]) => `${a}.${String(c).padStart(2, '0')}`),
  },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 1000 }).map(String) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '-1.00',
      '0.001',
      '1e5',
      'NaN',
      '',
      ' 1.00',
      '99999999999999999999.99',
      '1,50',
      'abc',
      '0x10',
      '+1.00',
      '1.5',
    ),
  },
);

export const gidOf = (type: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map((n) => `gid://shopify/${type}/${n}`) },
    { weight: 1, arbitrary: fc.constantFrom(`gid://shopify/${type}/0`, `gid://shopify/Other/1`, `gid://shopify/${type}/`, '') },
    { weight: 1, arbitrary: nastyText },
  );

export const timestamp: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  },
  { weight: 1, arbitrary: fc.constantFrom('not a date', '2026-13-45T99:99:99Z', '') },
);

export const quantity: fc.Arbitrary<number> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -0) },
);

/** How many runs a fuzz property makes (FUZZ_RUNS overrides, for a longer search). */
export function fuzzRuns(defaultRuns: number): number {
  const n = Number(fuzzRunsOverride());
  return Number.isInteger(n) && n > 0 ? n : defaultRuns;
}

/** Counts the outcomes of the runs, for the line each fuzz test prints. */
export class Tally {
  private readonly counts = new Map<string, number>();
  add(outcome: string): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
  }
  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }
  get(outcome: string): number {
    return this.counts.get(outcome) ?? 0;
  }
  toString(): string {
    return [...this.counts.entries()]
      .sort()
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  }
}
