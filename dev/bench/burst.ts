/**
 * The webhook burst of `make bench` (docs/operations.md, "Webhook burst"): acknowledgement at
 * 200 deliveries/s for 60 s while the workers work the burst's own orders, with every part in a
 * process of its own as production runs them — the Shopify simulator and the Odoo double (the
 * processes of `make chaos`, ../chaos/processes.ts and ../chaos/targets.ts; a real Odoo in
 * real-Odoo mode), the sidecar in one process (PROCESS_ROLE=all) or as an intake process and a
 * workers process (PROCESS_ROLE=intake and workers), and the load generator (./loadgen.ts). The
 * baseline is a bare node:http server fed by the same load generator in the same run.
 *
 * Every acknowledged delivery must be in the inbox: the row counts the stored ones.
 * `cpuProfileDir` runs each sidecar process with `--cpu-prof` (the profile is written when it stops).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { readQueueStats } from '../../sidecar/queue/stats.js';
import { spawnNode, stopProcess, waitHealthy, type NodeProcess } from '../chaos/processes.js';
import { realOdooTarget, startDoubleTarget, type OdooTarget } from '../chaos/targets.js';
import { webhookFixture } from '../testing/fixtures.js';
import type { RealOdooSettings } from '../testing/env.js';
import { freePort } from '../testing/postgres.js';
import { STACK_SHOP } from '../testing/stack.js';
import type { LoadResult, LoadSpec } from './loadgen.js';
import { latencies, percentile, type BenchRow } from './stats.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** `one process`: PROCESS_ROLE=all; `intake apart`: an intake process and a workers process. */
export type BurstLayout = 'one process' | 'intake apart';

export interface BurstOptions {
  databaseUrl: string;
  layout: BurstLayout;
  rate: number;
  seconds: number;
  /** Where the processes' logs (and profiles) go. */
  logDir: string;
  realOdoo: RealOdooSettings | null;
  cpuProfileDir?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secret = () => crypto.randomBytes(18).toString('hex');

/** Runs the load generator (a child process) on `spec`. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const child = fork(path.join(HERE, 'loadgen.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<LoadResult>((resolve, reject) => {
    child.once('message', (m: LoadResult | { error: string }) => ('error' in m ? reject(new Error(m.error)) : resolve(m)));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)));
    child.send(spec);
  });
}

/**
 * The baseline: a bare node:http server that reads the body and answers 200, fed by the same load
 * generator at the same rate (for at most 10 s), in the bench's own (otherwise idle) process.
 */
export async function bareServerLoad(spec: LoadSpec): Promise<LoadResult> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const count = Math.min(spec.count, spec.rate * 10);
  try {
    return await runLoad({ ...spec, url: `http://127.0.0.1:${port}/webhooks/shopify`, count, runId: `${spec.runId}-bare` });
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

interface Processes {
  sim: NodeProcess;
  target: OdooTarget;
  /** The process taking the deliveries (`all` or `intake`) first. */
  sidecars: NodeProcess[];
  intakeUrl: string;
  secrets: { webhook: string };
}

/** The sidecar's production settings for this run (as `make chaos` sets a replica's). */
function sidecarEnv(
  o: BurstOptions,
  run: { simUrl: string; target: OdooTarget; port: number; role: string; token: string; webhook: string },
) {
  return {
    NODE_ENV: 'production',
    PROCESS_ROLE: run.role,
    PORT: String(run.port),
    LISTEN_HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${run.port}`,
    LOG_LEVEL: 'info',
    ADMIN_TOKEN: secret(),
    DATABASE_URL: o.databaseUrl,
    SHOPIFY_SHOP_DOMAIN: STACK_SHOP,
    SHOPIFY_ADMIN_BASE_URL: run.simUrl,
    SHOPIFY_ACCESS_TOKEN: run.token,
    SHOPIFY_WEBHOOK_SECRET: run.webhook,
    ODOO_URL: run.target.url,
    ODOO_DB: run.target.db,
    ODOO_USER: run.target.user,
    ODOO_API_KEY: run.target.apiKey,
    ONBOARDING_REQUIRED: 'false',
    // The burst's deliveries come from the load generator, not from subscriptions.
    WEBHOOK_SUBSCRIPTIONS_MANAGE: 'false',
    SHUTDOWN_TIMEOUT_MS: '5000',
  };
}

async function startProcesses(o: BurstOptions): Promise<Processes> {
  const token = `shpat_${secret()}`;
  const webhook = secret();
  const tag = o.layout === 'one process' ? 'one' : 'apart';
  const target = o.realOdoo ? realOdooTarget(o.realOdoo) : await startDoubleTarget(o.logDir);
  const sim = spawnNode(
    'dev/sim/main.ts',
    ['--port', '0', '--host', '127.0.0.1', '--token', token, '--secret', webhook, '--shop', STACK_SHOP, '--no-demo-catalog'],
    { log: path.join(o.logDir, `simulator-${tag}.log`) },
  );
  const simUrl = (JSON.parse(await sim.firstLine) as { url: string }).url;
  const roles = o.layout === 'one process' ? ['all'] : ['workers', 'intake'];
  const sidecars: NodeProcess[] = [];
  let intakeUrl = '';
  // One after the other: the first one migrates the database.
  for (const role of roles) {
    const port = await freePort();
    const p = spawnNode('sidecar/main.ts', [], {
      env: sidecarEnv(o, { simUrl, target, port, role, token, webhook }),
      log: path.join(o.logDir, `sidecar-${tag}-${role}.log`),
      // A folder per process: tsx's module-hooks thread writes a profile of its own beside the main thread's.
      ...(o.cpuProfileDir ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', path.join(o.cpuProfileDir, `${tag}-${role}`)] } : {}),
    });
    sidecars.push(p);
    const ended = () => p.child.exitCode !== null || p.child.signalCode !== null;
    // Ready: the intake stores and queues; the workers (and `all`) answered Odoo's contract check.
    if (!(await waitHealthy(`http://127.0.0.1:${port}/readyz`, 180_000, ended)))
      throw new Error(`burst: the ${role} sidecar ended; see ${o.logDir}`);
    if (role !== 'workers') intakeUrl = `http://127.0.0.1:${port}`;
  }
  // The process taking the deliveries first.
  if (sidecars.length > 1) sidecars.reverse();
  return { sim, target, sidecars, intakeUrl, secrets: { webhook } };
}

async function stopProcesses(p: Processes): Promise<void> {
  for (const s of p.sidecars) await stopProcess(s);
  await stopProcess(p.sim);
  await p.target.stop();
}

/** CPU time (user + system, ms) a process has used so far; undefined where /proc is not there. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    // Fields 14 and 15 of /proc/<pid>/stat, after the command name in parentheses; in clock ticks (USER_HZ, 100 on Linux).
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** CPU (ms) of the PostgreSQL backends serving this database now, by pid (the same machine's server). */
async function backendCpu(db: pg.Pool): Promise<Map<number, number>> {
  const { rows } = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  return new Map(
    rows.flatMap((r) => {
      const ms = cpuMs(r.pid);
      return ms === undefined ? [] : [[r.pid, ms] as const];
    }),
  );
}

/** Samples the orders queue while the burst goes on: the most jobs queued or running at once. */
function sampleOrders(db: pg.Pool, schema: string): { stop: () => Promise<number> } {
  let busiest = 0;
  let sampling = true;
  const boss = { executeSql: (text: string, values?: unknown[]) => db.query(text, values) };
  const loop = (async () => {
    while (sampling) {
      const orders = (await readQueueStats(boss as never, schema, ['orders'])).find((q) => q.queue === 'orders');
      busiest = Math.max(busiest, (orders?.queued ?? 0) + (orders?.active ?? 0));
      await sleep(500);
    }
  })();
  return {
    stop: async () => {
      sampling = false;
      await loop;
      return busiest;
    },
  };
}

/** The burst against the sidecar in `o.layout`, and its bare-server baseline, measured in this run. */
export async function benchBurst(o: BurstOptions): Promise<BenchRow> {
  const count = Math.max(1, Math.round(o.rate * o.seconds));
  const processes = await startProcesses(o);
  const db = new pg.Pool({ connectionString: o.databaseUrl, max: 2 });
  try {
    const spec: LoadSpec = {
      url: `${processes.intakeUrl}/webhooks/shopify`,
      secret: processes.secrets.webhook,
      shop: STACK_SHOP,
      topic: 'orders/create',
      fixture: webhookFixture('orders/create').toString('utf8'),
      rate: o.rate,
      count,
      deadlineMs: o.seconds * 1000 + 30_000,
      runId: `${Date.now()}-${o.layout === 'one process' ? 'one' : 'apart'}`,
    };
    const bare = await bareServerLoad(spec);
    const sampler = sampleOrders(db, 'shopify_sync_queue');
    const cpuBefore = processes.sidecars.map((p) => cpuMs(p.child.pid));
    const pgBefore = await backendCpu(db);
    const result = await runLoad(spec);
    const perDelivery = (ms: number) => ms / Math.max(1, result.sent);
    const cpu = processes.sidecars.map((p, i) => {
      const [after, before] = [cpuMs(p.child.pid), cpuBefore[i]];
      return after === undefined || before === undefined ? undefined : perDelivery(after - before);
    });
    // The backends there at the end (the pools' connections); one opened during the burst counts whole.
    let pgMs = 0;
    for (const [pid, ms] of await backendCpu(db)) pgMs += ms - (pgBefore.get(pid) ?? 0);
    cpu.push(perDelivery(pgMs));
    const busiest = await sampler.stop();
    // Every acknowledged delivery must be stored once (whatever a flow has done with it since).
    const { rows } = await db.query<{ n: number; worked: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE status <> 'queued')::int AS worked
         FROM shopify_sync.webhook_inbox WHERE webhook_id LIKE $1`,
      [`bench-${spec.runId}-%`],
    );
    return burstRow(o, { count, result, bare, busiest, cpu, stored: rows[0]?.n ?? 0, worked: rows[0]?.worked ?? 0 });
  } finally {
    await db.end();
    await stopProcesses(processes);
  }
}

function burstRow(
  o: BurstOptions,
  m: { count: number; result: LoadResult; bare: LoadResult; busiest: number; cpu: (number | undefined)[]; stored: number; worked: number },
): BenchRow {
  const { result, bare } = m;
  const ok = result.statuses['200'] ?? 0;
  const other = Object.entries(result.statuses)
    .filter(([s]) => s !== '200')
    .map(([s, n]) => `${n}×${s}`);
  const unanswered = result.sent - result.latenciesMs.length - result.errors;
  const p99 = percentile(result.latenciesMs, 99);
  const bareP99 = percentile(bare.latenciesMs, 99);
  const layout = o.layout === 'one process' ? 'one sidecar process (PROCESS_ROLE=all)' : 'intake and workers in two processes';
  const shown = m.cpu.map((ms) => (ms === undefined ? '?' : ms.toFixed(1)));
  const postgres = `PostgreSQL backends ${shown.at(-1)} ms`;
  const cpu =
    o.layout === 'one process'
      ? `CPU per delivery: sidecar ${shown[0]} ms, ${postgres}`
      : `CPU per delivery: intake ${shown[0]} ms, workers ${shown[1]} ms, ${postgres}`;
  return {
    measure: `webhook acknowledgement while the workers are busy, ${o.layout}`,
    load: `${o.rate}/s for ${o.seconds} s (orders/create sample, signed)`,
    value: `${latencies(result.latenciesMs)}; ${((result.sent / Math.max(1, result.sendingMs)) * 1000).toFixed(0)} sent/s`,
    baseline: `bare HTTP server: ${latencies(bare.latenciesMs)}`,
    ratio: p99 / bareP99,
    goal: 'p99 < 50 ms, none refused',
    met: p99 < 50 && ok === m.count && m.stored === m.count,
    n: result.latenciesMs.length,
    note:
      `${ok} × 200, ${m.stored} stored in the inbox${other.length ? `, ${other.join(', ')}` : ''}` +
      `${
        result.errors
          ? `, ${result.errors} connection errors (${Object.entries(result.errorCodes)
              .map(([code, n]) => `${code} ${n}`)
              .join(', ')})`
          : ''
      }${unanswered > 0 ? `, ${unanswered} unanswered` : ''}; ` +
      `${layout}; ${cpu} during the burst; up to ${m.busiest} orders jobs queued or running during the burst, ${m.worked} worked by its end; ` +
      `ratio of the p99s; baseline over ${bare.sent} deliveries`,
  };
}
