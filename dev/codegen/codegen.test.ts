/**
 * The committed generated files match what their sources generate today: a document, a schema or
 * the pinned Shopify schema changed without `make generate` fails here.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toShopifyDocument } from '../../sidecar/shopify/documents.js';
import { CONTRACT_SCHEMA_DIR, generateContractTypes } from './contract-types.js';
import { generateShopifyOperations } from './shopify-operations.js';
import { GENERATED_FILES, PROJECT_ROOT } from './targets.js';

describe('generated types', () => {
  for (const target of GENERATED_FILES) {
    it(`${target.file} is up to date with ${target.source}`, async function () {
      this.timeout(60_000);
      const file = path.join(PROJECT_ROOT, target.file);
      const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      const fresh = await target.generate();
      assert.ok(
        committed === fresh,
        `${target.file} is stale: it no longer matches ${target.source}. Run \`make generate\` and commit the result.`,
      );
    });
  }
});

describe('the generators follow their sources', () => {
  it('a new field in a contract schema shows up in the generated type', async function () {
    this.timeout(60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-schemas-'));
    try {
      fs.cpSync(CONTRACT_SCHEMA_DIR, dir, { recursive: true });
      const file = path.join(dir, 'ReturnDocument.schema.json');
      const schema = JSON.parse(fs.readFileSync(file, 'utf8')) as { properties: Record<string, unknown> };
      schema.properties.carrier_note = { type: ['string', 'null'] };
      fs.writeFileSync(file, JSON.stringify(schema));
      const types = await generateContractTypes(dir);
      const start = types.indexOf('export interface ReturnDocument {');
      const returnDocument = types.slice(start, types.indexOf('\nexport ', start + 1));
      assert.match(returnDocument, /\n {2}carrier_note\?: string \| null;\n/);
      assert.doesNotMatch(await generateContractTypes(), /carrier_note/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a field added to a document shows up in its operation type, typed from the schema', async function () {
    this.timeout(60_000);
    const shop = toShopifyDocument('query Shop { shop { id name billingAddress { countryCodeV2 } } }', 'Shop.graphql');
    const types = await generateShopifyOperations([shop]);
    assert.match(
      types,
      /export type ShopQuery = \{ shop: \{ id: string, name: string, billingAddress: \{ countryCodeV2: CountryCode \| null \} \} \};/,
    );
    assert.match(types, /Shop: \{ variables: ShopQueryVariables; result: ShopQuery \};/);
  });

  it('generates an enum as its values and their union type, so a string can be checked at run time', async function () {
    this.timeout(60_000);
    const shop = toShopifyDocument('query Shop { shop { currencyCode } }', 'Shop.graphql');
    const types = await generateShopifyOperations([shop]);
    assert.match(types, /export const CurrencyCode = \{\n(.*\n)*? {2}Eur: 'EUR',\n/);
    assert.match(types, /export type CurrencyCode = typeof CurrencyCode\[keyof typeof CurrencyCode\];/);
  });

  it('maps money, ids and 64-bit integers to strings, never numbers', async function () {
    this.timeout(60_000);
    const doc = toShopifyDocument(
      'query Money($id: ID!) { order(id: $id) { id createdAt totalWeight currentTotalPriceSet { shopMoney { amount } } } }',
      'Money.graphql',
    );
    const types = await generateShopifyOperations([doc]);
    assert.match(
      types,
      /order: \{ id: string, createdAt: string, totalWeight: string \| null, currentTotalPriceSet: \{ shopMoney: \{ amount: string \} \} \} \| null/,
    );
  });
});
