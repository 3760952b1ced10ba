/**
 * The status area of the contract (the addon's models/shopify_sync_api_status.py):
 * report_failure (a dead-lettered job as a row of Odoo's Shopify > Errors) and report_status (the
 * sidecar's snapshot on the Overview). Same checks, messages and results as the addon.
 *
 * The rows live beside the double's state (a WeakMap on it, so the shared state shape is
 * untouched). A row is resolved, as in the addon, once its record syncs again or its Shopify
 * order is in Odoo; the double settles that when rows are written or read. The addon's
 * plain-words explanation (lib/explain.py) is not mirrored: it is what the addon shows, not part
 * of the contract's answers, and its own tests cover it.
 */
import type { ContractParams, ContractResult } from '../../../sidecar/odoo/contract.js';
import type { DoubleCore } from '../core.js';
import { pyList, pyRepr, validationError } from '../errors.js';
import type { Binding, OdooState } from '../state.js';
import { formatMoney, gid, money, useCurrency } from '../values.js';

const FAILURE_KINDS = ['configuration', 'permanent', 'retryable'];
const FAILURE_MODELS = ['account.move', 'product.product', 'product.template', 'res.partner', 'sale.order', 'stock.picking'];
const STATUS_KEYS = ['checked_at', 'contract_version', 'onboarding', 'queues', 'shopify', 'sidecar_version', 'webhooks'];
const MAX_STATUS_ROWS = 200;

/** One row of Shopify > Errors, as the merchant driver reads it. */
export interface FailureRow {
  id: number;
  identity: string;
  state: 'open' | 'retrying' | 'resolved';
  source: 'odoo' | 'sidecar';
  res_model: string | null;
  res_id: number | null;
  shopify_gid: string | null;
  shopify_name: string | null;
  amount: string | null;
  currency: string | null;
  customer_name: string | null;
  queue: string | null;
  job_key: string | null;
  job_id: string | null;
  message: string;
  attempts: number;
  first_failed_at: string;
  last_failed_at: string;
}

interface StatusState {
  failures: FailureRow[];
  status: Record<string, unknown> | null;
}

const extras = new WeakMap<OdooState, StatusState>();

function statusState(core: DoubleCore): StatusState {
  let state = extras.get(core.state);
  if (!state) {
    state = { failures: [], status: null };
    extras.set(core.state, state);
  }
  return state;
}

const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);
const isoLike = (v: unknown): v is string =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(v) && !Number.isNaN(Date.parse(v));

function text(doc: Record<string, unknown>, field: string, label: string, required = false, limit = 300): string | null {
  const value = doc[field];
  if ((value === undefined || value === null) && !required) return null;
  if (typeof value !== 'string' || (required && !value.trim())) {
    throw validationError(`${label}: ${field} must be a ${required ? 'non-empty string' : 'string'}`);
  }
  return value.slice(0, limit);
}

/** The binding of an Odoo record the double keeps, by model and id (a variant's is its template's). */
function bindingOf(core: DoubleCore, model: string, id: number): { model: string; id: number; binding: Binding } | null {
  const s = core.state;
  if (model === 'product.product') {
    const variant = s.variants.get(id);
    return variant ? bindingOf(core, 'product.template', variant.template_id) : null;
  }
  const table = {
    'product.template': s.templates,
    'res.partner': s.partners,
    'sale.order': s.saleOrders,
    'stock.picking': s.pickings,
    'account.move': s.creditNotes,
  }[model] as Map<number, { id: number; binding: Binding }> | undefined;
  const record = table?.get(id);
  return record ? { model, id: record.id, binding: record.binding } : null;
}

/** The record bound to a Shopify ID, as the addon finds it (orders, customers, products). */
function boundTo(core: DoubleCore, gid: string): { model: string; id: number; binding: Binding } | null {
  const s = core.state;
  const type = gid.split('/')[3];
  if (type === 'Order') {
    const so = [...s.saleOrders.values()].find((o) => (o.binding.shopify_gid ?? o.order_gid) === gid);
    return so ? { model: 'sale.order', id: so.id, binding: so.binding } : null;
  }
  const table = type === 'Customer' ? s.partners : type === 'Product' ? s.templates : undefined;
  const record = table
    ? [...(table as Map<number, { id: number; binding: Binding }>).values()].find((r) => r.binding.shopify_gid === gid)
    : undefined;
  return record ? { model: type === 'Customer' ? 'res.partner' : 'product.template', id: record.id, binding: record.binding } : null;
}

/** The addon resolves a row when its record syncs again or its Shopify order reaches Odoo. */
function settle(core: DoubleCore): void {
  for (const row of statusState(core).failures) {
    if (row.state === 'resolved') continue;
    const record = row.res_model && row.res_id !== null ? bindingOf(core, row.res_model, row.res_id) : null;
    const synced = record && (record.binding.state === 'synced' || record.binding.state === 'ignored');
    const arrived = !row.res_model && row.shopify_gid ? boundTo(core, row.shopify_gid) : null;
    if (synced || arrived) row.state = 'resolved';
  }
}

function checkFailure(doc: ContractParams<'report_failure'>): void {
  const label = 'report_failure';
  const raw = doc as unknown as Record<string, unknown>;
  text(raw, 'queue', label, true, 64);
  text(raw, 'job_id', label, true, 64);
  if (!isInteger(doc.attempt) || doc.attempt < 1) throw validationError(`${label}: attempt must be a positive integer`);
  if (!FAILURE_KINDS.includes(doc.kind))
    throw validationError(`${label}: kind must be one of ${pyList(FAILURE_KINDS)}, got ${pyRepr(doc.kind)}`);
  if (!isoLike(doc.failed_at)) throw validationError(`${label}: failed_at must be an ISO 8601 timestamp`);
  if (doc.shopify_gid) gid(doc.shopify_gid, null, label, 'shopify_gid');
  // Read at the decimals of its currency (KWD 3, JPY none), as the addon reads it.
  useCurrency(typeof doc.currency === 'string' ? doc.currency : null);
  money(doc.amount, `${label} amount`);
  for (const field of ['key', 'order_name', 'currency', 'customer_name']) text(raw, field, label);
  text(raw, 'message', label, true, 2000);
}

function failureRecord(core: DoubleCore, doc: ContractParams<'report_failure'>) {
  const model = doc.res_model;
  if (model !== undefined && model !== null) {
    if (!FAILURE_MODELS.includes(model))
      throw validationError(`report_failure: res_model must be one of ${pyList(FAILURE_MODELS)}, got ${pyRepr(model)}`);
    if (!isInteger(doc.res_id)) throw validationError('report_failure: res_id must be an integer with res_model');
    const found = bindingOf(core, model, doc.res_id);
    if (found) return found;
  }
  return doc.shopify_gid ? boundTo(core, doc.shopify_gid) : null;
}

export function reportFailure(core: DoubleCore, doc: ContractParams<'report_failure'>): ContractResult<'report_failure'> {
  checkFailure(doc);
  settle(core);
  const record = failureRecord(core, doc);
  const identity = record
    ? `record:${record.model}:${record.id}`
    : doc.shopify_gid
      ? `shopify:${doc.shopify_gid}`
      : `job:${doc.queue}:${doc.key ?? doc.job_id}`;
  // A flow that already put the record in error wrote the precise reason there: it stays.
  if (record && record.binding.state !== 'error') core.setResult(record.binding, 'error', { message: doc.message });
  const rows = statusState(core).failures;
  const now = core.nowIso();
  const facts = {
    source: 'sidecar' as const,
    res_model: record?.model ?? null,
    res_id: record?.id ?? null,
    shopify_gid: doc.shopify_gid ?? record?.binding.shopify_gid ?? null,
    shopify_name: doc.order_name ?? null,
    amount: doc.amount === undefined || doc.amount === null ? null : formatMoney(money(doc.amount, 'report_failure amount')),
    currency: doc.currency ?? null,
    customer_name: doc.customer_name ?? null,
    queue: doc.queue,
    job_key: doc.key ?? null,
    message: doc.message.slice(0, 2000),
  };
  const row = rows.find((r) => r.identity === identity && r.state !== 'resolved');
  if (!row) {
    const created: FailureRow = {
      id: core.id(),
      identity,
      state: 'open',
      job_id: doc.job_id,
      attempts: doc.attempt,
      first_failed_at: now,
      last_failed_at: now,
      ...facts,
    };
    rows.push(created);
    return { failure_id: created.id, state: 'open' };
  }
  const attempts = doc.job_id === row.job_id ? Math.max(row.attempts, doc.attempt) : row.attempts + doc.attempt;
  const news = attempts !== row.attempts || row.state !== 'open';
  Object.assign(row, facts, { job_id: doc.job_id, state: 'open', attempts, ...(news ? { last_failed_at: now } : {}) });
  return { failure_id: row.id, state: 'open' };
}

/** What Odoo's Shopify > Errors lists (the merchant driver's view). */
export function failureRows(core: DoubleCore): FailureRow[] {
  settle(core);
  return statusState(core).failures.map((r) => ({ ...r }));
}

function checkStatus(doc: Record<string, unknown>): void {
  const label = 'report_status';
  const extra = Object.keys(doc)
    .filter((k) => !STATUS_KEYS.includes(k))
    .sort();
  if (extra.length) throw validationError(`${label}: unknown fields ${pyList(extra)}`);
  if (!isoLike(doc.checked_at)) throw validationError(`${label}: checked_at must be an ISO 8601 timestamp`);
  for (const field of ['sidecar_version', 'contract_version']) text(doc, field, label, true, 64);
  for (const field of ['shopify', 'webhooks', 'onboarding']) {
    const value = doc[field];
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw validationError(`${label}: ${field} must be an object`);
  }
  const topics = (doc.webhooks as Record<string, unknown>).topics;
  for (const [field, rows] of [
    ['queues', doc.queues],
    ['webhooks.topics', topics],
  ] as const) {
    if (!Array.isArray(rows) || rows.length > MAX_STATUS_ROWS || !rows.every((r) => r && typeof r === 'object' && !Array.isArray(r)))
      throw validationError(`${label}: ${field} must be a list of at most ${MAX_STATUS_ROWS} objects`);
  }
  for (const row of doc.queues as Record<string, unknown>[]) {
    text(row, 'queue', `${label} queues`, true, 64);
    for (const count of ['waiting', 'dead_letters']) {
      const value = row[count];
      if (!isInteger(value) || value < 0)
        throw validationError(`${label}: queue ${String(row.queue)}: ${count} must be a non-negative integer`);
    }
  }
}

export function reportStatus(core: DoubleCore, doc: ContractParams<'report_status'>): ContractResult<'report_status'> {
  checkStatus(doc as unknown as Record<string, unknown>);
  statusState(core).status = { ...doc };
  core.state.lastSidecarContact = core.nowIso();
  core.state.lastSidecarVersion = doc.sidecar_version;
  return { ok: true };
}

/** The snapshot the Overview shows (the addon's overview record), or null before any. */
export function storedStatus(core: DoubleCore): Record<string, unknown> | null {
  return statusState(core).status;
}
