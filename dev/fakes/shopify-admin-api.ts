/**
 * Test support: a local HTTP server that answers like Shopify's Admin API, for the client's tests.
 * (The project's full simulator executes the real schema; this one only models what the client
 * reacts to.)
 *
 * - POST /admin/api/{version}/graphql.json: a leaky bucket (maximum, restore rate per second)
 *   on an injected clock; each operation has a requested and an actual cost. Answers carry
 *   Shopify's exact `extensions.cost` shape; a call that does not fit gets 200 + THROTTLED with
 *   `actualQueryCost: null`. Scripted faults are served first, one per
 *   request: an HTTP status with headers and body, a hang (timeout), or a dropped connection.
 * - POST /admin/oauth/access_token: the client-credentials grant, issuing numbered tokens.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  operationName: string | undefined;
  query: string;
  variables: Record<string, unknown> | undefined;
  /** Raw body of a token request. */
  form?: URLSearchParams;
}

export type Fault = { status: number; headers?: Record<string, string>; body?: unknown } | { hang: true } | { drop: true };

export interface FakeAdminApiOptions {
  clock?: () => number;
  bucket?: { maximumAvailable: number; restoreRate: number; currentlyAvailable?: number };
  /** Requested / actual cost per operation name; default 10 / 10. */
  costs?: Record<string, { requested: number; actual?: number }>;
  /** `data` per operation name. Default `{}` with the operation's name as typename. */
  responders?: Record<string, (variables: Record<string, unknown> | undefined) => unknown>;
  /** When set, GraphQL calls must carry one of the issued tokens or this one, else 401. */
  checkTokens?: boolean;
  staticToken?: string;
  tokenLifetimeSeconds?: number;
  /** Delay before answering a token request (to let concurrent callers pile up). */
  tokenDelayMs?: number;
}

export interface FakeAdminApi {
  url: string;
  requests: RecordedRequest[];
  graphqlRequests(): RecordedRequest[];
  tokenRequests(): RecordedRequest[];
  issuedTokens: string[];
  /** Faults served, in order, to the next GraphQL requests. */
  faults: Fault[];
  throttledCount(): number;
  /** Lowest level the bucket reached (never below 0 by construction; THROTTLED instead). */
  available(): number;
  revokeTokens(): void;
  close(): Promise<void>;
}

export async function startFakeAdminApi(options: FakeAdminApiOptions = {}): Promise<FakeAdminApi> {
  const clock = options.clock ?? Date.now;
  const max = options.bucket?.maximumAvailable ?? 2000;
  const rate = options.bucket?.restoreRate ?? 100;
  let level = options.bucket?.currentlyAvailable ?? max;
  let levelAt = clock();
  let throttled = 0;
  let tokenSeq = 0;
  let revoked = new Set<string>();
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const issuedTokens: string[] = [];
  const hanging = new Set<http.ServerResponse>();

  const restore = () => {
    const now = clock();
    level = Math.min(max, level + (Math.max(0, now - levelAt) / 1000) * rate);
    levelAt = now;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '';
      if (path === '/admin/oauth/access_token') {
        const form = new URLSearchParams(raw);
        requests.push({ path, headers: req.headers, operationName: undefined, query: '', variables: undefined, form });
        const answer = () => {
          if (form.get('grant_type') !== 'client_credentials' || form.get('client_secret') !== 'test-client-secret') {
            res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client' }));
            return;
          }
          tokenSeq += 1;
          const token = `shpca_test_${tokenSeq}`;
          issuedTokens.push(token);
          res.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              access_token: token,
              scope: 'read_products,write_inventory',
              expires_in: options.tokenLifetimeSeconds ?? 86399,
            }),
          );
        };
        if (options.tokenDelayMs) setTimeout(answer, options.tokenDelayMs);
        else answer();
        return;
      }
      const body = JSON.parse(raw || '{}') as { query?: string; variables?: Record<string, unknown> };
      const operationName = /^\s*(?:#[^\n]*\n\s*)*(?:query|mutation)\s+([A-Za-z_]\w*)/m.exec(body.query ?? '')?.[1];
      requests.push({ path, headers: req.headers, operationName, query: body.query ?? '', variables: body.variables });
      if (!/^\/admin\/api\/[\w-]+\/graphql\.json$/.test(path)) {
        res.writeHead(404).end();
        return;
      }
      const fault = faults.shift();
      if (fault) {
        if ('hang' in fault) {
          hanging.add(res);
          return;
        }
        if ('drop' in fault) {
          req.socket.destroy();
          return;
        }
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(fault.body === undefined ? '' : typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body));
        return;
      }
      if (options.checkTokens) {
        const token = String(req.headers['x-shopify-access-token'] ?? '');
        const valid =
          (issuedTokens.includes(token) && !revoked.has(token)) || (options.staticToken !== undefined && token === options.staticToken);
        if (!valid) {
          res
            .writeHead(401, { 'content-type': 'application/json' })
            .end(JSON.stringify({ errors: '[API] Invalid API key or access token' }));
          return;
        }
      }
      const cost = options.costs?.[operationName ?? ''] ?? { requested: 10 };
      const actual = cost.actual ?? cost.requested;
      restore();
      const headers = { 'content-type': 'application/json', 'x-request-id': `req-${requests.length}` };
      if (level < cost.requested) {
        throttled += 1;
        res.writeHead(200, headers).end(
          JSON.stringify({
            errors: [
              { message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } },
            ],
            extensions: {
              cost: {
                requestedQueryCost: cost.requested,
                actualQueryCost: null,
                throttleStatus: { maximumAvailable: max, currentlyAvailable: level, restoreRate: rate },
              },
            },
          }),
        );
        return;
      }
      level -= actual;
      const responder = options.responders?.[operationName ?? ''];
      const data = responder ? responder(body.variables) : { ok: true };
      res.writeHead(200, headers).end(
        JSON.stringify({
          data,
          extensions: {
            cost: {
              requestedQueryCost: cost.requested,
              actualQueryCost: actual,
              throttleStatus: { maximumAvailable: max, currentlyAvailable: level, restoreRate: rate },
            },
          },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    graphqlRequests: () => requests.filter((r) => r.path.includes('/graphql.json')),
    tokenRequests: () => requests.filter((r) => r.path === '/admin/oauth/access_token'),
    issuedTokens,
    faults,
    throttledCount: () => throttled,
    available: () => {
      restore();
      return level;
    },
    revokeTokens: () => {
      revoked = new Set(issuedTokens);
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Virtual time: `sleep(ms)` records the wait and advances the clock by exactly `ms`. */
export function fakeTime(start = Date.UTC(2026, 10, 27, 12, 0, 0)) {
  const state = {
    now: start,
    sleeps: [] as number[],
    clock: () => state.now,
    sleep: (ms: number) => {
      state.sleeps.push(ms);
      state.now += ms;
      return Promise.resolve();
    },
    advance: (ms: number) => {
      state.now += ms;
    },
  };
  return state;
}

/** A logger that keeps every line (level, message, meta) for assertions. */
export function recordingLogger() {
  const lines: { level: string; message: string; meta?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    lines.push({ level, message, ...(meta ? { meta } : {}) });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
