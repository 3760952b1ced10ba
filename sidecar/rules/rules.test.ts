/** The shared rules against the cases both the sidecar and the addon are tested with (contract/rules/). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compatibleContractVersions, CONTRACT_VERSION } from './contract-version.js';
import { normaliseEmail } from './email.js';
import { isGid, parseGid } from './gid.js';
import { formatCents, formatMinor, MINOR_UNITS, minorUnits, mulDivRound, toCents, toMinor } from './money.js';
import { overlayPresentment } from './presentment.js';

interface Cases<T> {
  cases: T[];
  current?: string;
}
const loadRaw = (name: string): unknown =>
  JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../contract/rules', `${name}.cases.json`), 'utf8'));
const load = <T>(name: string): Cases<T> => loadRaw(name) as Cases<T>;

describe('shared rules (contract/rules cases, also run by the addon)', () => {
  it('presentment: lays every case over its document or refuses it as the addon does, leaving the input as it was', () => {
    const { cases } = load<{ name: string; document: { presentment: unknown }; booked?: unknown; error?: string }>('presentment');
    assert.ok(cases.length >= 4);
    for (const c of cases) {
      if (c.error) assert.throws(() => overlayPresentment(c.document, c.document.presentment), { message: c.error }, c.name);
      else assert.deepEqual(overlayPresentment(c.document, c.document.presentment), c.booked, c.name);
      assert.ok('presentment' in c.document, c.name);
    }
  });

  it('money: converts every valid case to exact minor units of its currency and refuses every invalid one with its reason', () => {
    const { cases } = load<{ input: string; currency?: string; minor?: number; error?: string }>('money');
    assert.ok(cases.length >= 20);
    for (const c of cases) {
      const places = minorUnits(c.currency);
      if (c.error) assert.throws(() => toMinor(c.input, places, 'total'), new RegExp(`^MoneyError: total: .*${c.error}`), c.input);
      else assert.equal(toMinor(c.input, places), BigInt(c.minor!), `${c.input} ${c.currency ?? ''}`);
      if (!c.currency && !c.error) assert.equal(toCents(c.input), BigInt(c.minor!), c.input);
    }
  });

  it('money: knows the minor units of the shared ISO 4217 table, 2 for any other currency', () => {
    const { minor_units: table } = loadRaw('money') as { minor_units: { default: number; exponents: Record<string, number> } };
    assert.deepEqual({ ...MINOR_UNITS }, table.exponents);
    assert.deepEqual(
      ['KWD', 'BHD', 'OMR', 'JOD', 'TND', 'JPY', 'KRW', 'EUR', 'USD', 'kwd', null].map(minorUnits),
      [3, 3, 3, 3, 3, 0, 0, 2, 2, 3, 2],
    );
    assert.equal(minorUnits('XYZ'), table.default);
  });

  it("money: formats minor units back to a decimal string with the currency's decimals and rounds a ratio half away from zero", () => {
    const { formats } = loadRaw('money') as { formats: { minor: number; minor_units: number; output: string }[] };
    assert.ok(formats.length >= 5);
    for (const f of formats) assert.equal(formatMinor(BigInt(f.minor), f.minor_units), f.output, f.output);
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
