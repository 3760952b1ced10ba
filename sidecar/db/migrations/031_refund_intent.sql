-- Writes of the refunds flow that Shopify cannot deduplicate by themselves, journaled
-- so that a call that got no answer is resolved by reading Shopify back, never by a blind retry
-- (docs/architecture.md decision 5; docs/flows.md, "Refunds").

-- A credit note posted in Odoo, refunded in Shopify (refundCreate): the order's refunds before the
-- first write (never ours), the write in flight (note and amount), and the refund it became.
-- refundCreate also carries an @idempotent key derived from the credit note.
CREATE TABLE {{schema}}.refund_intent (
  move_id integer PRIMARY KEY,
  order_gid text NOT NULL,
  known_refunds text[] NOT NULL,
  pending jsonb,
  refund_gid text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
