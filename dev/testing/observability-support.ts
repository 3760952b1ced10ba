/**
 * Test support for the observability tests (not loaded by the sidecar): a trivial flow, the
 * scripted run that moves every metric through the stack, a local alert receiver and a
 * Prometheus text reader.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Flow } from '../../sidecar/flows/context.js';
import { unworkedQueues } from '../../sidecar/observability/coverage.js';
import { keys, shopifyGid, type QueueName } from '../../sidecar/queue/names.js';
import { PermanentError, RetryableError } from '../../sidecar/queue/errors.js';
import { STACK_SHOP, type Stack } from './stack.js';

/** The value of one sample in Prometheus text, or undefined. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = new Map([...(match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found.get(k) === v)) return Number(match[4]);
  }
  return undefined;
}

/** A flow for tests: orders and products complete; customers fail as the job data asks. */
export const testFlow: Flow = {
  name: 'observability-test',
  queues: ['orders', 'products', 'customers'],
  async register(ctx) {
    await ctx.queue.work('orders', () => Promise.resolve());
    await ctx.queue.work('products', () => Promise.resolve());
    await ctx.queue.work<{ fail?: 'permanent' | 'once' }>('customers', (job) => {
      if (job.data.fail === 'permanent') return Promise.reject(new PermanentError('test: customer has no email'));
      if (job.data.fail === 'once' && job.attempt === 1) return Promise.reject(new RetryableError('test: Odoo busy'));
      return Promise.resolve();
    });
  },
};

/**
 * Completes every job of the fed queues testFlow leaves alone: without it they would raise
 * unworked_queue alerts (coverage.ts) beside the ones these tests count.
 */
const idleQueues = unworkedQueues(testFlow.queues).map((u) => u.queue as QueueName);
export const idleFlow: Flow = {
  name: 'observability-idle',
  queues: idleQueues,
  async register(ctx) {
    for (const queue of idleQueues) await ctx.queue.work(queue, () => Promise.resolve());
  },
};

/** What the alert receiver got: the fields of alerts.ts's alertPayload the tests read. */
export interface AlertBody {
  text: string;
  status: 'firing' | 'resolved';
  event_action: 'trigger' | 'resolve';
  value: number;
  threshold: number;
  [field: string]: unknown;
}

export interface Receiver {
  url: string;
  bodies: AlertBody[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const bodies: AlertBody[] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => {
      bodies.push(JSON.parse(data) as AlertBody);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The scripted run shared by this file and the browser test: jobs of every outcome through the stack. */
export async function scriptedRun(stack: Stack): Promise<void> {
  const queue = stack.sidecar.queue;
  await stack.sidecar.workersStarted;
  // A webhook: orders/create from the simulator → inbox → orders job (triggeredAt) → completed.
  await stack.subscribeWebhooks(['orders/create']);
  const [location] = await stack.simControl<{ id: number }[]>('GET', '/locations');
  await stack.simControl('POST', '/products', { title: 'Mug', sku: 'OBS-MUG', price: '9.50', stock: { [String(location!.id)]: 10 } });
  await stack.simControl('POST', '/orders', { email: 'ada@example.com', lines: [{ sku: 'OBS-MUG', quantity: 1 }] });
  // An outbox event: a product created in Odoo → products job (createdAt) → completed.
  await stack.merchant!.createProduct({ name: 'Tee', price: '15.00', variants: [{ sku: 'OBS-TEE' }] });
  // Customers: two dead-lettered (permanent), one retried once and then completed.
  for (const [n, fail] of [
    [1, 'permanent'],
    [2, 'permanent'],
    [3, 'once'],
  ] as const) {
    await queue.send('customers', { fail }, { key: keys.customer(STACK_SHOP, shopifyGid('Customer', String(n))) });
  }
  await stack.waitFor(
    'every job settled',
    async () => {
      const stats = await queue.queueStats();
      const of = (q: string) => stats.find((s) => s.queue === q)!;
      return of('orders').queued + of('orders').active === 0 &&
        of('products').queued + of('products').active === 0 &&
        of('customers').dlq === 2 &&
        of('customers').queued + of('customers').active === 0
        ? stats
        : undefined;
    },
    20_000,
  );
}
