/**
 * Which processes the machine's CPU went to during a phase, read from /proc (Linux only; elsewhere
 * nothing is said): this process (the bench, with the simulator and the sidecar), then the groups
 * the caller names by command line (this run's Odoo, the PostgreSQL backends of its databases),
 * and the rest, which on a shared machine includes other jobs. It tells whether a phase was bound
 * by Odoo, by the sidecar's side, or by the machine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';

export interface CpuGroup {
  label: string;
  /** Whether a process belongs to the group, by its command line (a backend's title for PostgreSQL). */
  matches: (cmdline: string) => boolean;
}

export interface CpuSnapshot {
  atMs: number;
  /** CPU seconds used so far, by process id, with the label of the process's group. */
  byPid: Map<number, { label: string; seconds: number }>;
}

const THIS_PROCESS = 'this process';
const OTHER = 'other';
// USER_HZ: 100 on the Linux kernels the bench runs on (sysconf is not reachable from Node).
const TICKS_PER_SECOND = 100;

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // the process exited meanwhile
  }
}

/** CPU seconds used so far by every process; undefined where /proc is not there. */
export function cpuSnapshot(groups: readonly CpuGroup[]): CpuSnapshot | undefined {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return undefined;
  }
  const byPid = new Map<number, { label: string; seconds: number }>();
  for (const pid of pids) {
    const stat = read(`/proc/${pid}/stat`);
    if (stat === undefined) continue;
    // The fields after the command name: utime is the 14th field of the line, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    const cmdline = (read(`/proc/${pid}/cmdline`) ?? '').replaceAll('\0', ' ');
    const label = pid === process.pid ? THIS_PROCESS : (groups.find((g) => g.matches(cmdline))?.label ?? OTHER);
    byPid.set(pid, { label, seconds });
  }
  return { atMs: performance.now(), byPid };
}

/**
 * "CPU over the phase (2 cores = 200 %): this process 95 %, Odoo 60 %, …, other 10 %" between two
 * snapshots, and with `per` the CPU milliseconds each group spent per item ("per order: this
 * process 310 ms, …"), which does not depend on the phase's length or on other jobs' load. A
 * process that ended between the snapshots is not counted; one that started counts from 0.
 */
export function cpuSplitText(
  groups: readonly CpuGroup[],
  before: CpuSnapshot | undefined,
  after: CpuSnapshot | undefined,
  per?: { count: number; item: string },
): string {
  if (!before || !after) return '';
  const wallSeconds = (after.atMs - before.atMs) / 1000;
  if (wallSeconds <= 0) return '';
  const labels = [THIS_PROCESS, ...groups.map((g) => g.label), OTHER];
  const used = new Map<string, number>(labels.map((l) => [l, 0]));
  for (const [pid, now] of after.byPid) {
    const earlier = before.byPid.get(pid)?.seconds ?? 0;
    used.set(now.label, used.get(now.label)! + Math.max(0, now.seconds - earlier));
  }
  const cores = availableParallelism();
  const parts = labels.map((l) => `${l} ${Math.round((used.get(l)! / wallSeconds) * 100)} %`);
  const share = `CPU over the phase (${cores} cores = ${cores * 100} %): ${parts.join(', ')}`;
  if (!per || per.count <= 0) return share;
  const each = labels.filter((l) => l !== OTHER).map((l) => `${l} ${Math.round((used.get(l)! * 1000) / per.count)} ms`);
  return `${share}; CPU per ${per.item}: ${each.join(', ')}`;
}

/** The processes of a run: its Odoo (by database), and the PostgreSQL backends serving its databases. */
export function runGroups(odooDatabase: string | undefined, sidecarDatabase: string | undefined): CpuGroup[] {
  const backendOf = (db: string) => (c: string) => c.startsWith('postgres:') && c.includes(` ${db} `);
  return [
    ...(odooDatabase
      ? [
          { label: 'Odoo', matches: (c: string) => c.includes('odoo-bin') && c.includes(odooDatabase) },
          { label: "Odoo's PostgreSQL", matches: backendOf(odooDatabase) },
        ]
      : []),
    ...(sidecarDatabase ? [{ label: "the sidecar's PostgreSQL", matches: backendOf(sidecarDatabase) }] : []),
  ];
}
