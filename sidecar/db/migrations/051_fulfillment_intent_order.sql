-- The fulfillments flow reads an order's journal rows by order (`ofOrder`: which
-- fulfillments of the order are ours) on every Shopify fulfillment it sees; one row per picking
-- is kept, so without this index each read scanned the whole journal.
CREATE INDEX fulfillment_intent_order_gid ON {{schema}}.fulfillment_intent (order_gid);
