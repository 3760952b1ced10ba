/**
 * Fulfillment, pure stages (no I/O): which delivered quantities still need a Shopify fulfillment,
 * how they are allocated to fulfillment-order line items, how a fulfillment read back is matched to
 * what was sent (docs/flows.md, "Timeout resolution"), and whether tracking needs an update.
 */
import type { OutboxJob } from '../../jobs.js';
import type { FulfillmentDocument, ShopifyFulfillmentDocument } from '../../odoo/contract.js';
import type { FulfillmentOrdersForOrderQuery, OrderFulfillmentsQuery } from '../../shopify/index.js';

/** The Odoo picking a delivery.done event is about. */
export function pickingIdOf(job: OutboxJob<'delivery.done'>): number {
  return typeof job.payload.picking_id === 'number' ? job.payload.picking_id : job.resId;
}

// ---- Shopify shapes: the types generated from the FulfillmentOrdersForOrder and OrderFulfillments queries ----

/** A fulfillment order of the order, as FulfillmentOrdersForOrder reads it. */
export type ShopifyFulfillmentOrderRead = NonNullable<FulfillmentOrdersForOrderQuery['order']>['fulfillmentOrders']['nodes'][number];

/** A fulfillment of the order, as OrderFulfillments reads it. */
export type ShopifyFulfillmentRead = NonNullable<OrderFulfillmentsQuery['order']>['fulfillments'][number];

/** Tracking as a fulfillment carries it, and as the flow sends it. */
export type ShopifyTrackingInfo = ShopifyFulfillmentRead['trackingInfo'][number];

/** Quantities per Shopify line item GID. */
export type LineQuantities = Record<string, number>;

/** What one fulfillmentCreate call ships (all its fulfillment orders share one location). */
export interface FulfillmentGroup {
  locationGid: string | null;
  lineItemsByFulfillmentOrder: Array<{ fulfillmentOrderId: string; fulfillmentOrderLineItems: Array<{ id: string; quantity: number }> }>;
  /** The same quantities per order line: what a read-back is matched on. */
  lines: LineQuantities;
}

export interface FulfillmentPlan {
  groups: FulfillmentGroup[];
  /** Delivered quantities Shopify has no open fulfillment-order quantity for (fulfilled elsewhere). */
  shortfall: LineQuantities;
}

/** The quantities a fulfillment ships, per order line. */
export function fulfilledLines(f: ShopifyFulfillmentRead): LineQuantities {
  const out: LineQuantities = {};
  for (const n of f.fulfillmentLineItems.nodes) out[n.lineItem.id] = (out[n.lineItem.id] ?? 0) + (n.quantity ?? 0);
  return out;
}

/**
 * Delivered (the picking's done quantities) minus what the picking's fulfillments already ship.
 * Quantities below one are dropped; a fractional delivered quantity is rounded down (Shopify
 * fulfills whole units).
 */
export function stillToFulfill(delivered: FulfillmentDocument['lines'], shipped: readonly ShopifyFulfillmentRead[]): LineQuantities {
  const want: LineQuantities = {};
  for (const l of delivered) want[l.line_gid] = (want[l.line_gid] ?? 0) + Math.floor(l.quantity);
  for (const f of shipped) for (const [line, q] of Object.entries(fulfilledLines(f))) if (line in want) want[line]! -= q;
  return Object.fromEntries(Object.entries(want).filter(([, q]) => q >= 1));
}

const canFulfill = (fo: ShopifyFulfillmentOrderRead) =>
  (fo.status === 'OPEN' || fo.status === 'IN_PROGRESS') && fo.supportedActions.some((a) => a.action === 'CREATE_FULFILLMENT');

/**
 * Allocates `wanted` to fulfillment-order line items with remaining quantity. Fulfillment orders at
 * the picking's location come first (the goods left from there), then the others in Shopify's
 * order; within one, line items in Shopify's order. One group per location, because Shopify
 * refuses a fulfillment spanning fulfillment orders of several locations.
 */
export function planFulfillment(
  wanted: LineQuantities,
  fulfillmentOrders: readonly ShopifyFulfillmentOrderRead[],
  locationGid: string | null,
): FulfillmentPlan {
  const need: LineQuantities = { ...wanted };
  const locationOf = (fo: ShopifyFulfillmentOrderRead) => fo.assignedLocation?.location?.id ?? null;
  const ordered = fulfillmentOrders
    .filter(canFulfill)
    .map((fo, index) => ({ fo, index }))
    .sort((a, b) => Number(locationOf(b.fo) === locationGid) - Number(locationOf(a.fo) === locationGid) || a.index - b.index)
    .map((x) => x.fo);
  const groups = new Map<string, FulfillmentGroup>();
  for (const fo of ordered) {
    const items: Array<{ id: string; quantity: number }> = [];
    const lines: LineQuantities = {};
    for (const li of fo.lineItems.nodes) {
      const left = need[li.lineItem.id] ?? 0;
      const take = Math.min(left, li.remainingQuantity);
      if (take < 1) continue;
      items.push({ id: li.id, quantity: take });
      lines[li.lineItem.id] = (lines[li.lineItem.id] ?? 0) + take;
      need[li.lineItem.id] = left - take;
    }
    if (!items.length) continue;
    const location = locationOf(fo);
    const key = location ?? `fo:${fo.id}`;
    const group = groups.get(key) ?? { locationGid: location, lineItemsByFulfillmentOrder: [], lines: {} };
    group.lineItemsByFulfillmentOrder.push({ fulfillmentOrderId: fo.id, fulfillmentOrderLineItems: items });
    for (const [line, q] of Object.entries(lines)) group.lines[line] = (group.lines[line] ?? 0) + q;
    groups.set(key, group);
  }
  const shortfall = Object.fromEntries(Object.entries(need).filter(([, q]) => q >= 1));
  return { groups: [...groups.values()], shortfall };
}

/** What a fulfillmentCreate in flight sent, kept until it is confirmed or resolved by read-back. */
export interface SentFulfillment {
  lines: LineQuantities;
  trackingNumber: string | null;
}

const sameLines = (a: LineQuantities, b: LineQuantities) => {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
};

/**
 * The fulfillment a timed-out fulfillmentCreate produced, if it happened: among the order's
 * fulfillments not known before the write and not claimed already, one shipping exactly the sent
 * quantities per line with the sent tracking number.
 */
export function findSentFulfillment(
  sent: SentFulfillment,
  fulfillments: readonly ShopifyFulfillmentRead[],
  exclude: ReadonlySet<string>,
): ShopifyFulfillmentRead | undefined {
  return fulfillments.find(
    (f) =>
      !exclude.has(f.id) &&
      f.status !== 'CANCELLED' &&
      sameLines(fulfilledLines(f), sent.lines) &&
      (f.trackingInfo[0]?.number ?? null) === sent.trackingNumber,
  );
}

/** `FulfillmentTrackingInput` from Odoo's tracking; null when Odoo has no tracking number. */
export function trackingInput(tracking: FulfillmentDocument['tracking']): ShopifyTrackingInfo | null {
  const number = tracking.number?.trim() || null;
  if (!number) return null;
  return { number, company: shopifyTrackingCompany(tracking.company), url: tracking.url?.trim() || null };
}

/**
 * Shopify's spelling of common carriers' tracking companies (Shopify builds the tracking link only
 * for an exact, case-sensitive match), keyed by the carrier's name as Odoo users write it,
 * lowercased, without punctuation. A carrier's own "Shopify tracking company" in Odoo wins: the
 * addon exports it instead of the carrier's name.
 */
const TRACKING_COMPANIES: Readonly<Record<string, string>> = {
  ups: 'UPS',
  'united parcel service': 'UPS',
  fedex: 'FedEx',
  'federal express': 'FedEx',
  usps: 'USPS',
  'us postal service': 'USPS',
  'united states postal service': 'USPS',
  dhl: 'DHL Express',
  'dhl express': 'DHL Express',
  'dhl ecommerce': 'DHL eCommerce',
  'dhl parcel': 'DHL Parcel',
  dpd: 'DPD',
  gls: 'GLS',
  tnt: 'TNT',
  'royal mail': 'Royal Mail',
  'canada post': 'Canada Post',
  'australia post': 'Australia Post',
  'la poste': 'La Poste',
  colissimo: 'Colissimo',
  chronopost: 'Chronopost',
  postnl: 'PostNL',
  'deutsche post': 'Deutsche Post',
  purolator: 'Purolator',
  'poste italiane': 'Poste Italiane',
  correos: 'Correos',
};

/** The tracking company Shopify knows an Odoo carrier by: the table above, else the name as given. */
export function shopifyTrackingCompany(carrier: string | null | undefined): string | null {
  const name = carrier?.trim();
  if (!name) return null;
  const key = name
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return TRACKING_COMPANIES[key] ?? name;
}

/** True when the fulfillment's first tracking entry differs from what Odoo says. */
export function trackingDiffers(f: ShopifyFulfillmentRead, wanted: ShopifyTrackingInfo): boolean {
  const have = f.trackingInfo[0];
  return !have || have.number !== wanted.number || (have.company ?? null) !== wanted.company || (have.url ?? null) !== wanted.url;
}

// ---- Fulfillments made in Shopify (POS, a fulfillment app, the Shopify admin) → Odoo ----

/**
 * The contract's ShopifyFulfillmentDocument for one fulfillment of the order; null when it ships
 * nothing the sidecar can name (no line with a quantity).
 */
export function shopifyFulfillmentDocument(f: ShopifyFulfillmentRead, orderGid: string): ShopifyFulfillmentDocument | null {
  const lines = f.fulfillmentLineItems.nodes
    .filter((n) => (n.quantity ?? 0) > 0)
    .map((n) => ({ line_gid: n.lineItem.id, sku: n.lineItem.sku?.trim() || null, quantity: n.quantity ?? 0 }));
  if (!lines.length) return null;
  const tracking = f.trackingInfo[0];
  return {
    fulfillment_gid: f.id,
    order_gid: orderGid,
    name: f.name,
    status: f.status,
    location_gid: f.location?.id ?? null,
    tracking: { number: tracking?.number ?? null, company: tracking?.company ?? null, url: tracking?.url ?? null },
    lines,
  };
}

/**
 * The fulfillments to apply in Odoo: every one the fulfillments flow did not create itself (those
 * are recorded on their picking by the delivery's own job), and any cancelled one (a cancellation
 * in Shopify of a fulfillment Odoo sent is shown on its picking).
 */
export function fulfillmentsToApply(fulfillments: readonly ShopifyFulfillmentRead[], ours: ReadonlySet<string>): ShopifyFulfillmentRead[] {
  return fulfillments.filter((f) => f.status === 'CANCELLED' || !ours.has(f.id));
}

/**
 * Of a delivery's `shortfall` (units Shopify has no open fulfillment-order quantity for), what is
 * not covered by fulfillments that are not the picking's own: units neither open nor fulfilled in
 * Shopify (removed or refunded). An empty result means Shopify fulfilled them already.
 */
export function notFulfilledElsewhere(shortfall: LineQuantities, others: readonly ShopifyFulfillmentRead[]): LineQuantities {
  const elsewhere: LineQuantities = {};
  for (const f of others) {
    if (f.status === 'CANCELLED' || f.status === 'ERROR' || f.status === 'FAILURE') continue;
    for (const [line, q] of Object.entries(fulfilledLines(f))) elsewhere[line] = (elsewhere[line] ?? 0) + q;
  }
  return Object.fromEntries(
    Object.entries(shortfall)
      .map(([line, q]): [string, number] => [line, q - (elsewhere[line] ?? 0)])
      .filter(([, q]) => q >= 1),
  );
}
