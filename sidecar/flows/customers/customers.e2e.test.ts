/**
 * Customers end to end: the simulator's customers webhooks and the Odoo double's outbox, through
 * real PostgreSQL, pg-boss and HTTP. Counts every write on each side to prove that neither side's
 * echo comes back (docs/flows.md, "Loop safety").
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startStack, type Stack } from '../../../dev/testing/stack.js';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { probeFlow, type FlowProbe } from '../../../dev/testing/flow-support.js';
import { customersFlow } from './index.js';

interface SimCustomer {
  id: number;
  admin_graphql_api_id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  default_address?: { address1: string | null; city: string | null; country_code: string | null } | null;
}

describe('customers flow end to end (simulator, PostgreSQL, Odoo double)', function () {
  this.timeout(60_000);
  let stack: Stack;
  let probe: FlowProbe;

  before(async () => {
    const probed = probeFlow(customersFlow);
    probe = probed.probe;
    stack = await startStack({ databaseUrl: await testDatabase('flow_customers_e2e'), flows: [probed.flow] });
    await stack.subscribeWebhooks(['customers/create', 'customers/update', 'customers/delete']);
    await stack.sidecar.workersStarted;
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') for (const l of stack.logs.lines.slice(-25)) console.log(JSON.stringify(l).slice(0, 400));
  });
  after(async () => {
    await stack?.stop();
  });

  const partnerByGid = (gid: string) => [...stack.odoo!.state.partners.values()].find((p) => p.binding.shopify_gid === gid);
  const customerEvents = (partnerId: number) =>
    stack.odoo!.state.outbox.filter((e) => e.type === 'customer.changed' && e.res_id === partnerId).length;
  const simCustomer = async (email: string) =>
    (await stack.simControl<SimCustomer[]>('GET', `/customers?email=${encodeURIComponent(email)}`))[0];
  /** Waits until the flow logged `outcome` for the customer GID, and returns how many such lines exist. */
  const logged = (gid: string, outcome: string, atLeast = 1) =>
    stack.waitFor(`a "${outcome}" log line for ${gid}`, () => {
      const n = stack.logs.lines.filter((l) => (l.entityId === gid || l.customerGid === gid) && l.outcome === outcome).length;
      return n >= atLeast ? n : undefined;
    });

  it('imports a customer created in Shopify as one Odoo partner bound to its GID, and does not send it back', async () => {
    const created = await stack.simControl<SimCustomer>('POST', '/customers', {
      email: 'Ada@Example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      addresses: [{ address1: '1 Main St', city: 'Brussels', zip: '1000', country_code: 'BE' }],
    });
    const gid = created.admin_graphql_api_id;
    const partner = await stack.waitFor('the partner bound to the Shopify customer', () => partnerByGid(gid));
    assert.deepEqual(
      {
        name: partner.name,
        email: partner.email,
        street: partner.street,
        city: partner.city,
        zip: partner.zip,
        country: partner.country_code,
        state: partner.binding.state,
      },
      {
        name: 'Ada Lovelace',
        email: 'Ada@Example.com',
        street: '1 Main St',
        city: 'Brussels',
        zip: '1000',
        country: 'BE',
        state: 'synced',
      },
    );
    assert.equal(probe.count('odoo', 'upsertCustomer'), 1);
    // The origin flag: the sidecar's write to Odoo emitted no customer.changed, so nothing goes back.
    assert.equal(customerEvents(partner.id), 0);
    assert.equal(probe.count('shopify', 'CustomerSet'), 0);
  });

  it('pushes a partner flagged for sync to Shopify, writes the GID back, and ignores the echo webhook', async () => {
    const partnerId = await stack.merchant!.createCustomer({ name: 'Grace Hopper', email: 'grace@example.com', sync: true });
    const binding = await stack.waitFor('the GID written back to the partner', async () => {
      const b = await stack.merchant!.readBinding('res.partner', partnerId);
      return b.state === 'synced' && b.shopify_gid ? b : undefined;
    });
    const customer = await simCustomer('grace@example.com');
    assert.ok(customer, 'the customer exists in Shopify');
    assert.equal(binding.shopify_gid, customer.admin_graphql_api_id);
    assert.deepEqual([customer.first_name, customer.last_name, customer.email], ['Grace', 'Hopper', 'grace@example.com']);
    // Shopify answered our customerSet with customers/create: recognised as our own write.
    await logged(customer.admin_graphql_api_id, 'echo');
    assert.equal(probe.count('shopify', 'CustomerSet'), 1);
    assert.equal(probe.count('odoo', 'upsertCustomer'), 1, 'only the first test imported a customer');
    assert.equal(customerEvents(partnerId), 1, 'only the merchant’s own create emitted an event');
  });

  it('pushes an Odoo edit once and suppresses its customers/update echo', async () => {
    const customer = (await simCustomer('grace@example.com'))!;
    const partnerId = partnerByGid(customer.admin_graphql_api_id)!.id;
    const before = { sets: probe.count('shopify', 'CustomerSet'), upserts: probe.count('odoo', 'upsertCustomer') };
    await stack.merchant!.editCustomer(partnerId, { name: 'Grace Brewster Hopper', city: 'Arlington', street: '1 Navy Way' });
    await stack.waitFor(
      'the edit in Shopify',
      async () =>
        ((await simCustomer('grace@example.com'))?.last_name === 'Hopper' &&
          (await simCustomer('grace@example.com'))?.first_name === 'Grace Brewster') ||
        undefined,
    );
    await logged(customer.admin_graphql_api_id, 'echo', 2);
    assert.equal(probe.count('shopify', 'CustomerSet'), before.sets + 1);
    assert.equal(probe.count('odoo', 'upsertCustomer'), before.upserts, 'the echo was not written to Odoo');
    // The echo (keyed by the Shopify GID) may be handled before the push (keyed by the partner)
    // has recorded its result in Odoo: wait for it rather than read it once.
    await stack.waitFor(
      'the binding synced',
      async () => (await stack.merchant!.readBinding('res.partner', partnerId)).state === 'synced' || undefined,
    );
  });

  it('writes a Shopify edit to Odoo once and does not push it back', async () => {
    const customer = (await simCustomer('grace@example.com'))!;
    const partnerId = partnerByGid(customer.admin_graphql_api_id)!.id;
    const before = {
      sets: probe.count('shopify', 'CustomerSet'),
      upserts: probe.count('odoo', 'upsertCustomer'),
      events: customerEvents(partnerId),
    };
    await stack.simControl('PATCH', `/customers/${customer.id}`, { lastName: 'Murray Hopper' });
    await stack.waitFor(
      'the Shopify edit in Odoo',
      () => stack.odoo!.state.partners.get(partnerId)!.name === 'Grace Brewster Murray Hopper' || undefined,
    );
    await logged(customer.admin_graphql_api_id, 'updated');
    assert.equal(probe.count('odoo', 'upsertCustomer'), before.upserts + 1);
    assert.equal(customerEvents(partnerId), before.events, 'the origin flag kept Odoo from emitting customer.changed');
    assert.equal(probe.count('shopify', 'CustomerSet'), before.sets);
  });

  it('links a partner to the Shopify customer with the same normalised email instead of creating a second one', async () => {
    // A customer Shopify already had before the sidecar ran: its create webhook never arrives.
    await stack.simControl('PUT', '/faults', { webhookDropRate: 1 });
    const existing = await stack.simControl<SimCustomer>('POST', '/customers', {
      email: 'kj@example.com',
      firstName: 'Katherine',
      lastName: 'Johnson',
    });
    // Not DELETE /_sim/faults: that re-seeds the simulator's webhook ids, so later deliveries would
    // reuse ids the sidecar's inbox already holds and be dropped as duplicates.
    await stack.simControl('PUT', '/faults', { webhookDropRate: 0 });
    const sets = probe.count('shopify', 'CustomerSet');
    const partnerId = await stack.merchant!.createCustomer({ name: 'Katherine Johnson', email: ' KJ@Example.com ', sync: true });
    const gid = await stack.waitFor(
      'the partner bound',
      async () => (await stack.merchant!.readBinding('res.partner', partnerId)).shopify_gid ?? undefined,
    );
    assert.equal(gid, existing.admin_graphql_api_id);
    const all = await stack.simControl<SimCustomer[]>('GET', '/customers');
    assert.equal(all.filter((c) => c.email?.toLowerCase() === 'kj@example.com').length, 1);
    assert.equal(probe.count('shopify', 'CustomerSet'), sets, 'same content: linked without a write');
  });

  it('refuses to push a second partner onto a Shopify customer another partner is bound to', async () => {
    const ada = (await simCustomer('ada@example.com'))!;
    const sets = probe.count('shopify', 'CustomerSet');
    const partnerId = await stack.merchant!.createCustomer({ name: 'Ada Byron', email: 'ADA@example.com', sync: true });
    const binding = await stack.waitFor('the binding in error', async () => {
      const b = await stack.merchant!.readBinding('res.partner', partnerId);
      return b.state === 'error' ? b : undefined;
    });
    assert.match(
      binding.message ?? '',
      new RegExp(`customer ${ada.admin_graphql_api_id} with this email is already bound to partner \\d+`),
    );
    assert.equal(probe.count('shopify', 'CustomerSet'), sets);
    assert.deepEqual(
      [(await simCustomer('ada@example.com'))?.first_name, (await simCustomer('ada@example.com'))?.last_name],
      ['Ada', 'Lovelace'],
    );
  });

  it('does not push an archived partner and keeps its Shopify customer', async () => {
    const customer = (await simCustomer('grace@example.com'))!;
    const partnerId = partnerByGid(customer.admin_graphql_api_id)!.id;
    const sets = probe.count('shopify', 'CustomerSet');
    await stack.merchant!.archiveCustomer(partnerId);
    const binding = await stack.waitFor('the binding marked', async () => {
      const b = await stack.merchant!.readBinding('res.partner', partnerId);
      return b.state === 'ignored' ? b : undefined;
    });
    assert.equal(binding.message, 'Archived in Odoo: not pushed; the Shopify customer is kept.');
    assert.equal((await simCustomer('grace@example.com'))?.id, customer.id);
    assert.equal(probe.count('shopify', 'CustomerSet'), sets);
  });

  it('keeps the partner when the customer is deleted in Shopify and marks its binding', async () => {
    const created = await stack.simControl<SimCustomer>('POST', '/customers', {
      email: 'del@example.com',
      firstName: 'Del',
      lastName: 'Eted',
    });
    const partner = await stack.waitFor('the partner', () => partnerByGid(created.admin_graphql_api_id));
    await stack.simControl('DELETE', `/customers/${created.id}`);
    const binding = await stack.waitFor('the binding marked', async () => {
      const b = await stack.merchant!.readBinding('res.partner', partner.id);
      return b.state === 'ignored' ? b : undefined;
    });
    assert.match(binding.message ?? '', /deleted in Shopify; this partner is kept/);
    assert.equal(stack.odoo!.state.partners.get(partner.id)!.active, true);
  });

  it('acts on customers/delete only when Shopify says the customer is gone: a create body replayed as a delete changes nothing', async () => {
    const created = await stack.simControl<SimCustomer>('POST', '/customers', {
      email: 'kept@example.com',
      firstName: 'Kept',
      lastName: 'Here',
    });
    const gid = created.admin_graphql_api_id;
    const partner = await stack.waitFor('the partner', () => partnerByGid(gid));
    const [delivery] = await stack
      .simControl<Array<{ raw_body: string }>>('GET', `/webhooks/deliveries?topic=customers/create`)
      .then((all) => all.filter((d) => d.raw_body.includes(gid)));
    // The body is Shopify's and its HMAC verifies; only the unsigned topic header is changed.
    const res = await fetch(`${stack.sidecarUrl}/webhooks/shopify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'customers/delete',
        'x-shopify-hmac-sha256': crypto
          .createHmac('sha256', stack.config.shopify.webhookSecrets[0]!)
          .update(delivery!.raw_body)
          .digest('base64'),
        'x-shopify-shop-domain': stack.config.shopify.shopDomain,
        'x-shopify-webhook-id': `replayed-${gid}`,
        'x-shopify-api-version': '2026-10',
      },
      body: delivery!.raw_body,
    });
    assert.equal(res.status, 200);
    await logged(gid, 'still_exists');
    const binding = await stack.merchant!.readBinding('res.partner', partner.id);
    assert.notEqual(binding.state, 'ignored');
    assert.equal(
      (await stack.sidecar.pool.query('SELECT status FROM shopify_sync.webhook_inbox WHERE webhook_id = $1', [`replayed-${gid}`])).rows[0]
        ?.status,
      'ignored',
    );
  });
});
