-- Small named state the sidecar keeps for itself and shares between replicas: the onboarding
-- result that gates pushing to Shopify (sidecar/onboarding), the last webhook subscription check
-- (schedules/webhook-subscriptions). One row per key; `value` is the whole JSON report.
CREATE TABLE {{schema}}.sidecar_state (
  key         text PRIMARY KEY,
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
