/**
 * parseShopifyJson takes a fast path (native JSON.parse, unsafe integers quoted first) and falls
 * back to lossless-json: both must give what lossless-json alone gives, for any text.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse as parseLossless } from 'lossless-json';
import { webhookFixtures } from '../../dev/testing/fixtures.js';
import { fuzzRuns } from '../../dev/testing/fuzz.js';
import { parseShopifyJson } from './json.js';

/** The reference: lossless-json alone, integers beyond 2^53 as their digits. */
function reference(text: string): { value?: string; error?: true } {
  try {
    const value = parseLossless(text, null, (v: string) => (/^-?\d+$/.test(v) && !Number.isSafeInteger(Number(v)) ? v : Number(v)));
    return { value: JSON.stringify(value) };
  } catch {
    return { error: true };
  }
}

function actual(text: string): { value?: string; error?: true } {
  try {
    return { value: JSON.stringify(parseShopifyJson(text)) };
  } catch {
    return { error: true };
  }
}

describe('parseShopifyJson', () => {
  it('keeps integers beyond 2^53 as digits outside strings only, and refuses a key twice with two values', () => {
    assert.deepEqual(parseShopifyJson('{"id":820982911946154508,"n":9007199254740991,"s":"x\\":12345678901234567890"}'), {
      id: '820982911946154508',
      n: 9007199254740991,
      s: 'x":12345678901234567890',
    });
    assert.deepEqual(parseShopifyJson('[-12345678901234567890, 12345678901234567890.5, {"a\\\\":1}]'), [
      '-12345678901234567890',
      12345678901234567000,
      { 'a\\': 1 },
    ]);
    assert.throws(() => parseShopifyJson('{"a":1,"a":2}'), /Duplicate key/);
    assert.deepEqual(parseShopifyJson('{"a":1,"a":1}'), { a: 1 });
  });

  it("gives lossless-json's answer for Shopify's sample payloads", () => {
    for (const { topic, raw } of webhookFixtures()) assert.deepEqual(actual(raw.toString('utf8')), reference(raw.toString('utf8')), topic);
  });

  it("gives lossless-json's answer for any JSON-like text (fast-check)", () => {
    const big = fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }).map(String);
    const key = fc.constantFrom('a', 'b', 'id', 'a\\"', 'x\\\\', '\\"a\\":1', ' ');
    const scalar = fc.oneof(
      big,
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      fc.constantFrom('true', 'null', '"1234567890123456789"', '"\\\\"', '"\\":1"'),
    );
    const doc = fc.letrec<{ value: string }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        scalar,
        fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(', ')}]`),
        fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => `{${entries.map(([k, v]) => `"${k}" : ${v}`).join(',')}}`),
      ),
    })).value;
    fc.assert(
      fc.property(doc, fc.constantFrom('', ' ', ','), (text, damage) => {
        const input = text + damage;
        assert.deepEqual(actual(input), reference(input));
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });
});
