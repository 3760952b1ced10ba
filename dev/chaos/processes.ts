/**
 * The processes of `make chaos`: each part runs as its own Node process (the simulator, the Odoo
 * double, every sidecar replica), its output in a log file of the run's folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { childEnv } from '../testing/env.js';

export interface NodeProcess {
  child: ChildProcess;
  /** The first line the process printed on stdout (the simulator and the double print their URLs). */
  firstLine: Promise<string>;
  /** Resolves with the exit code or signal once the process ended. */
  exited: Promise<string>;
}

/** `nodeArgs`: Node's own options before the script (the bench's `--cpu-prof`). */
export function spawnNode(
  script: string,
  args: string[],
  options: { env?: Record<string, string>; log: string; nodeArgs?: string[] },
): NodeProcess {
  fs.mkdirSync(path.dirname(options.log), { recursive: true });
  const out = fs.openSync(options.log, 'a');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script, ...args], {
    env: childEnv(options.env ?? {}),
    stdio: ['ignore', 'pipe', out],
  });
  let buffer = '';
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      fs.appendFileSync(options.log, chunk);
      buffer += chunk.toString('utf8');
      const nl = buffer.indexOf('\n');
      if (nl >= 0) resolve(buffer.slice(0, nl));
    });
    child.once('exit', (code, signal) => reject(new Error(`${script} ended (${signal ?? code}) before it was ready; see ${options.log}`)));
  });
  firstLine.catch(() => undefined);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(String(signal ?? code))));
  exited.finally(() => fs.closeSync(out)).catch(() => undefined);
  return { child, firstLine, exited };
}

/**
 * Polls `url` until it answers 200 (true), or until `gone()` says the process behind it ended
 * (false); fails after `timeoutMs`.
 */
export async function waitHealthy(url: string, timeoutMs = 120_000, gone: () => boolean = () => false): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return true;
    } catch {
      /* not listening yet */
    }
    if (gone()) return false;
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function stopProcess(p: NodeProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}
