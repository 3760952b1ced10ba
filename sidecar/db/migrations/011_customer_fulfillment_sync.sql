-- Sync state the customers and fulfillments flows keep on the sidecar side (docs/flows.md).

-- Customers: what Shopify holds for a partner, as the hash of the flow's comparable form
-- (sidecar/flows/customers/map.ts). Written before and after every push to Shopify, and after
-- every import from Shopify, so that Shopify's echo webhook (customers/update after our own
-- customerSet) is recognised and not written back to Odoo (docs/architecture.md decision 8).
-- customer_gid is NULL while the first push of a partner is in flight (its GID is not known yet).
CREATE TABLE {{schema}}.customer_sync (
  partner_id integer PRIMARY KEY,
  customer_gid text UNIQUE,
  shopify_hash text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_sync_pending_hash ON {{schema}}.customer_sync (shopify_hash) WHERE customer_gid IS NULL;

-- Fulfillments: fulfillmentCreate has no idempotency key, so each picking's writes are journaled.
-- known_fulfillments: the order's fulfillment GIDs before this picking's first write (never ours);
-- claimed: the fulfillments created for this picking; pending: the write in flight (what was sent),
-- resolved by reading the order's fulfillments back before any retry (docs/architecture.md decision 5).
CREATE TABLE {{schema}}.fulfillment_intent (
  picking_id integer PRIMARY KEY,
  order_gid text NOT NULL,
  known_fulfillments text[] NOT NULL,
  claimed text[] NOT NULL DEFAULT '{}',
  pending jsonb,
  updated_at timestamptz NOT NULL DEFAULT now()
);
