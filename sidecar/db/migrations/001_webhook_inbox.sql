-- Every Shopify webhook delivery, keyed by X-Shopify-Webhook-Id (Shopify's dedupe key).
-- The raw payload holds personal data: it is purged after the retention period, while the
-- row (ids, topic, timestamps, outcome) stays for auditing and dedupe.
CREATE TABLE {{schema}}.webhook_inbox (
  webhook_id    text PRIMARY KEY,
  topic         text NOT NULL,
  shop_domain   text NOT NULL,
  api_version   text,
  event_id      text,
  triggered_at  timestamptz,
  received_at   timestamptz NOT NULL DEFAULT now(),
  entity_gid    text,
  status        text NOT NULL CHECK (status IN ('queued', 'ignored', 'invalid', 'processed', 'failed')),
  reason        text,
  payload       jsonb,
  payload_purged_at timestamptz
);
CREATE INDEX webhook_inbox_received_at ON {{schema}}.webhook_inbox (received_at);
CREATE INDEX webhook_inbox_topic_received ON {{schema}}.webhook_inbox (topic, received_at DESC);
