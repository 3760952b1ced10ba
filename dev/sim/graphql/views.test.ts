/**
 * Every field a view defines must exist in Shopify's schema and resolve without a GraphQL error
 * (right enum values, no null in a non-null field). The selection is generated from the views
 * themselves, so a field added to a view is checked without touching this test.
 */
import assert from 'node:assert/strict';
import {
  getNamedType,
  isCompositeType,
  isLeafType,
  isObjectType,
  isUnionType,
  isInterfaceType,
  isNonNullType,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';
import { loadAdminSchema } from '../../testing/shopify-schema.js';
import { control, gql, testSimulator, SAMPLE_ORDER } from '../test-support.js';
import { nodeById } from './queries.js';

const schema = loadAdminSchema('2026-10');

/** Arguments for fields that require them. */
const REQUIRED_ARGS: Record<string, string> = {
  names: '["available", "committed", "on_hand", "reserved"]',
  locationId: '"gid://shopify/Location/101"',
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

function call(value: unknown, args: Record<string, unknown>): unknown {
  return typeof value === 'function' ? (value as (a: unknown, c: unknown, i: unknown) => unknown)(args, {}, { returnType: null }) : value;
}

/** Builds a selection of every field `view` defines on `type`, `depth` levels deep. */
function selection(type: GraphQLObjectType, view: Record<string, unknown>, depth: number, unknown: string[]): string {
  const parts: string[] = [];
  for (const key of Object.keys(view)) {
    if (key === '__typename') continue;
    const field = type.getFields()[key] as GraphQLField<unknown, unknown> | undefined;
    if (!field) {
      unknown.push(`${type.name}.${key}`);
      continue;
    }
    const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
    if (required.some((a) => !REQUIRED_ARGS[a.name])) continue;
    const named = getNamedType(field.type);
    const isConnection = named.name.endsWith('Connection') && field.args.some((a) => a.name === 'first');
    const argList = [
      ...required.map((a) => `${a.name}: ${REQUIRED_ARGS[a.name]}`),
      ...(isConnection || field.args.some((a) => a.name === 'first') ? ['first: 2'] : []),
    ];
    const head = argList.length ? `${key}(${argList.join(', ')})` : key;
    if (isLeafType(named)) {
      parts.push(head);
      continue;
    }
    if (depth === 0 || !isCompositeType(named)) continue;
    let value = call(view[key], { first: 2, names: ['available'], locationId: 'gid://shopify/Location/101' });
    if (isConnection) value = (value as Any)?.nodes?.[0];
    if (Array.isArray(value)) value = value[0];
    if (!value || typeof value !== 'object') continue;
    const declared = isConnection && isObjectType(named) ? getNamedType(named.getFields().nodes!.type) : named;
    const target = isObjectType(declared) ? declared : (schema.getType((value as Any).__typename) as GraphQLObjectType | undefined);
    if (!target) continue;
    const inner = selection(target, value as Record<string, unknown>, depth - 1, unknown);
    if (!inner) continue;
    const body = isUnionType(declared) || isInterfaceType(declared) ? `__typename ... on ${target.name} { ${inner} }` : inner;
    parts.push(isConnection ? `${head} { nodes { ${body} } pageInfo { hasNextPage } }` : `${head} { ${body} }`);
  }
  return parts.join(' ');
}

describe('sim views match the schema', () => {
  it('resolves every view field of every record type without errors', async function () {
    this.timeout(20_000);
    const { sim } = testSimulator({ plan: 'enterprise' });
    const order = (
      await control(sim, 'post', '/orders', {
        ...SAMPLE_ORDER,
        discountCode: 'X',
        lines: [{ sku: 'SIM-MUG', quantity: 2, discount: '1.00', taxLines: [{ title: 'VAT', rate: 0.21, price: '3.78' }] }],
      })
    ).body;
    await control(sim, 'post', `/orders/${order.id}/fulfillments`, {
      lines: [{ sku: 'SIM-MUG', quantity: 1 }],
      tracking: { company: 'UPS', number: '1', url: 'https://u.example/1' },
    });
    await control(sim, 'post', `/orders/${order.id}/refunds`, {
      lines: [{ sku: 'SIM-MUG', quantity: 1, restock: true }],
      shipping: '1.00',
    });
    const ret = (await control(sim, 'post', `/orders/${order.id}/returns`, { lines: [{ sku: 'SIM-MUG', quantity: 1 }] })).body;
    await control(sim, 'patch', `/customers/${order.customer.id}`, {
      phone: '+3225550000',
      addresses: [{ address1: 'x', city: 'y', country_code: 'BE' }],
    });
    await control(sim, 'post', '/webhooks/subscriptions', { topic: 'orders/create', uri: 'https://x.example', source: 'api' });
    const s = sim.state;
    const gids = [
      order.admin_graphql_api_id,
      `gid://shopify/Product/${s.products[0]!.id}`,
      `gid://shopify/ProductVariant/${s.variants[0]!.id}`,
      `gid://shopify/InventoryItem/${s.inventoryItems[0]!.id}`,
      `gid://shopify/Location/101`,
      `gid://shopify/InventoryLevel/101?inventory_item_id=${s.inventoryItems[0]!.id}`,
      `gid://shopify/FulfillmentOrder/${s.fulfillmentOrders[0]!.id}`,
      `gid://shopify/Fulfillment/${s.fulfillments[0]!.id}`,
      `gid://shopify/Refund/${s.refunds[0]!.id}`,
      `gid://shopify/Return/${ret.id}`,
      `gid://shopify/Customer/${order.customer.id}`,
      `gid://shopify/WebhookSubscription/${s.subscriptions[0]!.id}`,
    ];
    const unknown: string[] = [];
    for (const id of gids) {
      const view = nodeById(s, id) as Record<string, unknown> & { __typename: string };
      assert.ok(view, `no record for ${id}`);
      const type = schema.getType(view.__typename) as GraphQLObjectType;
      const query = `query($id: ID!) { node(id: $id) { ... on ${type.name} { ${selection(type, view, 2, unknown)} } } }`;
      const res = await gql(sim, query, { id });
      sim.bucket.setAvailable(40000);
      assert.deepEqual(res.body.errors ?? [], [], `${type.name}: ${query}`);
      assert.ok(res.body.data.node, `${type.name} resolved`);
    }
    const shop = await gql(
      sim,
      `{ shop { ${selection(schema.getType('Shop') as GraphQLObjectType, (await import('./views.js')).shopView(s), 2, unknown)} } }`,
    );
    assert.deepEqual(shop.body.errors ?? [], []);
    assert.deepEqual(unknown, [], 'view keys that are not schema fields');
  });
});
