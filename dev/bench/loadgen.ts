/**
 * Webhook load generator, run as a child process of dev/bench/run.ts so that its timers and sockets
 * do not share the sidecar's event loop. Open loop: request i is sent at start + i / rate
 * whatever the answers, so a slow sidecar shows up as latency instead of a lower rate (no
 * coordinated omission). Signed like Shopify (base64 HMAC-SHA256 of the raw body), loopback only,
 * bounded by `count` and a hard deadline.
 *
 * Input (IPC message): LoadSpec. Output (IPC message): LoadResult.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadSpec {
  url: string;
  secret: string;
  shop: string;
  topic: string;
  /** The fixture body; its order id is replaced per request so every delivery is a new order. */
  fixture: string;
  rate: number;
  count: number;
  deadlineMs: number;
  runId: string;
}

export interface LoadResult {
  latenciesMs: number[];
  statuses: Record<string, number>;
  errors: number;
  /** Connection errors by code (ECONNRESET, ECONNREFUSED, …): what "unanswered" was. */
  errorCodes: Record<string, number>;
  sent: number;
  elapsedMs: number;
  /** From the first request sent to the last: the rate the generator kept up. */
  sendingMs: number;
}

const FIXTURE_ID = '820982911946154508';

export async function generate(spec: LoadSpec): Promise<LoadResult> {
  const target = new URL(spec.url);
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(target.hostname))
    throw new Error(`loadgen: loopback only (got ${target.hostname})`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  // Bodies and signatures are prepared before the clock starts.
  const requests = Array.from({ length: spec.count }, (_, i) => {
    const id = String(9_000_000_000_000_000n + BigInt(i) + BigInt(Date.now() % 1_000_000) * 10_000n);
    const body = Buffer.from(spec.fixture.split(FIXTURE_ID).join(id));
    return { body, hmac: createHmac('sha256', spec.secret).update(body).digest('base64'), webhookId: `bench-${spec.runId}-${i}` };
  });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const errorCodes: Record<string, number> = {};
  let sent = 0;
  let done = 0;
  let lastSent = 0;
  const start = performance.now();

  function send(i: number): void {
    const r = requests[i]!;
    const t0 = performance.now();
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': r.body.length,
          'x-shopify-topic': spec.topic,
          'x-shopify-hmac-sha256': r.hmac,
          'x-shopify-shop-domain': spec.shop,
          'x-shopify-api-version': '2026-10',
          'x-shopify-webhook-id': r.webhookId,
          'x-shopify-event-id': r.webhookId,
          'x-shopify-triggered-at': new Date().toISOString(),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - t0);
          statuses[String(res.statusCode)] = (statuses[String(res.statusCode)] ?? 0) + 1;
          done += 1;
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      errors += 1;
      const code = error.code ?? 'other';
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
      done += 1;
    });
    req.end(r.body);
  }

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(spec.count, Math.floor(((now - start) * spec.rate) / 1000) + 1);
      while (sent < due) send(sent++);
      if (sent > 0 && lastSent === 0 && sent >= spec.count) lastSent = now;
      if ((sent >= spec.count && done >= spec.count) || now - start > spec.deadlineMs) return resolve();
      setTimeout(tick, 1);
    };
    tick();
  });
  agent.destroy();
  const end = performance.now();
  return { latenciesMs: latencies, statuses, errors, errorCodes, sent, elapsedMs: end - start, sendingMs: (lastSent || end) - start };
}

// As a child process: one LoadSpec in, one LoadResult out, then exit.
if (process.send) {
  process.once('message', (spec: LoadSpec) => {
    generate(spec).then(
      (result) => process.send!(result, () => process.exit(0)),
      (error: Error) => process.send!({ error: error.message }, () => process.exit(1)),
    );
  });
}
