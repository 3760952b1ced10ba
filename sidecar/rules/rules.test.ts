/** The shared rules against the cases both the sidecar and the addon are tested with (contract/rules/). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compatibleContractVersions, CONTRACT_VERSION } from './contract-version.js';
import { normaliseEmail } from './email.js';
import { isGid, parseGid } from './gid.js';
import { formatCents, mulDivRound, toCents } from './money.js';

interface Cases<T> {
  cases: T[];
  current?: string;
}
const load = <T>(name: string): Cases<T> =>
  JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../contract/rules', `${name}.cases.json`), 'utf8')) as Cases<T>;

describe('shared rules (contract/rules cases, also run by the addon)', () => {
  it('money: converts every valid case to exact cents and refuses every invalid one with its reason', () => {
    const { cases } = load<{ input: string; cents?: number; error?: string }>('money');
    assert.ok(cases.length >= 10);
    for (const c of cases) {
      if (c.error) assert.throws(() => toCents(c.input, 'total'), new RegExp(`^MoneyError: total: .*${c.error}`), c.input);
      else assert.equal(toCents(c.input), BigInt(c.cents!), c.input);
    }
  });

  it('money: formats cents back to a decimal string and rounds a ratio half away from zero', () => {
    assert.deepEqual([1250n, -1n, 0n, 100n].map(formatCents), ['12.50', '-0.01', '0.00', '1.00']);
    assert.equal(mulDivRound(1000n, 1n, 3n), 333n);
    assert.equal(mulDivRound(5n, 1n, 2n), 3n);
    assert.equal(mulDivRound(-5n, 1n, 2n), -3n);
  });

  it('email: normalises every case as the addon does', () => {
    const { cases } = load<{ input: unknown; normalised: string | null }>('email');
    for (const c of cases) assert.equal(normaliseEmail(c.input), c.normalised, JSON.stringify(c.input));
  });

  it('gid: accepts and refuses every case as the addon does, keeping the numeric id exact', () => {
    const { cases } = load<{ input: unknown; kind: string | null; id?: string; error?: string }>('gid');
    for (const c of cases) {
      const kind = c.kind ?? undefined;
      if (c.error) {
        assert.throws(() => parseGid(c.input, kind), new RegExp(c.error), JSON.stringify(c.input));
        assert.equal(isGid(c.input, kind), false);
      } else {
        assert.equal(parseGid(c.input, kind).id, c.id);
        assert.equal(isGid(c.input, kind), true);
      }
    }
  });

  it('gid: names a refused object or long string by its kind only, never its content (personal data)', () => {
    const order = { email: 'someone@example.com', shipping_address: { name: 'Some One' } };
    assert.throws(() => parseGid(order), { message: 'an object is not a Shopify GID (gid://shopify/<Type>/<digits>)' });
    assert.throws(() => parseGid([order]), { message: 'an array is not a Shopify GID (gid://shopify/<Type>/<digits>)' });
    assert.throws(() => parseGid('x'.repeat(81)), {
      message: 'a string of 81 characters is not a Shopify GID (gid://shopify/<Type>/<digits>)',
    });
    assert.throws(() => parseGid(undefined), { message: 'undefined is not a Shopify GID (gid://shopify/<Type>/<digits>)' });
    assert.throws(() => parseGid('gid://shopify/Order/1', 'Customer'), { message: '"gid://shopify/Order/1" is not a Customer GID' });
  });

  it('contract version: decides compatibility as the addon does, and speaks the version of the cases', () => {
    const { cases, current } = load<{ a: string; b: string; compatible: boolean }>('contract-version');
    assert.equal(CONTRACT_VERSION, current);
    for (const c of cases) {
      assert.equal(compatibleContractVersions(c.a, c.b), c.compatible, `${c.a} ~ ${c.b}`);
      assert.equal(compatibleContractVersions(c.b, c.a), c.compatible, `${c.b} ~ ${c.a}`);
    }
  });
});
