/**
 * Riding out a short database outage (docs/operations.md, "Database restarts"): a PostgreSQL
 * restart or failover refuses connections or ends them for a second or two. A caller that must
 * answer quickly (the webhook intake, inside Shopify's 5 s) retries a connection-class failure a
 * few times within a budget instead of failing at once.
 */

/** Node's network failures when connecting to or talking with the server. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * SQLSTATE class 08 (connection exception), 57P01–57P03 (the server shutting down, crashed, or not
 * accepting connections yet) and 53300 (too many connections).
 */
const CONNECTION_SQLSTATE = /^(08...|57P0[123]|53300)$/;

/** node-postgres's own messages for a connection that ended or could not be checked out in time. */
const PG_CONNECTION_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|not queryable/;

/** True when `error` says the database could not be reached, not that it refused the statement. */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || CONNECTION_SQLSTATE.test(code))) return true;
  return typeof message === 'string' && PG_CONNECTION_MESSAGE.test(message);
}

export interface RetryBudget {
  /** No new attempt starts after this many ms from the first. */
  retryForMs: number;
  /** The answer is given by then whatever an attempt is doing (its outcome is then ignored). */
  answerWithinMs: number;
  /** Called before each new attempt with the failure that caused it. */
  onRetry?: (attempt: number, error: unknown) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `attempt()` again after a connection-class failure, with a short backoff (100 ms doubling to
 * 500 ms), while `retryForMs` lasts; any other error is thrown at once. The whole call settles
 * within `answerWithinMs`: an attempt still running then is left to finish on its own (for the
 * intake, a stored row makes Shopify's next delivery an acknowledged duplicate).
 */
export async function retryConnectionErrors<T>(attempt: () => Promise<T>, budget: RetryBudget): Promise<T> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const overdue = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`database: no answer within ${budget.answerWithinMs} ms`), { code: 'ETIMEDOUT' })),
      budget.answerWithinMs,
    );
  });
  overdue.catch(() => undefined);
  try {
    for (let n = 1, delay = 100; ; n++, delay = Math.min(delay * 2, 500)) {
      const running = attempt();
      running.catch(() => undefined);
      try {
        return await Promise.race([running, overdue]);
      } catch (error) {
        const elapsed = performance.now() - started;
        if (!isConnectionError(error) || elapsed + delay >= budget.retryForMs || elapsed >= budget.answerWithinMs) throw error;
        budget.onRetry?.(n + 1, error);
        await sleep(delay);
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
