/**
 * The customers area of the contract (the addon's models/shopify_sync_api_customers.py):
 * upsert_customer (matched by GID, then by the normalised email of the shared rule, never by
 * name), export_customers, list_customers (onboarding's candidates) and erase_customer.
 */
import type {
  Address,
  ContractParams,
  ContractResult,
  CustomerDocument,
  ExportedCustomer,
  UpsertCustomerResult,
} from '../../../sidecar/odoo/contract.js';
import { normaliseEmail } from '../../../sidecar/rules/email.js';
import { isGid, parseGid } from '../../../sidecar/rules/gid.js';
import type { DoubleCore } from '../core.js';
import { pyTruthy, validationError } from '../errors.js';
import type { Partner } from '../state.js';
import { contentHash, gid } from '../values.js';

const ERASED = {
  email: null,
  phone: null,
  street: null,
  street2: null,
  city: null,
  zip: null,
  state_code: null,
  company: null,
  first_name: null,
  last_name: null,
};

export function upsertCustomer(core: DoubleCore, doc: ContractParams<'upsert_customer'>): ContractResult<'upsert_customer'> {
  gid(doc.customer_gid, 'Customer', 'customer', 'customer_gid');
  const { partner, status } = upsertCustomerRecord(core, doc);
  return { status, partner_id: partner.id };
}

/** Match by GID, then by normalised email (never by name). Also the customer part of apply_order. */
export function upsertCustomerRecord(
  core: DoubleCore,
  doc: CustomerDocument,
): { partner: Partner; status: UpsertCustomerResult['status'] } {
  const customerGid = doc.customer_gid;
  let partner = [...core.state.partners.values()].find((p) => p.binding.shopify_gid === customerGid);
  if (partner?.erased) return { partner, status: 'unchanged' }; // never resurrect erased personal data
  let status: UpsertCustomerResult['status'] | null = null;
  if (!partner) {
    partner = findByEmail(core, doc.email);
    if (partner?.binding.shopify_gid) partner = undefined; // bound to another Shopify customer
    if (partner) status = 'linked';
  }
  const hash = contentHash(doc, ['updated_at']);
  if (partner && !status && partner.binding.content_hash === hash) return { partner, status: 'unchanged' };
  const values = customerValues(doc);
  if (partner) {
    Object.assign(partner, values, { write_date: core.nowIso() });
    status ??= 'updated';
  } else {
    partner = core.createPartner(values);
    status = 'created';
  }
  core.setResult(partner.binding, 'synced', { gid: customerGid, hash });
  // The partner write hook runs here as in the addon; the origin flag is what silences it.
  core.customerChanged(partner.id, status === 'created' ? 'create' : 'write');
  return { partner, status };
}

/** The oldest top-level, not erased partner whose normalised email is the same (the shared email rule). */
export function findByEmail(core: DoubleCore, email: unknown): Partner | undefined {
  const wanted = normaliseEmail(email);
  if (!wanted) return undefined;
  return [...core.state.partners.values()]
    .sort((a, b) => a.id - b.id)
    .find((p) => p.parent_id === null && !p.erased && normaliseEmail(p.email) === wanted);
}

function customerValues(doc: CustomerDocument): Partial<Partner> & { name: string } {
  const name =
    [doc.first_name, doc.last_name]
      .map((s) => (s ?? '').trim())
      .filter(Boolean)
      .join(' ') ||
    doc.email ||
    doc.customer_gid ||
    '';
  const values: Partial<Partner> & { name: string } = { name, first_name: doc.first_name ?? null, last_name: doc.last_name ?? null };
  if ('email' in doc) values.email = (doc.email ?? '').trim() || null;
  if ('phone' in doc) values.phone = doc.phone || null;
  if (doc.default_address) Object.assign(values, addressValues(doc.default_address));
  return values;
}

export function addressValues(a: Address) {
  return {
    street: a.address1 || null,
    street2: a.address2 || null,
    city: a.city || null,
    zip: a.zip || null,
    country_code: a.country_code ? a.country_code.toUpperCase() : null,
    state_code: a.country_code && a.province_code ? a.province_code : null,
  };
}

export function exportCustomers(core: DoubleCore, doc: ContractParams<'export_customers'>): ContractResult<'export_customers'> {
  const ids: unknown = doc.partner_ids;
  if (!Array.isArray(ids) || !ids.every((i) => Number.isInteger(i)))
    throw validationError('export_customers: partner_ids must be a list of integers');
  return {
    customers: ids
      .map((i) => core.state.partners.get(i as number))
      .filter((p): p is Partner => Boolean(p))
      .map((p) => customerDocument(p)),
  };
}

/** The addon's list_customers (models/shopify_sync_api_customers.py, for onboarding). */
export function listCustomers(core: DoubleCore, doc: ContractParams<'list_customers'>): ContractResult<'list_customers'> {
  const limit = doc.limit ?? 100;
  const offset = doc.offset ?? 0;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw validationError('list_customers: limit must be an integer from 1 to 1000');
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0)
    throw validationError('list_customers: offset must be a non-negative integer');
  const partners = [...core.state.partners.values()]
    .filter((p) => p.parent_id === null && Boolean(p.email) && !p.erased)
    .sort((a, b) => a.id - b.id)
    .slice(offset, offset + limit);
  return { customers: partners.map((p) => customerDocument(p)) };
}

function customerDocument(p: Partner): ExportedCustomer {
  // Like the addon: first/last name split from the display name on the last space.
  const name = p.name.trim();
  const cut = name.lastIndexOf(' ');
  const [first, last] = cut < 0 ? [name, ''] : [name.slice(0, cut), name.slice(cut + 1)];
  const hasAddress = Boolean(p.street || p.city || p.zip || p.country_code);
  const doc: Omit<ExportedCustomer, 'content_hash' | 'synced_hash'> = {
    customer_gid: p.binding.shopify_gid,
    email: p.email,
    first_name: first || null,
    last_name: last || null,
    phone: p.phone,
    default_address: hasAddress
      ? {
          name: p.name,
          company: p.company,
          address1: p.street,
          address2: p.street2,
          city: p.city,
          province_code: p.state_code,
          zip: p.zip,
          country_code: p.country_code,
          phone: p.phone,
        }
      : null,
    updated_at: p.write_date,
    partner_id: p.id,
    active: p.active,
  };
  const content_hash = contentHash(doc, ['customer_gid', 'updated_at', 'partner_id']);
  return { ...doc, content_hash, synced_hash: p.binding.content_hash };
}

export function eraseCustomer(core: DoubleCore, doc: ContractParams<'erase_customer'>): ContractResult<'erase_customer'> {
  // A GID that is given (not empty) must be a customer's, as the addon checks it.
  const given: unknown = doc.customer_gid;
  const customerGid = pyTruthy(given) ? gid(given, 'Customer', 'erase_customer', 'customer_gid') : null;
  const email = normaliseEmail(doc.email);
  if (!customerGid && !email) throw validationError('erase_customer: customer_gid or email is required');
  let targets = customerGid ? [...core.state.partners.values()].filter((p) => p.binding.shopify_gid === customerGid) : [];
  if (!targets.length && email) targets = [...core.state.partners.values()].filter((p) => !p.erased && normaliseEmail(p.email) === email);
  if (!targets.length) return { status: 'not_found', partner_ids: [] };
  const erased = new Set<number>();
  for (const p of targets) for (const t of anonymise(core, p)) erased.add(t.id);
  return { status: 'erased', partner_ids: [...erased].sort((a, b) => a - b) };
}

/** Anonymises the partner and its child addresses; keeps the records (accounting references them). */
export function anonymise(core: DoubleCore, p: Partner): Partner[] {
  const numericId = (partner: Partner) => (isGid(partner.binding.shopify_gid) ? parseGid(partner.binding.shopify_gid).id : null);
  const own = numericId(p) ?? String(p.id);
  const targets = [p, ...[...core.state.partners.values()].filter((c) => c.parent_id === p.id)];
  for (const target of targets) {
    // Country kept (contract: erase_customer); everything else that identifies the person goes.
    Object.assign(target, ERASED, {
      name: `Redacted customer ${numericId(target) ?? (target === p ? own : String(target.id))}`,
      erased: true,
      shopify_sync: false,
      active: false,
      write_date: core.nowIso(),
    });
  }
  for (const so of core.state.saleOrders.values()) {
    if (targets.some((t) => t.id === so.partner_id)) {
      so.note = null;
      so.client_order_ref = null;
    }
  }
  return targets;
}
