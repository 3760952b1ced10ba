import assert from 'node:assert/strict';
import { control, gqlData, testSimulator, SAMPLE_ORDER } from '../test-support.js';

const BEGIN = `mutation($id: ID!) { orderEditBegin(id: $id) {
  calculatedOrder { id committed subtotalLineItemsQuantity lineItems(first: 10) { nodes { id sku quantity editableQuantity } } }
  orderEditSession { id } userErrors { field message } } }`;
const SET = `mutation($id: ID!, $line: ID!, $q: Int!) { orderEditSetQuantity(id: $id, lineItemId: $line, quantity: $q, restock: true) {
  calculatedLineItem { id quantity editableQuantity restocking } userErrors { field message } } }`;
const ADD = `mutation($id: ID!, $variant: ID!, $q: Int!) { orderEditAddVariant(id: $id, variantId: $variant, quantity: $q) {
  calculatedLineItem { id sku quantity } calculatedOrder { subtotalLineItemsQuantity } userErrors { field message } } }`;
const COMMIT = `mutation($id: ID!) { orderEditCommit(id: $id, staffNote: "by phone") {
  order { id edited lineItems(first: 10) { nodes { sku quantity currentQuantity } } } successMessages userErrors { field message } } }`;

describe('sim orderEdit* mutations', () => {
  async function placed() {
    const { sim } = testSimulator();
    await control(sim, 'post', '/webhooks/subscriptions', { topic: 'orders/edited', uri: 'https://receiver.example/hooks' });
    const res = await control(sim, 'post', '/orders', SAMPLE_ORDER);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { sim, order: res.body as { id: number; admin_graphql_api_id: string } };
  }

  it('stages changes without touching the order, then commits them as one edit with orders/edited', async () => {
    const { sim, order } = await placed();
    const begun = (await gqlData(sim, BEGIN, { id: order.admin_graphql_api_id })).orderEditBegin;
    assert.deepEqual(begun.userErrors, []);
    assert.match(begun.calculatedOrder.id, /^gid:\/\/shopify\/CalculatedOrder\/\d+$/);
    assert.equal(begun.orderEditSession.id.split('/').pop(), begun.calculatedOrder.id.split('/').pop());
    const [mug] = begun.calculatedOrder.lineItems.nodes;
    assert.deepEqual([mug.sku, mug.quantity, mug.editableQuantity], ['SIM-MUG', 2, 2]);
    // The session id works as well as the calculated order id (2025-10 and later).
    const set = (await gqlData(sim, SET, { id: begun.orderEditSession.id, line: mug.id, q: 1 })).orderEditSetQuantity;
    assert.deepEqual(set.userErrors, []);
    assert.deepEqual(
      [set.calculatedLineItem.quantity, set.calculatedLineItem.editableQuantity, set.calculatedLineItem.restocking],
      [1, 1, true],
    );
    const tee = sim.state.variants.find((v) => v.sku === 'SIM-TSHIRT-S')!;
    const added = (await gqlData(sim, ADD, { id: begun.calculatedOrder.id, variant: `gid://shopify/ProductVariant/${tee.id}`, q: 2 }))
      .orderEditAddVariant;
    assert.deepEqual(added.userErrors, []);
    assert.deepEqual(
      [added.calculatedLineItem.sku, added.calculatedLineItem.quantity, added.calculatedOrder.subtotalLineItemsQuantity],
      ['SIM-TSHIRT-S', 2, 3],
    );
    // Staged only: the order and its webhooks are unchanged.
    const before = sim.state.orders.find((o) => o.id === order.id)!;
    assert.deepEqual([before.lineItems.length, before.lineItems[0]!.removedQuantity ?? 0], [1, 0]);
    assert.equal(sim.state.deliveries.filter((d) => d.topic === 'orders/edited').length, 0);
    const committed = (await gqlData(sim, COMMIT, { id: begun.calculatedOrder.id })).orderEditCommit;
    assert.deepEqual(committed.userErrors, []);
    assert.equal(committed.order.edited, true);
    assert.deepEqual(
      committed.order.lineItems.nodes.map((l: { sku: string; quantity: number; currentQuantity: number }) => [
        l.sku,
        l.quantity,
        l.currentQuantity,
      ]),
      [
        ['SIM-MUG', 2, 1],
        ['SIM-TSHIRT-S', 2, 2],
      ],
    );
    const edits = sim.state.deliveries.filter((d) => d.topic === 'orders/edited');
    assert.equal(edits.length, 1);
    const edit = (
      JSON.parse(edits[0]!.body) as {
        order_edit: { staff_note: string; line_items: { additions: unknown[]; removals: Array<{ delta: number }> } };
      }
    ).order_edit;
    assert.equal(edit.staff_note, 'by phone');
    assert.deepEqual([edit.line_items.additions.length, edit.line_items.removals.map((r) => r.delta)], [1, [1]]);
    // A committed session is closed.
    const again = (await gqlData(sim, COMMIT, { id: begun.calculatedOrder.id })).orderEditCommit;
    assert.deepEqual([again.order, again.userErrors[0].message], [null, 'The order edit has already been committed']);
  });

  it('refuses at commit to remove units Shopify already fulfilled, and changes nothing', async () => {
    const { sim, order } = await placed();
    const fulfilled = await control(sim, 'post', `/orders/${order.id}/fulfillments`, { lines: [{ sku: 'SIM-MUG', quantity: 1 }] });
    assert.equal(fulfilled.status, 201, JSON.stringify(fulfilled.body));
    const begun = (await gqlData(sim, BEGIN, { id: order.admin_graphql_api_id })).orderEditBegin;
    const [mug] = begun.calculatedOrder.lineItems.nodes;
    assert.equal(mug.editableQuantity, 1);
    assert.deepEqual((await gqlData(sim, SET, { id: begun.calculatedOrder.id, line: mug.id, q: 0 })).orderEditSetQuantity.userErrors, []);
    const committed = (await gqlData(sim, COMMIT, { id: begun.calculatedOrder.id })).orderEditCommit;
    assert.equal(committed.order, null);
    assert.match(committed.userErrors[0].message, /Only unfulfilled units can be removed: 1 unfulfilled/);
    assert.equal(sim.state.orders.find((o) => o.id === order.id)!.lineItems[0]!.removedQuantity ?? 0, 0);
  });

  it('refuses to edit a cancelled order and an unknown session', async () => {
    const { sim, order } = await placed();
    assert.equal((await control(sim, 'post', `/orders/${order.id}/cancel`, { reason: 'customer' })).status, 200);
    const begun = (await gqlData(sim, BEGIN, { id: order.admin_graphql_api_id })).orderEditBegin;
    assert.deepEqual([begun.calculatedOrder, begun.userErrors[0].message], [null, 'The order cannot be edited: it is cancelled']);
    const unknown = (await gqlData(sim, COMMIT, { id: 'gid://shopify/CalculatedOrder/999999' })).orderEditCommit;
    assert.equal(unknown.userErrors[0].message, 'The order edit does not exist');
  });
});
