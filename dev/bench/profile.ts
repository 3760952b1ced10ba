/**
 * CPU profiles of a bench window, and where their time went (docs/operations.md, "Full catalog and
 * inventory at the budget limit", "Where the time goes").
 *
 * `withCpuProfile` samples this process (node:inspector, the same profiler as `node --cpu-prof`)
 * only while one measure runs and writes `<name>.cpuprofile` (open it in Chrome's DevTools).
 * `summarizeProfile` attributes every sample to the part of the one process that owns it: the
 * innermost frame of our own code on the sample's stack (the simulator `dev/sim`, the sidecar
 * `sidecar/`, the Odoo double, the bench), so graphql-js validating a request counts as the
 * simulator's and the PostgreSQL driver's parsing under the budget as the sidecar's; samples with
 * no frame of ours (HTTP parsing, fetch's internals, a driver callback) are named by the innermost
 * package or Node module on their stack, the garbage collector and idle time by themselves. The
 * detail adds the innermost library or file of each sample (native frames, e.g. JSON, count as
 * their caller's), and the functions with the most time on the stack (inclusive) are listed.
 *
 *   node --import tsx dev/bench/profile.ts var/bench/profiles/inventory-push.cpuprofile [more…]
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Writes the profile started by `startCpuProfile` to `dir/name.cpuprofile`. */
export type StopCpuProfile = (dir: string, name: string) => Promise<void>;

/** Starts sampling this process every `intervalUs` µs; the function returned stops and writes the profile. */
export async function startCpuProfile(intervalUs = 500): Promise<StopCpuProfile> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return async (dir, name) => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  };
}

/** Runs `fn` with this process sampled every `intervalUs` µs, and writes the profile to `dir/name.cpuprofile`. */
export async function withCpuProfile<T>(dir: string | undefined, name: string, fn: () => Promise<T>, intervalUs = 500): Promise<T> {
  if (!dir) return fn();
  const stop = await startCpuProfile(intervalUs);
  try {
    return await fn();
  } finally {
    await stop(dir, name);
  }
}

/** The part of the process a frame of our code belongs to; undefined for libraries and Node. */
function ownerOf(url: string): string | undefined {
  if (url.includes('/node_modules/')) return undefined;
  if (url.includes('/dev/sim/')) return 'simulator';
  if (url.includes('/dev/odoo-double/')) return 'Odoo double';
  if (url.includes('/dev/bench/') || url.includes('/dev/testing/')) return 'bench';
  if (url.includes('/sidecar/')) return 'sidecar';
  return undefined;
}

/** A library frame's package (`graphql`, `pg-protocol`), or Node's module (`node:_http_server`, `undici`). */
function libraryOf(url: string): string | undefined {
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:internal/deps/undici')) return 'undici (fetch)';
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').replace(/\/.*$/, '');
  return undefined;
}

const SPECIAL = new Set(['(garbage collector)', '(idle)', '(program)', '(root)']);

function frameKey(frame: CallFrame): string {
  const file = frame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(dev|sidecar)\//, '$1/');
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

export interface ProfileSummary {
  /** Wall time of the window, ms. */
  totalMs: number;
  /** ms per owner (simulator, sidecar, …; `(idle)`, `(garbage collector)`; a library when no frame of ours is on the stack). */
  byOwner: Map<string, number>;
  /** ms per owner and the leaf's library or file (`simulator · graphql`). */
  byOwnerDetail: Map<string, number>;
  /** ms with the function on the stack (counted once per sample). */
  inclusive: Map<string, number>;
}

export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byOwner = new Map<string, number>();
  const byOwnerDetail = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time before sample i; the next delta is the time this sample stood for.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const leaf = byId.get(id)!;
    if (SPECIAL.has(leaf.callFrame.functionName)) {
      add(byOwner, leaf.callFrame.functionName, ms);
      add(byOwnerDetail, leaf.callFrame.functionName, ms);
      return;
    }
    let owner: string | undefined;
    let innerLibrary: string | undefined;
    let leafPart: string | undefined;
    const seen = new Set<string>();
    for (let node: ProfileNode | undefined = leaf; node; node = byId.get(parent.get(node.id) ?? -1)) {
      const { url } = node.callFrame;
      owner ??= ownerOf(url);
      // The innermost library that is not Node's promise or timer machinery (which runs everything).
      const library = libraryOf(url);
      if (library && !/^node:(process|timers|async_hooks)$/.test(library)) innerLibrary ??= library;
      leafPart ??= url ? (library ?? url.replace(/^.*\/(dev|sidecar)\//, '$1/')) : undefined;
      if (!SPECIAL.has(node.callFrame.functionName)) seen.add(frameKey(node.callFrame));
    }
    for (const key of seen) add(inclusive, key, ms);
    const name = owner ?? innerLibrary ?? '(native)';
    add(byOwner, name, ms);
    add(byOwnerDetail, `${name} · ${leafPart ?? '(native)'}`, ms);
  });
  return { totalMs: (profile.endTime - profile.startTime) / 1000, byOwner, byOwnerDetail, inclusive };
}

/** The summary as text: shares of the window, then the top functions by inclusive time. */
export function profileText(summary: ProfileSummary, top = 40): string {
  const pct = (v: number) => `${((100 * v) / summary.totalMs).toFixed(1).padStart(5)} %`;
  const lines = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${pct(v)} ${v.toFixed(0).padStart(7)} ms  ${k}`);
  return [
    `window ${summary.totalMs.toFixed(0)} ms`,
    'by owner (the innermost frame of our code on the stack):',
    ...lines(summary.byOwner, 20),
    'by owner and leaf library or file:',
    ...lines(summary.byOwnerDetail, 30),
    `top ${top} functions by inclusive time:`,
    ...lines(summary.inclusive, top),
  ].join('\n');
}

async function main(files: string[]): Promise<void> {
  for (const file of files) {
    const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
    process.stdout.write(`${file}\n${profileText(summarizeProfile(profile))}\n\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}
