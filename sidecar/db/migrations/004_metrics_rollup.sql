-- Per-minute rollups of queue attempts per flow, for the dashboard's charts (sidecar/observability/rollup.ts).
-- Every replica adds its own counts with INSERT … ON CONFLICT DO UPDATE (additive), so several
-- replicas writing the same minute sum up. Histogram buckets share the bounds in metrics.ts
-- (DURATION_BUCKETS, one extra slot for +Inf). Rows older than 2 days are pruned by the writer.
CREATE TABLE {{schema}}.metrics_rollup (
  minute timestamptz NOT NULL,
  queue text NOT NULL,
  completed integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  retried integer NOT NULL DEFAULT 0,
  dead_lettered integer NOT NULL DEFAULT 0,
  duration_buckets integer[] NOT NULL,
  latency_buckets integer[] NOT NULL,
  PRIMARY KEY (minute, queue)
);

-- Alert state shared by the replicas (sidecar/observability/alerts.ts): one row per condition
-- ever seen, e.g. 'dlq:orders' or 'webhook_silence:orders/create'.
CREATE TABLE {{schema}}.alert_state (
  alert_key text PRIMARY KEY,
  firing boolean NOT NULL,
  value double precision NOT NULL,
  threshold double precision NOT NULL,
  summary text NOT NULL,
  since timestamptz NOT NULL,
  last_notified_at timestamptz,
  resolved_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
