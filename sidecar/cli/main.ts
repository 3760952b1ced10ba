/**
 * `shopify-sync`, the operator CLI (docs/operations.md "Operator CLI"). A thin client of the
 * running sidecar's admin API (SIDECAR_URL, ADMIN_TOKEN): every command is one or two admin API
 * calls, so the CLI, the dashboard and Odoo's Resync/Retry buttons share one code path in the
 * sidecar. `runCli` takes the API client and output streams injected (tests); the bottom of the
 * file is the process entry.
 */
import { pathToFileURL } from 'node:url';
import { cliConfig, ConfigError, type CliConfig } from '../config/index.js';

export interface ApiAnswer {
  status: number;
  body: unknown;
  text: string;
}

export interface AdminApi {
  get(path: string): Promise<ApiAnswer>;
  post(path: string, body?: unknown): Promise<ApiAnswer>;
}

export function httpAdminApi(baseUrl: string, token: string, fetchImpl: typeof fetch = fetch): AdminApi {
  const base = baseUrl.replace(/\/$/, '');
  async function call(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    let response: Response;
    try {
      response = await fetchImpl(`${base}/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new CliError(
        `cannot reach the sidecar at ${base} (${error instanceof Error ? error.message : String(error)}); set SIDECAR_URL`,
      );
    }
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json')) parsed = text ? JSON.parse(text) : null;
    return { status: response.status, body: parsed, text };
  }
  return { get: (path) => call('GET', path), post: (path, body) => call('POST', path, body ?? {}) };
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface CliIo {
  api: AdminApi;
  out: (text: string) => void;
  err: (text: string) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Progress poll interval, ms (default 500). */
  pollMs?: number;
}

export const USAGE = `usage: shopify-sync <command>

  dlq list [--queue Q] [--key K] [--kind K] [--reason TEXT] [--limit N] [--json]
  dlq inspect <queue> <id>
  dlq retry <queue> <id>            | dlq retry   [--queue Q] [--key K] [--kind K] [--reason TEXT] [--all]
  dlq discard <queue> <id>          | dlq discard [--queue Q] [--key K] [--kind K] [--reason TEXT] [--all]
  blocked
  unblock <queue> <key> [--discard]
  resync products|stock|customers <id,id,…|low-high|all>
  resync orders --since <date> [--until <date>]
  config show
  doctor
  reconcile [--hours N] [--no-repair] [--json|--markdown]
  integrity [--sample N --seed S | --all] [--json|--markdown]
  operations [<id>]

environment: SIDECAR_URL (default http://127.0.0.1:8080), ADMIN_TOKEN (required)`;

interface Parsed {
  positional: string[];
  flags: Record<string, string | true>;
}

const BOOLEAN_FLAGS = new Set(['json', 'markdown', 'all', 'discard', 'no-repair', 'help']);

export function parseArgs(argv: readonly string[]): Parsed {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      if (inline !== undefined) flags[name] = inline;
      else if (BOOLEAN_FLAGS.has(name)) flags[name] = true;
      else {
        const value = argv[i + 1];
        if (value === undefined || value.startsWith('--')) throw new CliError(`--${name} needs a value`, 2);
        flags[name] = value;
        i++;
      }
    } else positional.push(arg);
  }
  return { positional, flags };
}

/** The answer's body as `T` (the admin API's documented shape), or a CliError naming the failure. */
function expectOk<T>(answer: ApiAnswer, what: string): T {
  if (answer.status === 401) throw new CliError(`${what}: the admin token was refused (set ADMIN_TOKEN)`);
  if (answer.status >= 400) {
    const body = answer.body as { detail?: string } | null;
    throw new CliError(
      `${what}: HTTP ${answer.status}${body && typeof body === 'object' && body.detail ? `: ${body.detail}` : answer.text ? `: ${answer.text}` : ''}`,
    );
  }
  return answer.body as T;
}

/** A long operation as GET /api/operations/:id shows it. */
interface Operation<R = Record<string, unknown>> {
  state: 'running' | 'done' | 'failed';
  done: number;
  total: number | null;
  message: string | null;
  error?: string;
  result: R;
}

interface DeadLetterRow {
  queue: string;
  id: string;
  key: string | null;
  kind: string | null;
  deadLetteredAt: string;
  reason: string | null;
}

interface BulkAnswer {
  matched: number;
  done: number;
  results: Array<{ queue: string; id: string; outcome: string }>;
}

const query = (params: Record<string, string | true | undefined>) => {
  const entries = Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string');
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
};

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** Follows an operation until it ends, printing one progress line per change to `err`. */
async function follow<R>(io: CliIo, operationId: string, label: string): Promise<Operation<R>> {
  const sleep = io.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let last = '';
  for (;;) {
    const op = expectOk<Operation<R>>(await io.api.get(`/api/operations/${operationId}`), label);
    const line = `${label}: ${op.state} ${op.done}${op.total === null ? '' : `/${op.total}`}${op.message ? ` ${op.message}` : ''}`;
    if (line !== last) io.err(line);
    last = line;
    if (op.state === 'done') return op;
    if (op.state === 'failed') throw new CliError(`${label} failed: ${op.error ?? 'no reason given'}`);
    await sleep(io.pollMs ?? 500);
  }
}

function dlqTable(entries: DeadLetterRow[]): string {
  if (!entries.length) return 'no dead letters';
  const rows = entries.map((e) => [e.queue, e.id, e.key ?? '', e.kind ?? '', e.deadLetteredAt.slice(0, 19), (e.reason ?? '').slice(0, 80)]);
  const head = ['QUEUE', 'ID', 'KEY', 'KIND', 'DEAD-LETTERED', 'REASON'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function reportCommand(io: CliIo, kind: 'reconcile' | 'integrity', p: Parsed): Promise<number> {
  const body: Record<string, unknown> = {};
  if (kind === 'reconcile') {
    if (p.flags.hours !== undefined) body.hours = Number(p.flags.hours);
    if (p.flags['no-repair']) body.repair = false;
  } else {
    if (p.flags.all) body.all = true;
    if (p.flags.sample !== undefined) body.sample = Number(p.flags.sample);
    if (typeof p.flags.seed === 'string') body.seed = p.flags.seed;
    if (p.flags.all && (p.flags.sample !== undefined || p.flags.seed !== undefined))
      throw new CliError('integrity: --all excludes --sample and --seed', 2);
  }
  const started = expectOk<{ operationId: string }>(await io.api.post(`/api/${kind}`, body), kind);
  const op = await follow<{ reportId: number }>(io, started.operationId, kind);
  const reportId = op.result.reportId;
  if (p.flags.markdown) {
    io.out(expectOk<string>(await io.api.get(`/api/reports/${reportId}?format=markdown`), kind));
  } else if (p.flags.json) {
    io.out(json(expectOk(await io.api.get(`/api/reports/${reportId}`), kind)));
  } else {
    const report = expectOk<{ summary: { headline: string } }>(await io.api.get(`/api/reports/${reportId}`), kind);
    io.out(`${kind === 'reconcile' ? 'reconciliation' : 'integrity'} report ${reportId}: ${report.summary.headline}`);
  }
  return 0;
}

/** `12 15,16 20-25` → [12, 15, 16, 20, …, 25]; a range spans at most 5000 ids (the contract's cap). */
export function parseIds(args: readonly string[]): number[] {
  const ids: number[] = [];
  for (const part of args.flatMap((a) => a.split(',')).filter(Boolean)) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (!range) {
      ids.push(Number(part));
      continue;
    }
    const [from, to] = [Number(range[1]), Number(range[2])];
    if (to < from || to - from >= 5000) throw new CliError(`resync: bad range ${part} (at most 5000 ids, low-high)`, 2);
    for (let i = from; i <= to; i++) ids.push(i);
  }
  return ids;
}

type Command = (io: CliIo, p: Parsed, sub: string | undefined, rest: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  dlq: dlqCommand,
  blocked: async (io) => {
    const answer = expectOk<{ blocked: Record<string, string[]> }>(await io.api.get('/api/blocked'), 'blocked');
    const lines = Object.entries(answer.blocked).flatMap(([q, keys]) => keys.map((k) => `${q} ${k}`));
    io.out(lines.length ? lines.join('\n') : 'no blocked keys');
    return 0;
  },
  unblock: async (io, p, queue, rest) => {
    const key = rest[0];
    if (!queue || !key) throw new CliError('usage: unblock <queue> <key> [--discard]', 2);
    const body = { queue, key, action: p.flags.discard ? 'discard' : 'retry' };
    const answer = expectOk<{ results: Array<{ id: string; outcome: string }> }>(await io.api.post('/api/unblock', body), 'unblock');
    for (const r of answer.results) io.out(`${queue} ${key}: ${r.outcome} (dead letter ${r.id})`);
    return 0;
  },
  resync: resyncCommand,
  config: async (io, _p, sub) => {
    if (sub !== 'show') throw new CliError('usage: config show', 2);
    io.out(json(expectOk(await io.api.get('/api/config'), 'config show')));
    return 0;
  },
  doctor: async (io, p) => {
    const answer = await io.api.get('/api/doctor');
    if (answer.status !== 200 && answer.status !== 503) expectOk(answer, 'doctor');
    const report = answer.body as { ok: boolean; checks: Array<{ name: string; verdict: string; detail: string }> };
    if (p.flags.json) io.out(json(report));
    else for (const c of report.checks) io.out(`${c.verdict.toUpperCase().padEnd(4)}  ${c.name}: ${c.detail}`);
    return report.ok ? 0 : 1;
  },
  reconcile: (io, p) => reportCommand(io, 'reconcile', p),
  integrity: (io, p) => reportCommand(io, 'integrity', p),
  operations: async (io, _p, sub) => {
    io.out(json(expectOk(await io.api.get(sub ? `/api/operations/${encodeURIComponent(sub)}` : '/api/operations'), 'operations')));
    return 0;
  },
};

async function dlqCommand(io: CliIo, p: Parsed, sub: string | undefined, rest: string[]): Promise<number> {
  const path = (queue: string, id: string) => `/api/dlq/${encodeURIComponent(queue)}/${encodeURIComponent(id)}`;
  if (sub === 'list') {
    const filter = query({ queue: p.flags.queue, key: p.flags.key, kind: p.flags.kind, reason: p.flags.reason, limit: p.flags.limit });
    const answer = expectOk<{ entries: DeadLetterRow[] }>(await io.api.get(`/api/dlq${filter}`), 'dlq list');
    io.out(p.flags.json ? json(answer) : dlqTable(answer.entries));
    return 0;
  }
  const [queue, id] = rest;
  if (sub === 'inspect') {
    if (!queue || !id) throw new CliError('usage: dlq inspect <queue> <id>', 2);
    io.out(json(expectOk(await io.api.get(path(queue, id)), 'dlq inspect')));
    return 0;
  }
  if (sub !== 'retry' && sub !== 'discard') throw new CliError('usage: dlq list|inspect|retry|discard', 2);
  if (queue && id) {
    const answer = expectOk<{ queue: string; id: string; outcome: string }>(await io.api.post(`${path(queue, id)}/${sub}`), `dlq ${sub}`);
    io.out(`${answer.queue} ${answer.id}: ${answer.outcome}`);
    return 0;
  }
  const filter = {
    queue: p.flags.queue,
    key: p.flags.key,
    kind: p.flags.kind,
    reason: p.flags.reason,
    all: p.flags.all === true ? true : undefined,
  };
  const answer = expectOk<BulkAnswer>(await io.api.post(`/api/dlq/${sub}`, filter), `dlq ${sub}`);
  for (const r of answer.results) io.out(`${r.queue} ${r.id}: ${r.outcome}`);
  io.out(`${answer.done} of ${answer.matched} dead letters ${sub === 'retry' ? 'retried' : 'discarded'}`);
  return answer.done === answer.matched ? 0 : 1;
}

async function resyncCommand(io: CliIo, p: Parsed, sub: string | undefined, rest: string[]): Promise<number> {
  if (sub === 'orders') {
    if (typeof p.flags.since !== 'string') throw new CliError('usage: resync orders --since <date> [--until <date>]', 2);
    const body = { kind: 'orders', since: p.flags.since, until: p.flags.until };
    const started = expectOk<{ operationId: string }>(await io.api.post('/api/resync', body), 'resync');
    const op = await follow<{ orders: number; enqueued: number }>(io, started.operationId, 'resync orders');
    io.out(`${op.result.orders} orders found, ${op.result.enqueued} resync jobs enqueued`);
    return 0;
  }
  if (!sub || !['products', 'stock', 'customers'].includes(sub) || !rest.length) {
    throw new CliError('usage: resync products|stock|customers <id,id,…|all> | resync orders --since <date>', 2);
  }
  const ids = rest.length === 1 && rest[0] === 'all' ? 'all' : parseIds(rest);
  if (ids !== 'all' && ids.some((i) => !Number.isSafeInteger(i) || i <= 0))
    throw new CliError('resync: ids are positive Odoo ids, or "all"', 2);
  const answer = expectOk<{ queued: number; missing_ids: number[] }>(await io.api.post('/api/resync', { kind: sub, ids }), 'resync');
  const unknown = answer.missing_ids.length ? `; unknown ids: ${answer.missing_ids.join(', ')}` : '';
  io.out(`${answer.queued} outbox event(s) emitted by Odoo for ${sub}${unknown}`);
  return 0;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const p = parseArgs(argv);
    const [command, sub, ...rest] = p.positional;
    if (!command || p.flags.help || command === 'help') {
      io.out(USAGE);
      return command || p.flags.help ? 0 : 2;
    }
    const run = COMMANDS[command];
    if (!run) throw new CliError(`unknown command "${command}"\n${USAGE}`, 2);
    return await run(io, p, sub, rest);
  } catch (error) {
    if (error instanceof CliError) {
      io.err(error.message);
      return error.exitCode;
    }
    io.err(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

/** Process entry: the environment is read by sidecar/config (`cliConfig`). */
async function main(): Promise<void> {
  let settings: CliConfig;
  try {
    settings = cliConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`shopify-sync: ${error.message}\n`);
    process.exit(2);
  }
  const argv = process.argv.slice(2);
  if (!settings.adminToken && !argv.includes('--help') && argv[0] !== 'help' && argv.length) {
    process.stderr.write("shopify-sync: ADMIN_TOKEN is required (the sidecar's admin bearer token)\n");
    process.exit(2);
  }
  const api = httpAdminApi(settings.sidecarUrl, settings.adminToken);
  const code = await runCli(argv, { api, out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) });
  process.exitCode = code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
