/**
 * The queue's own SQL over pg-boss's `job` table, as pure functions returning the statement text
 * and its values (in the spirit of pg-boss's `plans.js`); ./queue.ts and ./stats.ts run them.
 * `schema` is validated as a lowercase SQL identifier by createQueue before any of these is built.
 */

export interface Statement {
  text: string;
  values: unknown[];
}

/** Is a job for the same key queued after `jobId` and not run yet? One row, column `later`. */
export function laterJobExists(schema: string, queue: string, key: string, jobId: string): Statement {
  return {
    text: `SELECT EXISTS (
             SELECT 1 FROM "${schema}".job later, "${schema}".job self
             WHERE self.name = $1 AND self.id = $3
               AND later.name = $1 AND later.singleton_key = $2 AND later.id <> $3
               AND later.state IN ('created', 'retry')
               AND (later.created_on, later.id) > (self.created_on, self.id)
           ) AS later`,
    values: [queue, key, jobId],
  };
}

/**
 * Completed, retried and failed jobs per queue created since `since`, with enqueue-to-completion
 * percentiles in milliseconds. `created_on` and `completed_on` are written by pg-boss with the
 * database's clock; `since` is the caller's instant.
 */
export function jobSummary(schema: string, queues: readonly string[], since: Date): Statement {
  return {
    text: `SELECT name,
             count(*) FILTER (WHERE state = 'completed')::int AS completed,
             coalesce(sum(retry_count) FILTER (WHERE state = 'completed'), 0)::int AS retried,
             count(*) FILTER (WHERE state = 'failed')::int AS failed,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_on - created_on) * 1000)
               FILTER (WHERE state = 'completed') AS p50,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM completed_on - created_on) * 1000)
               FILTER (WHERE state = 'completed') AS p95
           FROM "${schema}".job
           WHERE name = ANY($1::text[]) AND created_on >= $2
           GROUP BY name`,
    values: [[...queues], since.toISOString()],
  };
}

/**
 * Live counts per queue name: ready, deferred, active, failed and blocked keys. Ready versus
 * deferred compares with pg-boss's own clock (`job_now()`, the database's `now()`) on purpose, not
 * with the sidecar's injected clock: pg-boss writes `start_after` and fetches a job once it has
 * passed by that clock, so only that clock says whether a job is fetchable yet.
 */
export function liveCounts(schema: string, names: readonly string[]): Statement {
  return {
    text: `SELECT name,
             count(*) FILTER (WHERE state IN ('created','retry') AND start_after <= "${schema}".job_now())::int AS ready,
             count(*) FILTER (WHERE state IN ('created','retry') AND start_after > "${schema}".job_now())::int AS deferred,
             count(*) FILTER (WHERE state = 'active')::int AS active,
             count(*) FILTER (WHERE state = 'failed')::int AS failed,
             count(DISTINCT singleton_key) FILTER (WHERE state = 'failed' AND policy = 'key_strict_fifo')::int AS blocked
           FROM "${schema}".job
           WHERE name = ANY($1::text[]) AND state IN ('created','retry','active','failed')
           GROUP BY name`,
    values: [[...names]],
  };
}

/**
 * The oldest waiting job per queue name (created or retry): on a flow queue the oldest backlog,
 * on a `.dlq` the oldest dead letter. `created_on` is pg-boss's (the database's clock).
 */
export function oldestWaiting(schema: string, names: readonly string[]): Statement {
  return {
    text: `SELECT name, min(created_on) AS oldest
             FROM "${schema}".job
            WHERE name = ANY($1::text[]) AND state IN ('created','retry')
            GROUP BY name`,
    values: [[...names]],
  };
}

/**
 * pg-boss's internal `restore`, fenced to one attempt: an unfinished job goes back to `created`
 * with `started_on` cleared, so its next claim does not count a new attempt. pg-boss's own
 * shutdown fail that follows is fenced to `state = 'active'` and leaves it alone.
 */
export function returnToQueue(schema: string, queue: string, jobId: string, retryCount: number): Statement {
  return {
    text: `UPDATE "${schema}".job
              SET state = 'created', started_on = NULL, heartbeat_on = NULL, upsert_by_key = NULL
            WHERE name = $1 AND id = $2::uuid AND state = 'active' AND retry_count = $3
            RETURNING id`,
    values: [queue, jobId, retryCount],
  };
}

/**
 * Jobs whose worker stopped sending heartbeats (its process died or stalled longer than the
 * queue's `heartbeat_seconds`) become fetchable again at once, as `retry` due now: no backoff,
 * since the crash was not the job's fault. `started_on` stays set, so the next claim counts a new
 * attempt (pg-boss's fetch increments `retry_count` then), which fences off a stalled worker's late
 * settle. pg-boss's own supervisor fails such jobs too, but only after its retry backoff.
 */
export function reclaimAbandoned(schema: string, queues: readonly string[]): Statement {
  return {
    text: `UPDATE "${schema}".job
              SET state = 'retry', start_after = "${schema}".job_now(), heartbeat_on = NULL,
                  output = jsonb_build_object('kind', 'retryable', 'reason', 'heartbeat lost: the worker stopped (process died or stalled)')
            WHERE name = ANY($1::text[]) AND state = 'active' AND heartbeat_seconds IS NOT NULL
              AND heartbeat_on + heartbeat_seconds * interval '1 second' < "${schema}".job_now()
            RETURNING id, name`,
    values: [[...queues]],
  };
}

/** Retries waiting out their backoff on `queues` become due now (a paused side answers again). */
export function retriesDueNow(schema: string, queues: readonly string[]): Statement {
  return {
    text: `UPDATE "${schema}".job SET start_after = "${schema}".job_now()
            WHERE name = ANY($1::text[]) AND state = 'retry' AND start_after > "${schema}".job_now()
            RETURNING id`,
    values: [[...queues]],
  };
}
