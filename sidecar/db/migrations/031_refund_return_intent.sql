-- Writes of the refunds and returns flows that Shopify cannot deduplicate by themselves, journaled
-- so that a call that got no answer is resolved by reading Shopify back, never by a blind retry
-- (docs/architecture.md decision 5; docs/flows.md, "Refunds" and "Returns").

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

-- A return made in Odoo, created in Shopify (returnCreate has no idempotency key): the order's
-- returns before the first write, whether a write is in flight, and the return it became.
CREATE TABLE {{schema}}.return_intent (
  picking_id integer PRIMARY KEY,
  order_gid text NOT NULL,
  known_returns text[] NOT NULL,
  pending boolean NOT NULL DEFAULT false,
  return_gid text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
