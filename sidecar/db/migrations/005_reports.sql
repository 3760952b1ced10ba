-- Stored reconciliation and integrity reports (docs/operations.md), newest read by the dashboard,
-- the admin API and the CLI; and long operations (reports, bulk resync, bulk DLQ actions) with
-- their progress, readable at /admin/api/operations/:id while they run.
CREATE TABLE {{schema}}.reports (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('reconciliation', 'integrity')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  operation_id uuid,
  summary      jsonb NOT NULL,
  body         jsonb NOT NULL
);
CREATE INDEX reports_kind_created ON {{schema}}.reports (kind, created_at DESC, id DESC);

CREATE TABLE {{schema}}.operations (
  id          uuid PRIMARY KEY,
  kind        text NOT NULL,
  params      jsonb NOT NULL DEFAULT '{}',
  state       text NOT NULL CHECK (state IN ('running', 'done', 'failed')),
  done        integer NOT NULL DEFAULT 0,
  total       integer,
  message     text,
  result      jsonb,
  error       text,
  started_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX operations_started ON {{schema}}.operations (started_at DESC);
