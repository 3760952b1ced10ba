import assert from 'node:assert/strict';
import { formatCents, parseCents, roundCents } from './money.js';

describe('double money', () => {
  it('parses contract decimal strings into exact cents', () => {
    const cases: Array<[string, number | null]> = [
      ['12.50', 1250],
      ['12.5', 1250],
      ['0.01', 1],
      ['-0.05', -5],
      ['7', 700],
      ['1.005', null],
      ['12,50', null],
      ['', null],
    ];
    for (const [text, cents] of cases) assert.equal(parseCents(text), cents, text);
    assert.equal(parseCents(12.5), null, 'a float is not money');
  });

  it('formats cents with two decimals', () => {
    assert.deepEqual([1250, 1, -5, 0, 100000].map(formatCents), ['12.50', '0.01', '-0.05', '0.00', '1000.00']);
  });

  it('rounds half up despite binary noise', () => {
    assert.deepEqual([250.00000000000003, 0.5, 1.5, -0.5, 2.4999].map(roundCents), [250, 1, 2, -1, 2]);
  });
});
