import assert from 'node:assert/strict';
import request from 'supertest';
import { control, gql, gqlData, testSimulator } from '../test-support.js';

const STAGE = `mutation($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) { stagedTargets { url parameters { name value } } userErrors { message } }
}`;
const RUN_MUTATION = `mutation($mutation: String!, $path: String!) {
  bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $path) { bulkOperation { id status } userErrors { code message } }
}`;
const RUN_QUERY = `mutation($query: String!) {
  bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { code message } }
}`;
const POLL = `query($id: ID!) { bulkOperation(id: $id) { status objectCount rootObjectCount url type } }`;
const PRODUCT_SET = `mutation($input: ProductSetInput!) { productSet(input: $input, synchronous: true) { product { id handle } userErrors { message } } }`;

type Sim = ReturnType<typeof testSimulator>['sim'];

async function stage(sim: Sim, body: string): Promise<string> {
  const data = await gqlData(sim, STAGE, {
    input: [{ resource: 'BULK_MUTATION_VARIABLES', filename: 'v.jsonl', mimeType: 'text/jsonl', httpMethod: 'PUT' }],
  });
  const target = data.stagedUploadsCreate.stagedTargets[0];
  const key = target.parameters.find((p: { name: string }) => p.name === 'key').value as string;
  const url = new URL(target.url as string);
  const put = await request(sim.app).put(url.pathname).set('Content-Type', 'text/jsonl').send(body);
  assert.equal(put.status, 200);
  return key;
}

async function resultLines(sim: Sim, url: string): Promise<Record<string, unknown>[]> {
  const res = await request(sim.app).get(new URL(url).pathname);
  assert.equal(res.status, 200);
  return String(res.text)
    .split('\n')
    .filter((l) => l)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('sim bulk operations', () => {
  it('runs a bulk productSet over a staged JSONL file in the background, without charging the bucket per line', async () => {
    const { sim, clock } = testSimulator({ demoCatalog: false });
    const lines = Array.from({ length: 450 }, (_, i) => JSON.stringify({ input: { title: `Bulk ${i}`, handle: `bulk-${i}` } }));
    const key = await stage(sim, `${lines.join('\n')}\n`);
    const before = sim.bucket.available();
    const run = await gqlData(sim, RUN_MUTATION, { mutation: PRODUCT_SET, path: key });
    assert.deepEqual(run.bulkOperationRunMutation.userErrors, []);
    const id = run.bulkOperationRunMutation.bulkOperation.id as string;
    assert.equal(run.bulkOperationRunMutation.bulkOperation.status, 'CREATED');
    assert.equal(sim.state.products.length, 0, 'nothing runs before the clock moves');
    await clock.advance(1);
    const done = (await gqlData(sim, POLL, { id })).bulkOperation;
    assert.equal(done.status, 'COMPLETED');
    assert.equal(done.objectCount, '450');
    assert.equal(sim.state.products.length, 450);
    // Only the calls were charged (10 + 1 + 10 + 1 points at most), not 450 mutations.
    assert.ok(before - sim.bucket.available() < 30, `charged ${before - sim.bucket.available()}`);
    const results = await resultLines(sim, done.url as string);
    assert.equal(results.length, 450);
    assert.equal((results[7] as { __lineNumber: number }).__lineNumber, 7);
    assert.equal((results[7]!.data as { productSet: { product: { handle: string } } }).productSet.product.handle, 'bulk-7');
  });

  it('refuses a missing file, a malformed file and a second mutation field with the 2026-10 error codes', async () => {
    const { sim } = testSimulator({ demoCatalog: false });
    const missing = await gqlData(sim, RUN_MUTATION, { mutation: PRODUCT_SET, path: 'tmp/nope' });
    assert.equal(missing.bulkOperationRunMutation.userErrors[0].code, 'NO_SUCH_FILE');
    const bad = await gqlData(sim, RUN_MUTATION, { mutation: PRODUCT_SET, path: await stage(sim, 'not json\n') });
    assert.equal(bad.bulkOperationRunMutation.userErrors[0].code, 'INVALID_STAGED_UPLOAD_FILE');
    const two = await gqlData(sim, RUN_MUTATION, {
      mutation: `mutation($input: ProductSetInput!) { a: productSet(input: $input) { product { id } } b: productSet(input: $input) { product { id } } }`,
      path: await stage(sim, '{}\n'),
    });
    assert.equal(two.bulkOperationRunMutation.userErrors[0].code, 'INVALID_MUTATION');
  });

  it('exports a query with a nested connection as JSONL lines with __parentId, paging past 250 roots', async () => {
    const { sim, clock } = testSimulator({ demoCatalog: false });
    for (let i = 0; i < 260; i++) await control(sim, 'post', '/products', { title: `P${i}`, sku: `SKU-${i}`, price: '1.00' });
    const run = await gqlData(sim, RUN_QUERY, { query: '{ products { nodes { id title variants { nodes { id sku } } } } }' });
    const id = run.bulkOperationRunQuery.bulkOperation.id as string;
    await clock.advance(1);
    const done = (await gqlData(sim, POLL, { id })).bulkOperation;
    assert.equal(done.status, 'COMPLETED');
    assert.equal(done.rootObjectCount, '260');
    assert.equal(done.objectCount, '520');
    const lines = await resultLines(sim, done.url as string);
    const product = lines.find((l) => l.title === 'P259')!;
    const variant = lines.find((l) => l.sku === 'SKU-259')!;
    assert.equal(variant.__parentId, product.id);
    assert.equal(product.variants, undefined);
  });

  it('refuses a bulk query without a connection, or with a nested connection whose parent has no id', async () => {
    const { sim } = testSimulator({ demoCatalog: false });
    const none = await gqlData(sim, RUN_QUERY, { query: '{ shop { name } }' });
    assert.equal(none.bulkOperationRunQuery.userErrors[0].code, 'INVALID');
    const noId = await gqlData(sim, RUN_QUERY, { query: '{ products { nodes { title variants { nodes { sku } } } } }' });
    assert.match(noId.bulkOperationRunQuery.userErrors[0].message, /must select the 'id' field/);
    // A single call with the same document would be refused for the missing page size.
    const single = await gql(sim, '{ products { nodes { id } } }');
    assert.ok(single.body.errors);
  });
});
