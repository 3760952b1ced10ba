/**
 * pg-boss's own database adapter (its pool, transactions and statements, unchanged) with a LISTEN
 * connection that never leaves an `error` event unheard.
 *
 * pg-boss 12.38 keeps one dedicated `pg.Client` for LISTEN/NOTIFY. When that client fails, and when
 * pg-boss closes it at stop, it first removes every listener from it and then ends it. A client
 * whose server is going away can still emit `error` after that: PostgreSQL sends "terminating
 * connection due to administrator command" (57P01) to every session when it restarts or fails over,
 * and a socket error may follow the first one. An `error` event nobody listens to is an uncaught
 * exception, which ends the process (seen when the database stopped while the sidecar stopped).
 *
 * `listen` here does what pg-boss's does (dedicated client with TCP keep-alive, LISTEN, a heartbeat
 * that checks the channel is still registered, reconnection with capped backoff, `onReconnect` so
 * pg-boss fetches what it may have missed), but every client keeps its `error` listener for as
 * long as it exists: a dead client's late errors are ignored, a live one's are reported once (as a
 * pg-boss `error` event, which the queue logs) and end in a reconnect. pg-boss takes the adapter
 * through its public `db` option; its pool's errors reach the same event.
 */
import pg from 'pg';
import Db from 'pg-boss/dist/db.js';

const HEARTBEAT_MS = 10_000;
const HEARTBEAT_TIMEOUT_MS = 5_000;
const MAX_BACKOFF_MS = 30_000;

export interface BossDbOptions {
  connectionString: string;
  max: number;
  application_name: string;
}

interface ListenHandle {
  close(): Promise<void>;
}

const ignore = () => undefined;

export class ResilientBossDb extends Db {
  readonly #connection: BossDbOptions;

  constructor(options: BossDbOptions) {
    super({ ...options });
    this.#connection = options;
  }

  /** Reported as pg-boss reports its own: an `error` event, promoted to the PgBoss instance. */
  #report(error: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  override async listen(channel: string, onNotification: (payload: string) => void, onReconnect: () => void): Promise<ListenHandle> {
    const session = new ListenSession(this.#connection, channel, { onNotification, onReconnect, report: (e) => this.#report(e) });
    // An initial failure rejects: pg-boss then polls only, and nothing reconnects behind its back.
    await session.connect();
    session.established = true;
    return { close: () => session.close() };
  }
}

interface SessionHooks {
  onNotification(payload: string): void;
  onReconnect(): void;
  report(error: unknown): void;
}

/** One LISTEN subscription: its current client, its reconnection and heartbeat timers. */
class ListenSession {
  established = false;
  private closed = false;
  private client: pg.Client | null = null;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connection: BossDbOptions,
    private readonly channel: string,
    private readonly hooks: SessionHooks,
  ) {}

  async connect(): Promise<void> {
    if (this.closed) return;
    const next = new pg.Client({
      connectionString: this.connection.connectionString,
      application_name: this.connection.application_name,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 10_000,
    });
    // Never removed: whatever this client emits after it was dropped is ignored, not thrown.
    next.on('error', (error) => this.drop(next, error));
    next.on('end', () => this.drop(next, new Error('LISTEN/NOTIFY connection ended')));
    next.on('notification', (message) => {
      if (this.client === next && message.payload !== undefined) this.hooks.onNotification(message.payload);
    });
    this.client = next;
    try {
      await next.connect();
      await next.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      if (this.client === next) this.client = null;
      next.end().catch(ignore);
      throw error;
    }
    if (this.closed || this.client !== next) {
      next.end().catch(ignore);
      return;
    }
    this.attempt = 0;
    this.scheduleHeartbeat(next);
    this.hooks.onReconnect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.heartbeatTimer);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(ignore);
  }

  /** The current client failed: report it once, end it, reconnect (once LISTEN worked at least once). */
  private drop(target: pg.Client, error: unknown): void {
    if (this.client !== target) return;
    this.client = null;
    clearTimeout(this.heartbeatTimer);
    target.end().catch(ignore);
    if (this.closed) return;
    this.hooks.report(error);
    if (this.established) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(this.attempt, 5));
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch(() => this.scheduleReconnect());
    }, backoff);
    this.reconnectTimer.unref();
  }

  /** A dead TCP connection may say nothing: ask the server every 10 s whether LISTEN still holds. */
  private scheduleHeartbeat(target: pg.Client): void {
    if (this.closed || this.client !== target) return;
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeat(target).then(
        () => this.scheduleHeartbeat(target),
        (error: unknown) => this.drop(target, error),
      );
    }, HEARTBEAT_MS);
    this.heartbeatTimer.unref();
  }

  private async heartbeat(target: pg.Client): Promise<void> {
    if (this.closed || this.client !== target) return;
    let timer: NodeJS.Timeout | undefined;
    const query = target.query<{ listening: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM pg_listening_channels() AS active(channel) WHERE channel = $1) AS listening',
      [this.channel],
    );
    query.catch(ignore);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('LISTEN/NOTIFY heartbeat timed out')), HEARTBEAT_TIMEOUT_MS);
    });
    try {
      const result = await Promise.race([query, timeout]);
      if (!result.rows[0]?.listening) throw new Error('LISTEN/NOTIFY channel registration was lost');
    } finally {
      clearTimeout(timer);
    }
  }
}
