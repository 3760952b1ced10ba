/**
 * The full-sync bench's hold on the Shopify simulator (./full-sync.ts), wherever the simulator
 * runs: what the bench reads from it (points charged, THROTTLED answers, requests, the bucket's
 * level) and does to it (a third location; the inventory's state kept before a push and put back
 * before each replay of its round-trip floor; a CPU profile of its process).
 *
 * - `in-process`: the simulator of the bench's own stack, on the one event loop that also runs the
 *   sidecar, the Odoo double and the bench (how the bench measured before).
 * - `child`: the same simulator (`createSimulator`, the same options) served over HTTP by a child
 *   process of its own (./sim-process.ts, forked with the bench's loader, tsx), as Shopify is
 *   another machine in production: the sidecar's work between calls (Odoo's reads, the budget's
 *   statements, planning) overlaps the simulator's answers on the machine's cores instead of
 *   taking turns with them. The bench talks to it by IPC messages (this harness only: nothing of
 *   it is in the simulator's HTTP API or in the sidecar). The child ends with its IPC channel: if
 *   the bench dies, so does it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inventoryItemOf, levelOf } from '../sim/lookup.js';
import type { Simulator, SimulatorOptions } from '../sim/simulator.js';
import { startCpuProfile, type StopCpuProfile } from './profile.js';

export type SimulatorMode = 'child' | 'in-process';
export const SIMULATOR_MODES: readonly SimulatorMode[] = ['child', 'in-process'];

export interface SimCounters {
  points: number;
  /** THROTTLED answers, the bucket's and injected ones. */
  throttled: number;
  requests: number;
  /** CPU time (user + system) of the simulator's process so far, in seconds. */
  cpuSeconds: number;
}

export interface BucketLevel {
  maximumAvailable: number;
  available: number;
  restoreRate: number;
}

/** The operations, run where the simulator is (./sim-process.ts runs them on a message). */
export interface SimOperations {
  counters(): SimCounters;
  bucket(): BucketLevel;
  /** A location more, as the second one (the catalog's third warehouse). */
  addLocation(id: number, name: string): void;
  /** Keeps what an inventory push changes (see `inventoryBefore`), replacing what was kept. */
  keepInventory(): void;
  /** Puts the kept inventory back and builds the indexes of the new arrays (outside any timed window). */
  restoreInventory(): void;
  /** Starts a CPU profile of the simulator's process (no-op in-process: the bench's profile covers it). */
  startProfile(): Promise<void>;
  /** Writes it to `dir/name.cpuprofile`. */
  stopProfile(dir: string, name: string): Promise<void>;
}

export interface SimControl {
  mode: SimulatorMode;
  /** The Admin API's base URL (SHOPIFY_ADMIN_BASE_URL). */
  url: string;
  /** The simulator's process (the child's; this process's in-process). */
  pid: number;
  call<K extends keyof SimOperations>(op: K, ...args: Parameters<SimOperations[K]>): Promise<Awaited<ReturnType<SimOperations[K]>>>;
  /** Stops the simulator (the child: ended, killed if it does not end within a few seconds). */
  close(): Promise<void>;
}

type SimState = Simulator['state'];

/** This process's CPU time (user + system) so far, in seconds. */
export function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * What an inventory push changes in the simulator — the levels (quantities set, levels stocked)
 * and the idempotency keys used — taken before it, to be put back for a replay. The level objects
 * themselves are kept (not copies), so the replay works on objects of the same shapes as the push.
 */
function inventoryBefore(state: SimState): () => void {
  const levels = state.levels.map((level) => ({ level, ...pick(level) }));
  const keys = state.idempotency.length;
  return () => {
    for (const { level, ...saved } of levels) Object.assign(level, saved);
    // New arrays (the simulator's indexes belong to an array and never see removals).
    state.levels = levels.map((l) => l.level);
    state.idempotency = state.idempotency.slice(0, keys);
  };
}

const pick = ({ available, committed, on_hand, updatedAt }: SimState['levels'][number]) => ({ available, committed, on_hand, updatedAt });

/** The operations on a simulator of this process; `profiles`: whether they profile this process. */
export function simOperations(sim: Simulator, profiles: boolean): SimOperations {
  let restore: (() => void) | undefined;
  let stop: StopCpuProfile | undefined;
  return {
    counters: () => ({
      points: sim.stats.pointsCharged,
      throttled: sim.stats.bucketThrottles + sim.stats.forcedThrottles,
      requests: sim.stats.requests,
      cpuSeconds: cpuSeconds(),
    }),
    bucket: () => ({
      maximumAvailable: sim.bucket.maximumAvailable,
      available: sim.bucket.available(),
      restoreRate: sim.bucket.restoreRate,
    }),
    addLocation(id, name) {
      const locations = sim.state.locations;
      locations.push({ ...locations[1]!, id, name, createdAt: locations[0]!.createdAt });
    },
    keepInventory() {
      restore = inventoryBefore(sim.state);
    },
    restoreInventory() {
      if (!restore) throw new Error('nothing kept (keepInventory first)');
      restore();
      // Built before the clock starts, as the push found them built.
      levelOf(sim.state, undefined, undefined);
      inventoryItemOf(sim.state, undefined);
    },
    async startProfile() {
      if (profiles) stop = await startCpuProfile();
    },
    async stopProfile(dir, name) {
      const s = stop;
      stop = undefined;
      await s?.(dir, name);
    },
  };
}

/** The simulator of the bench's own stack, driven directly. */
export function inProcessControl(sim: Simulator, url: string): SimControl {
  const ops = simOperations(sim, false);
  return {
    mode: 'in-process',
    url,
    pid: process.pid,
    call: (op, ...args) => Promise.resolve((ops[op] as (...a: unknown[]) => unknown)(...args)) as never,
    close: () => Promise.resolve(),
  };
}

/** A message to the child: start it, or run one operation. */
export type ToChild = { start: SimulatorOptions; latencyMs?: number } | { id: number; op: keyof SimOperations; args: unknown[] };
/** A message from the child: listening at `url`, or an operation's answer. */
export type FromChild = { ready: string } | { id: number; value?: unknown; error?: string } | { failed: string };

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * Forks ./sim-process.ts and waits until its simulator listens. `latencyMs`: each HTTP request is
 * held that long before the simulator sees it (a network round trip; default 0).
 */
export async function startChildSimulator(
  options: SimulatorOptions,
  { readyTimeoutMs = 120_000, latencyMs = 0 }: { readyTimeoutMs?: number; latencyMs?: number } = {},
): Promise<SimControl> {
  const child: ChildProcess = fork(path.join(HERE, 'sim-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let ended: Error | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      ended = new Error(`the simulator's process ended (${signal ?? code})`);
      for (const p of pending.values()) p.reject(ended);
      pending.clear();
      resolve();
    }),
  );
  let nextId = 0;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // Its IPC channel closed, the child closes its server and exits.
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the simulator's process did not listen within ${readyTimeoutMs} ms`)),
        readyTimeoutMs,
      );
      child.on('message', (m: FromChild) => {
        if ('ready' in m) {
          clearTimeout(timer);
          resolve(m.ready);
        } else if ('failed' in m) reject(new Error(`the simulator's process: ${m.failed}`));
        else {
          const p = pending.get(m.id);
          pending.delete(m.id);
          if (m.error !== undefined) p?.reject(new Error(`simulator ${m.error}`));
          else p?.resolve(m.value);
        }
      });
      child.once('error', reject);
      void exited.then(() => reject(ended ?? new Error("the simulator's process ended")));
      child.send({ start: options, latencyMs } satisfies ToChild);
    });
    return {
      mode: 'child',
      url,
      pid: child.pid!,
      call: (op, ...args) =>
        new Promise((resolve, reject) => {
          if (ended) {
            reject(ended);
            return;
          }
          const id = ++nextId;
          pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
          child.send({ id, op, args } satisfies ToChild);
        }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
