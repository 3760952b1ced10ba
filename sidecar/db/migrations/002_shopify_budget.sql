-- Shopify's cost bucket per shop (the GraphQL Admin API's leaky bucket, docs/architecture.md
-- decision 6), shared by every worker of every sidecar replica. Written only by
-- sidecar/shopify/budget.ts, each change one conditional UPDATE computed from the row it locks
-- (no lock held across statements): currently_available is the level at updated_at; the level
-- now is min(maximum, level + elapsed seconds × restore_rate).
CREATE TABLE {{schema}}.shopify_budget (
  shop_domain          text PRIMARY KEY,
  currently_available  double precision NOT NULL CHECK (currently_available >= 0),
  maximum_available    double precision NOT NULL CHECK (maximum_available > 0),
  restore_rate         double precision NOT NULL CHECK (restore_rate > 0),
  updated_at           timestamptz NOT NULL
);
