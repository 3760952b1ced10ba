import assert from 'node:assert/strict';
import { allocateAcross, shopifyTaxLines } from './taxes.js';

const STATE = { title: 'CA State Tax', rate: '0.0625' };
const CITY = { title: 'Los Angeles City Tax', rate: '0.025' };

describe("simulator: Shopify's tax arithmetic", () => {
  const cases: Array<{ base: number; included: boolean; want: number[] }> = [
    // 9.99 − 1.00 = 8.99: 0.561875 → 0.56, 0.22475 → 0.22
    { base: 899, included: false, want: [56, 22] },
    // 8.44: 0.5275 → 0.53 (half away from zero), 0.211 → 0.21
    { base: 844, included: false, want: [53, 21] },
    // 28.42 included: untaxed 26.1333…: 1.6333 → 1.63, 0.6533 → 0.65
    { base: 2842, included: true, want: [163, 65] },
    // 4.99 included: 0.2868 → 0.29, 0.1147 → 0.11
    { base: 499, included: true, want: [29, 11] },
    // a negative base (a refund) rounds away from zero too
    { base: -844, included: false, want: [-53, -21] },
  ];
  for (const { base, included, want } of cases) {
    it(`${base} cents, taxes ${included ? 'included' : 'excluded'}: ${want.join(' + ')}`, () => {
      assert.deepEqual(
        shopifyTaxLines(base, [STATE, CITY], included).map((t) => t.price),
        want,
      );
    });
  }

  it('allocates an order discount across lines in proportion, the shares adding up exactly', () => {
    assert.deepEqual(allocateAcross([1000, 2000, 3000], 100), [17, 33, 50]);
    assert.deepEqual(allocateAcross([999, 999, 999], 100), [33, 33, 34]);
    assert.deepEqual(allocateAcross([500], 0), [0]);
  });

  it('refuses a rate that is not a fraction of at most six decimals', () => {
    assert.throws(() => shopifyTaxLines(100, [{ title: 'X', rate: '6.25%' }], false), /is not a fraction/);
  });
});
