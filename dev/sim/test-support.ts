/**
 * Helpers for the simulator's own tests: an in-process simulator on a manual clock, a GraphQL
 * caller through supertest, and a webhook receiver that keeps raw bodies and headers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ManualClock } from './clock.js';
import { createSimulator, type Simulator, type SimulatorOptions } from './server.js';

export const TOKEN = 'shpat_test_token';
export const SECRET = 'test_app_secret';

export function testSimulator(options: SimulatorOptions = {}): { sim: Simulator; clock: ManualClock } {
  const clock = new ManualClock();
  const sim = createSimulator({ accessToken: TOKEN, apiSecret: SECRET, clock, ...options });
  return { sim, clock };
}

/** A JSON answer as supertest parsed it, for tests that read it by path and assert on the values. */
export type Json = request.Response['body'];

export async function gql(
  sim: Simulator,
  query: string,
  variables: Record<string, unknown> = {},
  version = '2026-10',
): Promise<{ status: number; body: Json; headers: Record<string, string> }> {
  const res = await request(sim.app)
    .post(`/admin/api/${version}/graphql.json`)
    .set('X-Shopify-Access-Token', TOKEN)
    .send({ query, variables });
  return { status: res.status, body: res.body, headers: res.headers };
}

/** Runs a document and fails on any GraphQL error; returns `data`. */
export async function gqlData(sim: Simulator, query: string, variables: Record<string, unknown> = {}): Promise<Json> {
  const res = await gql(sim, query, variables);
  if (res.status !== 200 || res.body.errors)
    throw new Error(`GraphQL failed: ${res.status} ${JSON.stringify(res.body.errors ?? res.body)}`);
  return res.body.data;
}

export async function control(sim: Simulator, method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: unknown) {
  const agent = request(sim.app);
  const res = await agent[method](`/_sim${path}`).send(body as object);
  return { status: res.status, body: res.body };
}

export interface Received {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: Json;
}

/** A local HTTP server that records every POST and answers `status()` (200 by default). */
export async function webhookReceiver(status: () => number = () => 200) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, raw, body: JSON.parse(raw) });
      res.statusCode = status();
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export async function subscribe(sim: Simulator, topic: string, uri: string): Promise<string> {
  const data = await gqlData(
    sim,
    `mutation($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
      webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) { webhookSubscription { id topic uri } userErrors { field message } }
    }`,
    { topic, sub: { uri, format: 'JSON' } },
  );
  if (data.webhookSubscriptionCreate.userErrors.length) throw new Error(JSON.stringify(data.webhookSubscriptionCreate.userErrors));
  return data.webhookSubscriptionCreate.webhookSubscription.id as string;
}

export const SAMPLE_ORDER = {
  email: 'ada@example.com',
  customer: { firstName: 'Ada', lastName: 'Lovelace' },
  lines: [{ sku: 'SIM-MUG', quantity: 2, price: '9.50', taxLines: [{ title: 'VAT', rate: 0.21, price: '3.99' }] }],
  shippingLines: [{ title: 'Standard', price: '5.00' }],
  shippingAddress: {
    first_name: 'Ada',
    last_name: 'Lovelace',
    address1: '1 Main St',
    city: 'Brussels',
    zip: '1000',
    country: 'Belgium',
    country_code: 'BE',
  },
};
