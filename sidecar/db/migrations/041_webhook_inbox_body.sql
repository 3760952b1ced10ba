-- The exact bytes of each delivery the HMAC was verified on, whatever characters they hold:
-- `payload` (jsonb) cannot hold U+0000 or a lone surrogate, so it keeps the body with those
-- replaced by U+FFFD (or nothing, when PostgreSQL refuses the document), and `body` keeps what
-- Shopify sent. Personal data: purged with `payload` after WEBHOOK_INBOX_RETENTION_DAYS.
ALTER TABLE {{schema}}.webhook_inbox ADD COLUMN body bytea;
