-- Watermarks of the sidecar's periodic pulls (docs/architecture.md decision 3): for each shop and stream (e.g.
-- 'orders'), the time up to which every update has been enqueued. A pull reads from the watermark
-- minus an overlap and advances it only after all its pages are enqueued, so a crash mid-pull
-- repeats work (deduplicated by job id) instead of skipping it.
CREATE TABLE {{schema}}.sync_watermarks (
  shop_domain  text NOT NULL,
  stream       text NOT NULL,
  watermark    timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop_domain, stream)
);
