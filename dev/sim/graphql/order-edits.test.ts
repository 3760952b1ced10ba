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

  describe('shipping lines', () => {
    const ADD_SHIPPING = `mutation($id: ID!, $line: OrderEditAddShippingLineInput!) { orderEditAddShippingLine(id: $id, shippingLine: $line) {
      calculatedShippingLine { id title price { shopMoney { amount currencyCode } } stagedStatus } userErrors { field message code } } }`;
    const UPDATE_SHIPPING = `mutation($id: ID!, $sl: ID!, $line: OrderEditUpdateShippingLineInput!) {
      orderEditUpdateShippingLine(id: $id, shippingLineId: $sl, shippingLine: $line) {
        calculatedOrder { shippingLines { id title price { shopMoney { amount } } stagedStatus } } userErrors { field message code } } }`;
    const REMOVE_SHIPPING = `mutation($id: ID!, $sl: ID!) { orderEditRemoveShippingLine(id: $id, shippingLineId: $sl) {
      calculatedOrder { shippingLines { id stagedStatus } } userErrors { field message code } } }`;
    const READ = `query($id: ID!) { order(id: $id) {
      currentTotalPriceSet { shopMoney { amount } } currentTotalTaxSet { shopMoney { amount } } totalOutstandingSet { shopMoney { amount } }
      displayFinancialStatus
      shown: shippingLines(first: 5) { nodes { id title isRemoved originalPriceSet { shopMoney { amount } } taxLines { rate priceSet { shopMoney { amount } } } } }
      all: shippingLines(first: 5, includeRemovals: true) { nodes { id title isRemoved originalPriceSet { shopMoney { amount } } } } } }`;
    const taxed = {
      ...SAMPLE_ORDER,
      shippingLines: [{ title: 'Standard', price: '5.00', taxLines: [{ title: 'VAT', rate: 0.21, price: '1.05' }] }],
    };

    async function begin(order: { admin_graphql_api_id: string }) {
      const begun = (await gqlData(sim(), BEGIN, { id: order.admin_graphql_api_id })).orderEditBegin;
      return begun.calculatedOrder.id as string;
    }
    let current: ReturnType<typeof testSimulator>['sim'];
    const sim = () => current;
    async function placedTaxed(financialStatus = 'paid') {
      current = testSimulator().sim;
      await control(current, 'post', '/webhooks/subscriptions', { topic: 'orders/edited', uri: 'https://receiver.example/hooks' });
      const res = await control(current, 'post', '/orders', { ...taxed, financialStatus });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as { id: number; admin_graphql_api_id: string; shipping_lines: Array<{ id: number }> };
    }

    it('a shipping line lowered on a paid order: the money received stays what was paid (the edit balance is owed back), also after it is refunded', async () => {
      const order = await placedTaxed();
      const RECEIVED = `query($id: ID!) { order(id: $id) { totalReceivedSet { shopMoney { amount } } currentTotalPriceSet { shopMoney { amount } } } }`;
      const read = async () => {
        const o = (await gqlData(sim(), RECEIVED, { id: order.admin_graphql_api_id })).order;
        return [o.totalReceivedSet.shopMoney.amount, o.currentTotalPriceSet.shopMoney.amount];
      };
      assert.deepEqual(await read(), ['29.04', '29.04']);
      const edited = await control(sim(), 'post', `/orders/${order.id}/edit`, {
        shipping: { update: [{ id: order.shipping_lines[0]!.id, price: '3.00' }] },
      });
      assert.equal(edited.status, 200, JSON.stringify(edited.body));
      // 5.00 + 1.05 VAT became 3.00 + 0.63: 2.42 owed to the customer.
      assert.deepEqual(await read(), ['29.04', '26.62']);
      const refunded = await control(sim(), 'post', `/orders/${order.id}/refunds`, { amount: '2.42', note: 'edit balance' });
      assert.equal(refunded.status, 201, JSON.stringify(refunded.body));
      // "Received from the customer before returns": a refund does not lower it.
      assert.deepEqual(await read(), ['29.04', '26.62']);
    });

    it('updates, adds and removes shipping lines: current totals, taxes, isRemoved and includeRemovals, orders/edited', async () => {
      const order = await placedTaxed();
      // 2 × 9.50 + 3.99 VAT + 5.00 shipping + 1.05 VAT = 29.04
      const before = (await gqlData(sim(), READ, { id: order.admin_graphql_api_id })).order;
      assert.equal(before.currentTotalPriceSet.shopMoney.amount, '29.04');
      const standard = `gid://shopify/CalculatedShippingLine/${order.shipping_lines[0]!.id}`;
      const id = await begin(order);
      const updated = (
        await gqlData(sim(), UPDATE_SHIPPING, { id, sl: standard, line: { price: { amount: '3.00', currencyCode: 'EUR' } } })
      ).orderEditUpdateShippingLine;
      assert.deepEqual(updated.userErrors, []);
      assert.deepEqual(
        updated.calculatedOrder.shippingLines.map(
          (l: { title: string; price: { shopMoney: { amount: string } }; stagedStatus: string }) => [
            l.title,
            l.price.shopMoney.amount,
            l.stagedStatus,
          ],
        ),
        [['Standard', '3.00', 'NONE']],
      );
      const added = (await gqlData(sim(), ADD_SHIPPING, { id, line: { title: 'Express', price: { amount: '7.00', currencyCode: 'EUR' } } }))
        .orderEditAddShippingLine;
      assert.deepEqual(added.userErrors, []);
      assert.deepEqual(
        [
          added.calculatedShippingLine.title,
          added.calculatedShippingLine.price.shopMoney.amount,
          added.calculatedShippingLine.stagedStatus,
        ],
        ['Express', '7.00', 'ADDED'],
      );
      // Staged only.
      assert.equal((await gqlData(sim(), READ, { id: order.admin_graphql_api_id })).order.currentTotalPriceSet.shopMoney.amount, '29.04');
      assert.deepEqual((await gqlData(sim(), COMMIT, { id })).orderEditCommit.userErrors, []);
      const after = (await gqlData(sim(), READ, { id: order.admin_graphql_api_id })).order;
      // 22.99 + 3.00 + 0.63 VAT + 7.00 + 1.47 VAT = 35.09, of which 6.05 is still to pay.
      assert.deepEqual(
        after.shown.nodes.map(
          (l: {
            title: string;
            isRemoved: boolean;
            originalPriceSet: { shopMoney: { amount: string } };
            taxLines: Array<{ priceSet: { shopMoney: { amount: string } } }>;
          }) => [l.title, l.isRemoved, l.originalPriceSet.shopMoney.amount, l.taxLines.map((t) => t.priceSet.shopMoney.amount)],
        ),
        [
          ['Standard', false, '3.00', ['0.63']],
          ['Express', false, '7.00', ['1.47']],
        ],
      );
      assert.deepEqual(
        [
          after.currentTotalPriceSet.shopMoney.amount,
          after.currentTotalTaxSet.shopMoney.amount,
          after.totalOutstandingSet.shopMoney.amount,
        ],
        ['35.09', '6.09', '6.05'],
      );
      assert.equal(after.displayFinancialStatus, 'PARTIALLY_PAID');

      // A second edit removes the updated line: hidden by default, listed with includeRemovals.
      const second = await begin(order);
      const removed = (await gqlData(sim(), REMOVE_SHIPPING, { id: second, sl: standard })).orderEditRemoveShippingLine;
      assert.deepEqual(removed.userErrors, []);
      assert.deepEqual(
        removed.calculatedOrder.shippingLines.map((l: { stagedStatus: string }) => l.stagedStatus),
        ['REMOVED', 'NONE'],
      );
      assert.deepEqual((await gqlData(sim(), COMMIT, { id: second })).orderEditCommit.userErrors, []);
      const last = (await gqlData(sim(), READ, { id: order.admin_graphql_api_id })).order;
      assert.deepEqual(
        last.shown.nodes.map((l: { title: string }) => l.title),
        ['Express'],
      );
      assert.deepEqual(
        last.all.nodes.map((l: { title: string; isRemoved: boolean }) => [l.title, l.isRemoved]),
        [
          ['Standard', true],
          ['Express', false],
        ],
      );
      assert.equal(last.currentTotalPriceSet.shopMoney.amount, '31.46');
      const edits = sim()
        .state.deliveries.filter((d) => d.topic === 'orders/edited')
        .map((d) => (JSON.parse(d.body) as { order_edit: { shipping_lines: unknown } }).order_edit.shipping_lines);
      assert.equal(edits.length, 2);
      // The update changed the line in place: listed in neither.
      assert.deepEqual(edits[0], { additions: [{ id: sim().state.orders[0]!.shippingLines[1]!.id }], removals: [] });
      assert.deepEqual(edits[1], { additions: [], removals: [{ id: order.shipping_lines[0]!.id }] });
    });

    it('answers userErrors (code INVALID) for an unknown or removed line, a blank title and another currency; changes nothing', async () => {
      const order = await placedTaxed();
      const id = await begin(order);
      const unknown = (await gqlData(sim(), REMOVE_SHIPPING, { id, sl: 'gid://shopify/CalculatedShippingLine/999999' }))
        .orderEditRemoveShippingLine;
      assert.deepEqual(
        [unknown.calculatedOrder, unknown.userErrors],
        [null, [{ field: ['shippingLineId'], message: 'The shipping line does not exist on the order edit', code: 'INVALID' }]],
      );
      const blank = (await gqlData(sim(), ADD_SHIPPING, { id, line: { title: ' ', price: { amount: '1.00', currencyCode: 'EUR' } } }))
        .orderEditAddShippingLine;
      assert.deepEqual(blank.userErrors, [{ field: ['shippingLine', 'title'], message: 'Title must not be blank', code: 'INVALID' }]);
      const usd = (await gqlData(sim(), ADD_SHIPPING, { id, line: { title: 'X', price: { amount: '1.00', currencyCode: 'USD' } } }))
        .orderEditAddShippingLine;
      assert.deepEqual(usd.userErrors[0].field, ['shippingLine', 'price', 'currencyCode']);
      const standard = `gid://shopify/CalculatedShippingLine/${order.shipping_lines[0]!.id}`;
      assert.deepEqual((await gqlData(sim(), REMOVE_SHIPPING, { id, sl: standard })).orderEditRemoveShippingLine.userErrors, []);
      const again = (await gqlData(sim(), UPDATE_SHIPPING, { id, sl: standard, line: { title: 'Y' } })).orderEditUpdateShippingLine;
      assert.equal(again.userErrors[0].code, 'INVALID');
      assert.equal(sim().state.orders[0]!.shippingLines[0]!.removed, undefined, 'staged only');
    });
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
