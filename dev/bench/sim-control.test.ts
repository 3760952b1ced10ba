/**
 * The full-sync bench's simulator in a child process (./sim-control.ts, ./sim-process.ts): it
 * serves the same Admin API as the in-process one, answers the bench's operations by IPC, reports
 * an operation's failure by name, and ends with its channel (no process left behind).
 */
import assert from 'node:assert/strict';
import { STACK_SECRET, STACK_SHOP, STACK_TOKEN } from '../testing/stack.js';
import { startChildSimulator, type SimControl } from './sim-control.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function graphql(sim: SimControl, query: string): Promise<{ data?: Record<string, unknown>; errors?: unknown }> {
  const response = await fetch(`${sim.url}/admin/api/2026-10/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': STACK_TOKEN },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
}

describe('bench: the simulator in a child process', () => {
  it('serves the Admin API, answers the bench by IPC, and ends when closed', async function () {
    this.timeout(120_000);
    const sim = await startChildSimulator({
      shopDomain: STACK_SHOP,
      accessToken: STACK_TOKEN,
      apiSecret: STACK_SECRET,
      demoCatalog: false,
      plan: 'advanced',
    });
    try {
      assert.equal(sim.mode, 'child');
      assert.notEqual(sim.pid, process.pid);
      const { cpuSeconds, ...fresh } = await sim.call('counters');
      assert.deepEqual(fresh, { points: 0, throttled: 0, requests: 0 });
      assert.ok(cpuSeconds > 0);
      await sim.call('addLocation', 103, 'Third Warehouse');
      const answer = await graphql(sim, '{ locations(first: 10) { nodes { id name } } }');
      const nodes = (answer.data?.locations as { nodes: { id: string; name: string }[] }).nodes;
      assert.deepEqual(nodes.at(-1), { id: 'gid://shopify/Location/103', name: 'Third Warehouse' });
      // The request was counted and charged in the child, as the in-process simulator counts it.
      const counters = await sim.call('counters');
      assert.equal(counters.requests, 1);
      assert.ok(counters.points > 0, JSON.stringify(counters));
      const bucket = await sim.call('bucket');
      assert.deepEqual([bucket.maximumAvailable, bucket.restoreRate], [4000, 200]);
      await assert.rejects(sim.call('restoreInventory'), /simulator restoreInventory: nothing kept/);
      await sim.call('keepInventory');
      await sim.call('restoreInventory');
    } finally {
      await sim.close();
    }
    assert.equal(alive(sim.pid), false);
    await assert.rejects(sim.call('counters'), /the simulator's process ended/);
  });
});
