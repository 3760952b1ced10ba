import assert from 'node:assert/strict';
import { parse, validate } from 'graphql';
import { idempotentMutations } from '../../dev/sim/graphql/execute.js';
import { loadAdminSchema } from '../../dev/testing/shopify-schema.js';
import {
  contentDigest,
  IDEMPOTENT_MUTATIONS,
  idempotencyKey,
  missingIdempotentDirectives,
  withIdempotentDirective,
} from './idempotency.js';

describe('shopify idempotency keys', () => {
  const parts = { flow: 'inventory', entity: 'gid://shopify/InventoryItem/1@gid://shopify/Location/2', version: 'outbox-981' };

  it('gives the same UUIDv5 key for the same flow, entity and version, and a different one when any part changes', () => {
    const key = idempotencyKey(parts);
    assert.match(key, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(idempotencyKey({ ...parts }), key);
    const others = [
      idempotencyKey({ ...parts, flow: 'refunds' }),
      idempotencyKey({ ...parts, entity: 'gid://shopify/InventoryItem/1@gid://shopify/Location/3' }),
      idempotencyKey({ ...parts, version: 'outbox-982' }),
      idempotencyKey({ ...parts, attempt: 1 }),
      // Separators cannot be confused: ("a:b","c") is not ("a","b:c").
      idempotencyKey({ flow: 'inventory', entity: 'x:y', version: 'z' }),
      idempotencyKey({ flow: 'inventory', entity: 'x', version: 'y:z' }),
    ];
    assert.equal(new Set([key, ...others]).size, 7);
    assert.equal(contentDigest({ b: 1, a: [1, 2] }), contentDigest({ a: [1, 2], b: 1 }));
    assert.throws(() => idempotencyKey({ ...parts, version: '' }), /version must be a non-empty string/);
  });

  it("knows the mutations whose description in the pinned version's schema documents @idempotent", () => {
    // The sidecar does not ship the schema, so it keeps the list; the simulator reads it from the schema.
    assert.deepEqual([...IDEMPOTENT_MUTATIONS].sort(), [...idempotentMutations(loadAdminSchema('2026-10'))].sort());
  });

  it('adds @idempotent(key: $idempotencyKey) to mutations that require it and leaves other documents as they are', () => {
    const source = `mutation Adjust($input: InventoryAdjustQuantitiesInput!) {
      inventoryAdjustQuantities(input: $input) { userErrors { field message code } }
    }`;
    const updated = withIdempotentDirective(source);
    assert.deepEqual(missingIdempotentDirectives(parse(source)), ['inventoryAdjustQuantities']);
    assert.deepEqual(missingIdempotentDirectives(parse(updated)), []);
    assert.match(updated, /mutation Adjust\(\$input: InventoryAdjustQuantitiesInput!, \$idempotencyKey: String!\)/);
    assert.match(updated, /inventoryAdjustQuantities\(input: \$input\) @idempotent\(key: \$idempotencyKey\)/);
    assert.deepEqual(
      validate(loadAdminSchema('2026-10'), parse(updated)).map((e) => e.message),
      [],
    );
    const other = 'mutation Tag($id: ID!) { tagsAdd(id: $id, tags: ["x"]) { userErrors { message } } }';
    assert.equal(withIdempotentDirective(other), other);
  });
});
