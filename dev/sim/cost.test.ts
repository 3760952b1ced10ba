import assert from 'node:assert/strict';
import { Kind, getOperationAST, parse, type FragmentDefinitionNode } from 'graphql';
import { loadAdminSchema } from '../testing/shopify-schema.js';
import { actualQueryCost, requestedQueryCost } from './cost.js';

const schema = loadAdminSchema('2026-10');

function costRequest(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return { schema, operation: getOperationAST(document)!, fragments, variables };
}

const requested = (query: string, variables: Record<string, unknown> = {}) => requestedQueryCost(costRequest(query, variables));

describe('sim cost (Shopify default field costs)', () => {
  it('prices scalars at 0 and an object at 1', () => {
    assert.equal(requested('{ shop { name currencyCode } }'), 1);
  });

  it('prices a connection at 2 + first × node cost', () => {
    assert.equal(requested('{ products(first: 10) { edges { node { title } } } }'), 12);
    assert.equal(requested('{ products(first: 10) { nodes { id title } pageInfo { hasNextPage } } }'), 12);
  });

  it('multiplies nested connections', () => {
    // per product: 1 + variants(2 + 5 × 1) = 8 → 2 + 10 × 8
    assert.equal(requested('{ products(first: 10) { nodes { title variants(first: 5) { nodes { sku } } } } }'), 82);
  });

  it('reads page sizes from variables and honours @include/@skip', () => {
    const q = 'query($n: Int!, $with: Boolean!) { orders(first: $n) { nodes { id customer @include(if: $with) { id } } } }';
    assert.equal(requested(q, { n: 20, with: true }), 2 + 20 * 2);
    assert.equal(requested(q, { n: 20, with: false }), 2 + 20 * 1);
  });

  it('counts fragments once per concrete type', () => {
    const q = 'query { orders(first: 2) { nodes { ...O } } } fragment O on Order { id shippingAddress { city } customer { id } }';
    assert.equal(requested(q), 2 + 2 * 3);
  });

  it('prices the incremental order pull the sidecar sends', () => {
    const q = `query($q: String!, $after: String) { orders(first: 50, after: $after, query: $q, sortKey: UPDATED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes { id name updatedAt totalPriceSet { shopMoney { amount currencyCode } }
        lineItems(first: 20) { nodes { id sku quantity originalUnitPriceSet { shopMoney { amount } } } } } } }`;
    // order: 1 + totalPriceSet(1 + shopMoney 1) + lineItems(2 + 20 × (1 + set 1 + shopMoney 1)) = 1 + 2 + 62 = 65
    assert.equal(requested(q, { q: "updated_at:>'2026-01-01'" }), 2 + 50 * 65);
  });

  it('prices every root mutation field at 10', () => {
    assert.equal(
      requested('mutation { customerDelete(input: { id: "gid://shopify/Customer/1" }) { deletedCustomerId userErrors { field } } }'),
      10,
    );
    assert.equal(
      requested(
        'mutation { a: customerDelete(input: { id: "gid://shopify/Customer/1" }) { deletedCustomerId } b: customerDelete(input: { id: "gid://shopify/Customer/2" }) { deletedCustomerId } }',
      ),
      20,
    );
  });

  it('prices an interface at the most expensive possible type', () => {
    // node(id:) is a Node: Order selects 2 objects, Product none → 1 + 2
    assert.equal(
      requested('{ node(id: "x") { id ... on Order { customer { id } shippingAddress { city } } ... on Product { title } } }'),
      3,
    );
  });

  it('computes the actual cost from the nodes really returned', () => {
    const request = costRequest('{ products(first: 10) { nodes { title variants(first: 5) { nodes { sku } } } } }');
    const data = { products: { nodes: [{ title: 'a', variants: { nodes: [{ sku: '1' }, { sku: '2' }] } }] } };
    // 2 + one product × (1 + 2 + 2 × 1)
    assert.equal(actualQueryCost(request, data), 7);
  });
});
