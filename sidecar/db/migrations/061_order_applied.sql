-- The orders the sidecar applied to Odoo (docs/flows.md, "The pull: webhooks that never came"):
-- for each shop and order GID, the Shopify `updatedAt` of the latest order state an orders job
-- read and Odoo applied (answered created, updated, unchanged, cancelled or already_cancelled),
-- recorded only when the read began after that second was over. The orders pull enqueues no job
-- for a listed order whose `updatedAt` is not newer. The value never moves back (two jobs
-- finishing out of order), and each pull deletes the rows older than its window, which it can no
-- longer use.
CREATE TABLE {{schema}}.order_applied (
  shop_domain        text NOT NULL,
  order_gid          text NOT NULL,
  shopify_updated_at timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop_domain, order_gid)
);
