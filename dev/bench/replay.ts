/**
 * The round-trip floor of a plan of Shopify calls (docs/operations.md, "Full catalog and inventory
 * at the budget limit"): the very requests the sidecar sent, recorded byte for byte at its fetch,
 * sent again to the same simulator by a bare client — no budget, no Odoo, no mapping, nothing
 * between one answer and the next request — with the same number in flight. What the simulator
 * and one HTTP round trip per call cost on this machine at that moment; no plan of those calls
 * can run faster here.
 */
import { performance } from 'node:perf_hooks';

export interface RecordedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface Recorder {
  /** The fetch to give the sidecar (records Admin GraphQL requests while a recording runs). */
  fetch: typeof fetch;
  /**
   * Runs `fn` and returns the Admin GraphQL requests sent meanwhile, in the order they were sent,
   * and the seconds from each fetch to its answer's headers, summed (the HTTP round trips).
   */
  record<T>(fn: () => Promise<T>): Promise<{ value: T; requests: RecordedRequest[]; httpSeconds: number }>;
}

export function createRecorder(): Recorder {
  let recording: RecordedRequest[] | undefined;
  let httpSeconds = 0;
  const recordingFetch: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (recording && url.endsWith('/graphql.json') && typeof init?.body === 'string') {
      recording.push({ url, headers: Object.fromEntries(new Headers(init.headers).entries()), body: init.body });
      const t0 = performance.now();
      const answer = fetch(input, init);
      answer.then(
        () => (httpSeconds += (performance.now() - t0) / 1000),
        () => undefined,
      );
      return answer;
    }
    return fetch(input, init);
  };
  return {
    fetch: recordingFetch,
    async record(fn) {
      const requests: RecordedRequest[] = [];
      recording = requests;
      httpSeconds = 0;
      try {
        const value = await fn();
        return { value, requests, httpSeconds };
      } finally {
        recording = undefined;
      }
    },
  };
}

export interface ReplayResult {
  seconds: number;
  calls: number;
  /** Answers that were not a clean `data` (HTTP error, GraphQL errors, THROTTLED, userErrors). */
  refused: number;
  throttled: number;
}

/** Sends `requests` in their order with at most `concurrency` in flight; reads and parses every answer, as a client must. */
export async function replay(requests: readonly RecordedRequest[], concurrency: number): Promise<ReplayResult> {
  let next = 0;
  let refused = 0;
  let throttled = 0;
  const worker = async () => {
    while (next < requests.length) {
      const r = requests[next++]!;
      const response = await fetch(r.url, { method: 'POST', headers: r.headers, body: r.body });
      const text = await response.text();
      const body = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[]; data?: unknown };
      if (body.errors?.some((e) => e.extensions?.code === 'THROTTLED')) throttled += 1;
      if (!response.ok || body.errors || !body.data || text.includes('"userErrors":[{')) refused += 1;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return { seconds: (performance.now() - t0) / 1000, calls: requests.length, refused, throttled };
}
