/**
 * Helpers shared by the conformance scenarios (./suite.ts, ./rules.ts).
 */
import assert from 'node:assert/strict';
import type { OdooContract, OutboxEvent } from '../../sidecar/odoo/contract.js';
import { skuOf } from './fixtures.js';
import type { MerchantDriver } from './target.js';

/** Drains the outbox so a scenario sees only the events it causes. */
export async function drain(contract: OdooContract): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const { events } = await contract.pullEvents({ limit: 1000, lease_seconds: 60 });
    if (!events.length) return;
    await contract.ackEvents({ uuids: events.map((e) => e.uuid) });
  }
  throw new Error('the outbox did not drain');
}

/** Pulls and acknowledges everything pending. */
export async function pullAll(contract: OdooContract): Promise<OutboxEvent[]> {
  const { events } = await contract.pullEvents({ limit: 1000, lease_seconds: 60 });
  if (events.length) await contract.ackEvents({ uuids: events.map((e) => e.uuid) });
  return events;
}

/**
 * Asserts the error a contract call raised: its class (what the queue does with it), Odoo's
 * exception name, and Odoo's message. The client prefixes Odoo's message with the call and the
 * short exception name (`odoo shopify.sync.api.apply_order: ValidationError: …`).
 */
export async function rejects(
  promise: Promise<unknown>,
  expected: { cls: new (...args: never[]) => Error; odooName: string; message: string | RegExp },
) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof expected.cls, `expected ${expected.cls.name}, got ${String(err)}`);
    const e = err as Error & { odooName?: string };
    assert.equal(e.odooName, expected.odooName);
    const prefix = /^odoo shopify\.sync\.api\.\w+: \w+: /.exec(e.message);
    assert.ok(prefix, `message carries the call and exception: ${e.message}`);
    const odooMessage = e.message.slice(prefix[0].length);
    if (typeof expected.message === 'string') assert.equal(odooMessage, expected.message);
    else assert.match(odooMessage, expected.message);
    return true;
  });
}

export const VALIDATION = 'odoo.exceptions.ValidationError';

export async function simpleProduct(m: MerchantDriver, price = '10.00', prefix = 'MUG') {
  const sku = skuOf(prefix);
  const { template_id, variants } = await m.createProduct({ name: `Mug ${sku}`, price, variants: [{ sku, barcode: null }] });
  return { sku, template_id, product_id: variants[sku]! };
}
