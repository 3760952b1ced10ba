/**
 * The catalog in bulk end to end: Odoo double → one bulkOperationRunMutation of productSet in the
 * simulator → bindings written back; the catalog read back with one bulkOperationRunQuery.
 */
import assert from 'node:assert/strict';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { simProduct, startFlowStack, type FlowStack } from '../../../dev/testing/inventory-stack.js';
import { syncTemplate } from './apply.js';
import { pushCatalogInBulk, reconcileCatalog } from './bulk.js';

describe('catalog in bulk (simulator, PostgreSQL, Odoo double)', () => {
  let f: FlowStack;
  const templates: number[] = [];
  let noSku: number;

  before(async () => {
    // No flow workers: the functions are called directly, as the bench and an operator run them.
    f = await startFlowStack(await testDatabase('flow_catalog_bulk'), {}, []);
    for (let i = 0; i < 12; i++) {
      const created = await f.merchant.createProduct({ name: `Bulk item ${i}`, price: '3.00', variants: [{ sku: `BULK-${i}` }] });
      templates.push(created.template_id);
    }
    noSku = (await f.merchant.createProduct({ name: 'No SKU yet', price: '1.00', variants: [{ sku: null }] })).template_id;
  });
  after(async () => {
    await f?.stack.stop();
  });

  it('pushes every template in one bulk mutation, records the bindings, and costs only the calls that run it', async () => {
    const before = { points: f.stack.sim.stats.pointsCharged, requests: f.stack.sim.stats.requests };
    const result = await pushCatalogInBulk(f.ctx, { runId: 't1', pollMs: 20 });
    assert.deepEqual(result, { templates: 13, pushed: 12, unchanged: 0, failed: 0, notPushed: 1, recorded: 13 });
    // stagedUploadsCreate + bulkOperationRunMutation (10 each) and the polls (1 each), not 12 × 10.
    const points = f.stack.sim.stats.pointsCharged - before.points;
    assert.ok(points < 12 * 10, `charged ${points} points in ${f.stack.sim.stats.requests - before.requests} calls`);
    for (const [i, id] of templates.entries()) {
      const t = f.odoo.template(id);
      assert.equal(t.binding.state, 'synced', `template ${id}`);
      const product = simProduct(f.stack, `odoo-product-${id}`)!;
      assert.equal(t.binding.shopify_gid, product.gid);
      assert.equal(product.variants[0]!.sku, `BULK-${i}`);
    }
    assert.equal(f.odoo.template(noSku).binding.state, 'error');
    assert.match(f.odoo.template(noSku).binding.message ?? '', /no variant has a SKU/);
  });

  it('leaves unchanged templates alone the next time, so a single push after it is a no-op too', async () => {
    const result = await pushCatalogInBulk(f.ctx, { runId: 't2', pollMs: 20 });
    assert.deepEqual(result, { templates: 13, pushed: 0, unchanged: 12, failed: 0, notPushed: 1, recorded: 1 });
    const outcome = await syncTemplate(f.ctx, templates[0]!);
    assert.equal(outcome.outcome, 'unchanged');
  });

  it('reads the catalog back with one bulk query and reports templates Shopify no longer has as recorded', async () => {
    const clean = await reconcileCatalog(f.ctx, 20);
    assert.deepEqual(clean, { templates: 13, matching: 12, drifted: [], unbound: [noSku], unpushed: [], differences: [] });
    // A product deleted in Shopify's admin: its template is reported, the others still match.
    const state = f.stack.sim.state;
    const gone = simProduct(f.stack, `odoo-product-${templates[3]}`)!.id;
    state.products = state.products.filter((p) => p.id !== gone);
    const drifted = await reconcileCatalog(f.ctx, 20);
    assert.deepEqual(
      { ...drifted, differences: drifted.differences.map((d) => [d.templateId, d.kind]) },
      {
        templates: 13,
        matching: 11,
        drifted: [templates[3]],
        unbound: [noSku],
        unpushed: [],
        differences: [[templates[3], 'product_missing']],
      },
    );
  });
});
