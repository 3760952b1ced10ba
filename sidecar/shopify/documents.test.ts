import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kind, parse, validate } from 'graphql';
import { allDocuments, DOCUMENT_NAMES, document, GRAPHQL_DIR, loadDocuments } from './documents.js';
import { missingIdempotentDirectives } from './idempotency.js';
import { loadAdminSchema } from '../../dev/testing/shopify-schema.js';

const PINNED = '2026-10';

describe('shopify GraphQL documents', () => {
  const schema = loadAdminSchema(PINNED);

  it('loads every .graphql file in the folder, one named operation per file, and nothing else', () => {
    const files = fs.readdirSync(GRAPHQL_DIR).filter((f) => f.endsWith('.graphql') && !f.endsWith('.fragment.graphql'));
    assert.deepEqual(
      allDocuments()
        .map((d) => d.file)
        .sort(),
      files.sort(),
    );
    assert.deepEqual(
      allDocuments()
        .map((d) => d.name)
        .sort(),
      [...DOCUMENT_NAMES].sort(),
    );
  });

  for (const doc of loadDocuments().values()) {
    it(`${doc.name} is valid against Shopify's published ${PINNED} Admin schema`, () => {
      const errors = validate(schema, parse(doc.source));
      assert.deepEqual(
        errors.map((e) => e.message),
        [],
      );
    });
  }

  it('reports a document that asks for a field the schema does not have', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'graphql-docs-'));
    try {
      fs.writeFileSync(path.join(dir, 'ShopBroken.graphql'), 'query ShopBroken { shop { name inventoryMagic } }\n');
      const broken = loadDocuments(dir).get('ShopBroken')!;
      const errors = validate(schema, parse(broken.source));
      assert.deepEqual(
        errors.map((e) => e.message),
        ['Cannot query field "inventoryMagic" on type "Shop". Did you mean "inventoryItems"?'],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('marks the mutations that need @idempotent, and every such document already carries it', () => {
    const needing = allDocuments()
      .filter((d) => d.idempotentFields.length > 0)
      .map((d) => d.name)
      .sort();
    assert.deepEqual(needing, ['InventorySetQuantities', 'RefundCreate']);
    for (const doc of allDocuments()) assert.deepEqual(missingIdempotentDirectives(doc.ast), [], doc.name);
  });

  it('sends productSet synchronously and inventorySetQuantities with changeFromQuantity-capable input', () => {
    const productSet = document('ProductSet').ast.definitions[0]!;
    assert.equal(productSet.kind, Kind.OPERATION_DEFINITION);
    assert.match(document('ProductSet').source, /productSet\(identifier: \$identifier, input: \$input, synchronous: true\)/);
    assert.match(
      document('InventorySetQuantities').source,
      /inventorySetQuantities\(input: \$input\) @idempotent\(key: \$idempotencyKey\)/,
    );
    const input = schema.getType('InventoryQuantityInput');
    assert.ok(input && 'getFields' in input && 'changeFromQuantity' in input.getFields());
  });
});
