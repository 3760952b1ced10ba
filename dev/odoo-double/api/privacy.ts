/**
 * The privacy area of the contract (the addon's models/shopify_sync_api_privacy.py and
 * models/shopify_privacy_request.py): Shopify's compliance requests as privacy requests,
 * idempotent by request key, the erasure that waits for open orders, the export, the shop's
 * unbinding, the sidecar's and Shopify's results, and the open requests for the sidecar's alert.
 */
import type { ContractParams, ContractResult } from '../../../sidecar/odoo/contract.js';
import { normaliseEmail } from '../../../sidecar/rules/email.js';
import type { DoubleCore } from '../core.js';
import { missingError, odooFault, validationError } from '../errors.js';
import type { Partner, PrivacyKind, PrivacyRequest, PrivacyState, SaleOrder } from '../state.js';
import { formatMoney, gid } from '../values.js';
import { anonymise } from './customers.js';

const MAX_ORDER_GIDS = 5000;
const DUE_DAYS = 30;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

type Input = { key: string; received: string; customerGid: string | null; email: string | null; orderGids: string[] };

function privacyInput(document: object, label: string): Input {
  const doc: Record<string, unknown> = { ...document };
  const key = doc.request_key;
  if (typeof key !== 'string' || key.length < 1 || key.length > 200)
    throw validationError(`${label}: request_key must be a string of 1 to 200 characters`);
  const received = doc.received_at;
  if (typeof received !== 'string' || !ISO.test(received) || Number.isNaN(Date.parse(received)))
    throw validationError(`${label}: received_at must be an ISO 8601 timestamp`);
  const customerGid =
    doc.customer_gid === undefined || doc.customer_gid === null ? null : gid(doc.customer_gid, 'Customer', label, 'customer_gid');
  const gids: unknown = doc.order_gids ?? [];
  if (!Array.isArray(gids) || gids.length > MAX_ORDER_GIDS)
    throw validationError(`${label}: order_gids must be a list of at most ${MAX_ORDER_GIDS} order GIDs`);
  const orderGids = gids.map((g) => gid(g, 'Order', `${label} order_gids`, 'order_gid'));
  return {
    key,
    received: new Date(Date.parse(received)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    customerGid,
    email: normaliseEmail(doc.email),
    orderGids,
  };
}

function dueDate(receivedIso: string): string {
  return new Date(Date.parse(receivedIso) + DUE_DAYS * 86_400_000).toISOString().slice(0, 10);
}

/** The request with `key`, created when new (idempotent by key). */
function openRequest(
  core: DoubleCore,
  key: string,
  kind: PrivacyKind,
  received: string,
  values: Partial<PrivacyRequest> = {},
): PrivacyRequest {
  const requests = core.state.privacyRequests;
  const existing = [...requests.values()].find((r) => r.request_key === key);
  if (existing) {
    if (existing.kind !== kind) throw odooUserError(`Privacy request key ${key} belongs to a ${existing.kind} request.`);
    return existing;
  }
  const id = core.id();
  const request: PrivacyRequest = {
    ...{ id, name: `PR/${String(requests.size + 1).padStart(5, '0')}`, request_key: key, kind, state: 'received' },
    ...{ received_at: received, due_date: dueDate(received), done_at: null, done_by: null, requested_by: null },
    ...{ customer_gid: null, shopify_request_id: null, order_gids: [], partner_ids: [], sale_order_ids: [] },
    ...{ waiting_reason: null, outcome: null, odoo_done: false, sidecar_needed: true, sidecar_done: false, sidecar_outcome: null },
    ...{ shopify_needed: false, shopify_status: null, shopify_message: null, activities: [], attachments: [] },
    ...values,
  };
  requests.set(id, request);
  return request;
}

const odooUserError = (message: string) => odooFault('odoo.exceptions.UserError', message);

const activity = (r: PrivacyRequest, summary: string) => r.activities.push({ summary, deadline: r.due_date });
const append = (r: PrivacyRequest, text: string) => (r.outcome = [r.outcome, text].filter(Boolean).join('\n'));

/** The addon's _privacy_settle: the state follows the parts; the group is told of changes. */
export function settle(core: DoubleCore, r: PrivacyRequest, doneBy: string): void {
  const shopifyOk = !r.shopify_needed || r.shopify_status === 'requested' || r.shopify_status === 'not_found';
  const sidecarOk = !r.sidecar_needed || r.sidecar_done;
  let state: PrivacyState = 'received';
  if (r.shopify_status === 'failed') state = 'error';
  else if (r.odoo_done && shopifyOk && sidecarOk) state = 'done';
  else if (r.waiting_reason && !r.odoo_done) state = 'waiting';
  if (state === r.state) return;
  r.state = state;
  if (state === 'done') {
    Object.assign(r, { done_at: core.nowIso(), done_by: doneBy, activities: [] });
  } else if (state === 'waiting') activity(r, 'Erasure waits for open orders');
  else if (state === 'error') activity(r, 'Privacy request failed');
}

/** Shopify's rule in Odoo's terms: a quotation, or a confirmed order with a delivery not done or cancelled. */
function isOpen(core: DoubleCore, so: SaleOrder): boolean {
  if (so.state === 'draft') return true;
  if (so.state !== 'sale') return false;
  return [...core.state.pickings.values()].some(
    (p) => p.sale_order_id === so.id && p.picking_type === 'outgoing' && p.state === 'assigned',
  );
}

const topOf = (core: DoubleCore, p: Partner): Partner => (p.parent_id === null ? p : topOf(core, core.partner(p.parent_id)));

/** The addon's _privacy_erase_or_wait: anonymises the contacts unless one of their orders is open. */
export function eraseOrWait(core: DoubleCore, r: PrivacyRequest, partners: Partner[], doneBy: string): string[] {
  const ids = new Set(partners.map((p) => p.id));
  const orders = [...core.state.saleOrders.values()].filter(
    (so) => ids.has(topOf(core, core.partner(so.partner_id)).id) || r.sale_order_ids.includes(so.id),
  );
  const open = orders.filter((so) => isOpen(core, so)).map((so) => so.name);
  Object.assign(r, { partner_ids: [...ids].sort((a, b) => a - b), sale_order_ids: orders.map((so) => so.id) });
  if (open.length) {
    r.waiting_reason =
      `The customer has open orders (a quotation, or a delivery not done): ${open.join(', ')}. ` +
      'Their data is erased once these are delivered or cancelled (daily, or with Check again).';
    settle(core, r, doneBy);
    return open;
  }
  const erased = new Set<number>();
  for (const p of partners) for (const t of anonymise(core, p)) erased.add(t.id);
  removeEarlierExports(core, r, erased);
  Object.assign(r, { odoo_done: true, waiting_reason: null, partner_ids: [...erased].sort((a, b) => a - b) });
  const kept = orders.length ? `, ${orders.length} sales orders kept (notes and customer reference cleared)` : '';
  append(r, erased.size || kept ? `Erased in Odoo: ${erased.size} contacts anonymised and archived${kept}.` : 'Erased in Odoo: nothing.');
  settle(core, r, doneBy);
  return open;
}

function removeEarlierExports(core: DoubleCore, r: PrivacyRequest, erased: Set<number>): void {
  for (const other of core.state.privacyRequests.values()) {
    if (other === r || other.kind !== 'data_request' || !other.partner_ids.some((id) => erased.has(id)) || !other.attachments.length)
      continue;
    other.attachments = [];
    append(other, `Export removed by the erasure ${r.name}.`);
  }
}

/** Contacts by GID, else by email (not another customer's), and the given orders' contacts. */
function targets(core: DoubleCore, input: Input): { partners: Partner[]; orders: SaleOrder[] } {
  const all = [...core.state.partners.values()];
  let partners = input.customerGid ? all.filter((p) => p.binding.shopify_gid === input.customerGid) : [];
  if (!partners.length && input.email) {
    partners = all.filter(
      (p) =>
        p.parent_id === null &&
        normaliseEmail(p.email) === input.email &&
        (!p.binding.shopify_gid || p.binding.shopify_gid === input.customerGid),
    );
  }
  const orders = [...core.state.saleOrders.values()].filter((so) => so.order_gid !== null && input.orderGids.includes(so.order_gid));
  for (const so of orders) {
    const commercial = topOf(core, core.partner(so.partner_id));
    if ((!commercial.binding.shopify_gid || commercial.binding.shopify_gid === input.customerGid) && !partners.includes(commercial))
      partners.push(commercial);
  }
  return { partners, orders };
}

const result = (r: PrivacyRequest) => ({ request_id: r.id, name: r.name, state: r.state });

export function privacyDataRequest(core: DoubleCore, doc: ContractParams<'privacy_data_request'>): ContractResult<'privacy_data_request'> {
  const label = 'privacy_data_request';
  const input = privacyInput(doc, label);
  const sidecar: unknown = doc.sidecar_data;
  if (typeof sidecar !== 'object' || sidecar === null || Array.isArray(sidecar))
    throw validationError(`${label}: sidecar_data must be a JSON object`);
  const shopifyId: unknown = doc.shopify_request_id;
  if (shopifyId !== undefined && shopifyId !== null && (typeof shopifyId !== 'string' || !/^[0-9]+$/.test(shopifyId)))
    throw validationError(`${label}: shopify_request_id must be a string of digits`);
  const r = openRequest(core, input.key, 'data_request', input.received, {
    ...{ customer_gid: input.customerGid, shopify_request_id: shopifyId ?? null },
    ...{ order_gids: input.orderGids, sidecar_needed: false },
  });
  if (!r.odoo_done) {
    const found = targets(core, input);
    const ids = new Set(found.partners.map((p) => p.id));
    const partners = [...core.state.partners.values()].filter((p) => ids.has(topOf(core, p).id));
    const orders = [...core.state.saleOrders.values()].filter(
      (so) => found.orders.includes(so) || ids.has(topOf(core, core.partner(so.partner_id)).id),
    );
    const exported = exportOf(core, r, partners, orders, sidecar as Record<string, unknown>);
    const base = `privacy-export-${r.name.replace('/', '')}`;
    r.attachments = [
      { id: core.id(), name: `${base}.json`, mimetype: 'application/json', content: JSON.stringify(exported, null, 2) },
      {
        id: core.id(),
        name: `${base}.txt`,
        mimetype: 'text/plain',
        content: `Personal data export ${r.name}\nSales orders: ${orders.length}\n`,
      },
    ];
    Object.assign(r, {
      partner_ids: partners.map((p) => p.id).sort((a, b) => a - b),
      sale_order_ids: orders.map((so) => so.id),
      odoo_done: true,
    });
    const payloads = ((sidecar as { webhook_payloads?: unknown[] }).webhook_payloads ?? []).length;
    append(
      r,
      `Export attached: ${partners.length} contacts, ${orders.length} orders, ${exported.odoo.invoices.length} invoices and credit notes, ${payloads} stored webhook payloads.`,
    );
    settle(core, r, 'sidecar (Shopify customers/data_request)');
    activity(r, 'Send the data export to the customer');
  }
  return {
    ...result(r),
    partner_ids: [...r.partner_ids],
    sale_order_ids: [...r.sale_order_ids].sort((a, b) => a - b),
    attachment_ids: r.attachments.map((a) => a.id).sort((a, b) => a - b),
  };
}

function exportOf(core: DoubleCore, r: PrivacyRequest, partners: Partner[], orders: SaleOrder[], sidecar: Record<string, unknown>) {
  const orderIds = new Set(orders.map((so) => so.id));
  const partnerExport = (p: Partner) => ({
    ...{ id: p.id, name: p.name, type: p.type, parent_id: p.parent_id, email: p.email, phone: p.phone },
    ...{
      street: p.street,
      street2: p.street2,
      zip: p.zip,
      city: p.city,
      country: p.country_code,
      active: p.active,
      shopify_gid: p.binding.shopify_gid,
    },
  });
  const orderExport = (so: SaleOrder) => ({
    ...{ id: so.id, name: so.name, shopify_gid: so.order_gid, state: so.state, currency: core.state.settings.company_currency },
    ...{
      amount_untaxed: formatMoney(so.amount_untaxed),
      amount_tax: formatMoney(so.amount_tax),
      amount_total: formatMoney(so.amount_total),
    },
    ...{ customer_reference: so.client_order_ref, note: so.note },
    lines: so.lines.map((l) => ({
      sku: l.sku,
      description: l.name,
      quantity: l.quantity,
      delivered: l.qty_delivered,
      price_unit: formatMoney(l.price_unit),
    })),
  });
  const keys = new Set(orders.map((so) => `order:${so.order_gid}`));
  const partnerIds = new Set(partners.map((p) => p.id));
  return {
    format: 'shopify_sync privacy export',
    version: 1,
    request: {
      name: r.name,
      customer_gid: r.customer_gid,
      shopify_request_id: r.shopify_request_id,
      received_at: r.received_at,
      due_date: r.due_date,
    },
    odoo: {
      partners: partners.map(partnerExport),
      sale_orders: orders.map(orderExport),
      invoices: [...core.state.creditNotes.values()]
        .filter((cn) => orderIds.has(cn.sale_order_id))
        .map((cn) => ({ id: cn.id, name: cn.name, move_type: 'out_refund', state: cn.state, amount_total: formatMoney(cn.amount_total) })),
      deliveries: [...core.state.pickings.values()]
        .filter((p) => p.sale_order_id !== null && orderIds.has(p.sale_order_id))
        .map((p) => ({ id: p.id, name: p.name, picking_type: p.picking_type, state: p.state })),
      sync_events: core.state.outbox
        .filter((e) => keys.has(e.key) || (e.model === 'res.partner' && partnerIds.has(e.res_id)))
        .map((e) => ({ type: e.type, state: e.state, key: e.key, payload: e.payload, created_at: e.created_at })),
    },
    sidecar,
  };
}

export function privacyRedactCustomer(
  core: DoubleCore,
  doc: ContractParams<'privacy_redact_customer'>,
): ContractResult<'privacy_redact_customer'> {
  const input = privacyInput(doc, 'privacy_redact_customer');
  const r = openRequest(core, input.key, 'customer_redact', input.received, {
    customer_gid: input.customerGid,
    order_gids: input.orderGids,
  });
  let open: string[] = [];
  if (!r.odoo_done) {
    const found = targets(core, input);
    const partners = [...found.partners];
    for (const id of r.partner_ids) if (!partners.some((p) => p.id === id)) partners.push(core.partner(id));
    r.sale_order_ids = [...new Set([...r.sale_order_ids, ...found.orders.map((so) => so.id)])];
    open = eraseOrWait(core, r, partners, 'sidecar (Shopify customers/redact)');
  }
  return { ...result(r), partner_ids: [...r.partner_ids], open_orders: open };
}

export function privacyRedactShop(core: DoubleCore, doc: ContractParams<'privacy_redact_shop'>): ContractResult<'privacy_redact_shop'> {
  const label = 'privacy_redact_shop';
  const input = privacyInput({ ...doc, order_gids: [] }, label);
  const shop: unknown = doc.shop_domain;
  if (typeof shop !== 'string' || !shop.endsWith('.myshopify.com'))
    throw validationError(`${label}: shop_domain must be <name>.myshopify.com`);
  const configured = core.state.settings.shop_domain;
  if (configured && shop !== configured) throw validationError(`${label}: shop ${shop} is not this database's shop (${configured})`);
  const r = openRequest(core, input.key, 'shop_redact', input.received);
  let unbound: Record<string, number> = {};
  if (!r.odoo_done) {
    unbound = unbindShop(core);
    r.odoo_done = true;
    const list = Object.entries(unbound)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([model, n]) => `${n} ${model}`);
    append(
      r,
      `Shopify IDs removed from ${list.join(', ') || 'nothing'}; outbox events deleted. Orders, invoices, payments and contacts are the merchant's records and are kept.`,
    );
    settle(core, r, 'sidecar (Shopify shop/redact)');
  }
  return { ...result(r), unbound };
}

function unbindShop(core: DoubleCore): Record<string, number> {
  const s = core.state;
  const counts: Record<string, number> = {};
  const clear = (model: string, records: Array<{ binding: { shopify_gid: string | null } }>, extra: (r: never) => void = () => {}) => {
    const bound = records.filter((r) => r.binding.shopify_gid);
    for (const r of bound) {
      Object.assign(r.binding, { shopify_gid: null, state: 'pending', message: null, content_hash: null, last_synced_at: null });
      extra(r as never);
    }
    counts[model] = bound.length;
  };
  clear('product.template', [...s.templates.values()]);
  clear('res.partner', [...s.partners.values()], (p: Partner) => (p.shopify_sync = false));
  clear('sale.order', [...s.saleOrders.values()], (so: SaleOrder) => Object.assign(so, { order_gid: null, refund_gids: [] }));
  clear('stock.picking', [...s.pickings.values()]);
  clear('account.move', [...s.creditNotes.values()]);
  const variants = [...s.variants.values()].filter((v) => v.binding.shopify_gid || v.inventory_item_gid);
  for (const v of variants) Object.assign(v, { inventory_item_gid: null, binding: { ...v.binding, shopify_gid: null } });
  counts['product.product'] = variants.length;
  const lines = [...s.saleOrders.values()].flatMap((so) => so.lines).filter((l) => l.line_gid);
  for (const l of lines) l.line_gid = null;
  counts['sale.order.line'] = lines.length;
  for (const p of s.pickings.values()) Object.assign(p, { fulfillment_gids: [], return_gid: null });
  for (const cn of s.creditNotes.values()) cn.refund_gid = null;
  counts['shopify.sync.event'] = s.outbox.length;
  s.outbox.length = 0;
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

export function privacyRecordResult(
  core: DoubleCore,
  doc: ContractParams<'privacy_record_result'>,
): ContractResult<'privacy_record_result'> {
  const label = 'privacy_record_result';
  const id: unknown = doc.request_id;
  if (typeof id !== 'number' || !Number.isInteger(id)) throw validationError(`${label}: request_id must be an integer`);
  const r = core.state.privacyRequests.get(id);
  if (!r) throw validationError(`${label}: privacy request ${id} does not exist`);
  const shopify: unknown = doc.shopify;
  if (shopify !== undefined && shopify !== null) {
    const status = (shopify as { status?: unknown }).status;
    if (status !== 'requested' && status !== 'not_found' && status !== 'failed')
      throw validationError(`${label}: shopify.status must be requested, not_found or failed`);
    const { code, message } = shopify as { code?: string | null; message?: string | null };
    r.shopify_status = status;
    r.shopify_message = {
      requested: 'Shopify accepted the erasure request; it erases the customer and later sends customers/redact to every app.',
      not_found: 'Shopify has no such customer (already erased or deleted).',
      failed: `Shopify refused the erasure request (${code ?? 'no code'}): ${message ?? ''}`,
    }[status];
    settle(core, r, 'sidecar');
  }
  const sidecar: unknown = doc.sidecar;
  if (sidecar !== undefined && sidecar !== null) {
    const values = typeof sidecar === 'object' && !Array.isArray(sidecar) ? Object.values(sidecar) : null;
    if (!values || !values.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0))
      throw validationError(`${label}: sidecar must map names to non-negative integers`);
    const counts = Object.entries(sidecar as Record<string, number>)
      .sort(([a], [b]) => a.localeCompare(b))
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${k.replaceAll('_', ' ')}`);
    Object.assign(r, { sidecar_done: true, sidecar_outcome: `Removed from the sidecar's stores: ${counts.join(', ') || 'nothing'}.` });
    settle(core, r, 'sidecar');
  }
  return result(r);
}

export function openPrivacyRequests(
  core: DoubleCore,
  doc: ContractParams<'open_privacy_requests'>,
): ContractResult<'open_privacy_requests'> {
  const due: unknown = doc.due_before;
  if (typeof due !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(due) || Number.isNaN(Date.parse(due)))
    throw validationError('open_privacy_requests: due_before must be a date (YYYY-MM-DD)');
  const requests = [...core.state.privacyRequests.values()]
    .filter((r) => r.state !== 'done' && r.due_date <= due)
    .sort((a, b) => a.due_date.localeCompare(b.due_date) || a.id - b.id);
  return {
    requests: requests.map((r) => ({
      request_id: r.id,
      name: r.name,
      kind: r.kind,
      state: r.state,
      received_at: r.received_at,
      due_date: r.due_date,
    })),
  };
}

/** "Erase personal data" in Odoo (the addon's _privacy_start_erasure). */
export function startErasure(core: DoubleCore, partnerId: number, user: string): PrivacyRequest {
  const partner = core.partner(partnerId);
  const customerGid = partner.binding.shopify_gid;
  const reuse = [...core.state.privacyRequests.values()].find(
    (r) => r.kind === 'erasure' && r.partner_ids.includes(partnerId) && (r.state === 'received' || r.state === 'waiting'),
  );
  const r =
    reuse ??
    openRequest(core, `odoo:${core.id()}`, 'erasure', core.nowIso(), {
      ...{ requested_by: user, customer_gid: customerGid, shopify_needed: Boolean(customerGid), sidecar_needed: Boolean(customerGid) },
      partner_ids: [partnerId],
    });
  eraseOrWait(core, r, [partner], user);
  if (customerGid) {
    const orderGids = r.sale_order_ids.map((id) => core.saleOrder(id).order_gid).filter((g): g is string => g !== null);
    core.emit('customer.erased', 'res.partner', partnerId, `customer:${partnerId}`, {
      ...{ partner_id: partnerId, customer_gid: customerGid, request_id: r.id, order_gids: orderGids },
    });
  }
  return r;
}

/** "Check again" (and the daily cron): finishes a waiting erasure whose orders are closed. */
export function recheck(core: DoubleCore, requestId: number, doneBy: string): void {
  const r = core.state.privacyRequests.get(requestId);
  if (!r) throw missingError('shopify.privacy.request', requestId);
  if (r.state !== 'waiting') return;
  eraseOrWait(
    core,
    r,
    r.partner_ids.map((id) => core.partner(id)),
    doneBy,
  );
}
