/**
 * Customers, pure stages (no I/O): Shopify customer → canonical CustomerDocument, the comparable
 * form both sides are hashed in (echo guard, docs/flows.md "Loop safety"), and the customerSet
 * input that brings Shopify to what Odoo exports.
 *
 * Why a comparable form: the addon's two hashes (upsert_customer's, over the incoming document, and
 * export_customers', over its own export) are computed over different documents, so the sidecar
 * cannot compare them with each other. Instead it projects both sides onto the fields that
 * actually travel (email, names, phone, main address) with the same normalisation Shopify applies
 * (the matching email of rules/email.ts, phone without separators, empty = null) and compares those.
 */
import crypto from 'node:crypto';
import type { OutboxJob } from '../../jobs.js';
import type { Address, CustomerDocument, ExportedCustomer } from '../../odoo/contract.js';
import { PermanentError } from '../../queue/errors.js';
import { normaliseEmail } from '../../rules/email.js';
import { isCountryCode } from '../../shopify/enums.js';
import type { CountryCode, CustomerByEmailQuery, CustomerByIdQuery, CustomerSetInput } from '../../shopify/index.js';

/**
 * A Shopify customer as the CustomerById or CustomerByEmail query reads it (their generated types):
 * the email lookup reads the default address without its name and company.
 */
export type ShopifyCustomerRead = NonNullable<CustomerByIdQuery['customer']> | NonNullable<CustomerByEmailQuery['customerByIdentifier']>;

/** The partner a customer.changed event is about. */
export function partnerIdOf(job: OutboxJob<'customer.changed'>): number {
  return typeof job.payload.partner_id === 'number' ? job.payload.partner_id : job.resId;
}

const text = (value: string | null | undefined): string | null => {
  const trimmed = (value ?? '').trim();
  return trimmed === '' ? null : trimmed;
};

/** Phone for comparison only: spaces, dots, dashes and parentheses removed. */
export function normalisePhone(phone: string | null | undefined): string | null {
  const t = text(phone);
  return t === null ? null : t.replace(/[\s.()-]/g, '') || null;
}

/** The canonical document for `upsert_customer` from a Shopify customer. */
export function customerDocument(c: ShopifyCustomerRead): CustomerDocument {
  const a = c.defaultAddress;
  const named = a && 'firstName' in a ? a : null;
  const address: Address | null = a
    ? {
        name: [text(named?.firstName), text(named?.lastName)].filter(Boolean).join(' ') || null,
        company: text(named?.company),
        address1: text(a.address1),
        address2: text(a.address2),
        city: text(a.city),
        province_code: text(a.provinceCode),
        zip: text(a.zip),
        country_code: text(a.countryCodeV2),
        phone: text(a.phone),
      }
    : null;
  return {
    customer_gid: c.id,
    email: text(c.defaultEmailAddress?.emailAddress),
    first_name: text(c.firstName),
    last_name: text(c.lastName),
    phone: text(c.defaultPhoneNumber?.phoneNumber),
    default_address: address,
    updated_at: c.updatedAt,
  };
}

export interface ComparableAddress {
  address1: string | null;
  address2: string | null;
  city: string | null;
  zip: string | null;
  province_code: string | null;
  country_code: string | null;
}

/** What is compared and hashed: the fields that travel in both directions, normalised. */
export interface ComparableCustomer {
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  address: ComparableAddress | null;
}

export function comparable(
  doc: Pick<CustomerDocument, 'email' | 'first_name' | 'last_name' | 'phone' | 'default_address'>,
): ComparableCustomer {
  const a = doc.default_address;
  const address: ComparableAddress | null = a
    ? {
        address1: text(a.address1),
        address2: text(a.address2),
        city: text(a.city),
        zip: text(a.zip),
        province_code: text(a.province_code),
        country_code: text(a.country_code)?.toUpperCase() ?? null,
      }
    : null;
  const empty = !address || Object.values(address).every((v) => v === null);
  return {
    email: normaliseEmail(doc.email),
    first_name: text(doc.first_name),
    last_name: text(doc.last_name),
    phone: normalisePhone(doc.phone),
    address: empty ? null : address,
  };
}

/** SHA-256 (hex) of the comparable form, keys in a fixed order. */
export function comparableHash(doc: Parameters<typeof comparable>[0]): string {
  const c = comparable(doc);
  const ordered = [
    c.email,
    c.first_name,
    c.last_name,
    c.phone,
    c.address && [c.address.address1, c.address.address2, c.address.city, c.address.zip, c.address.province_code, c.address.country_code],
  ];
  return crypto.createHash('sha256').update(JSON.stringify(ordered)).digest('hex');
}

/** The fields of customerSet's input (the type generated from CustomerSet.graphql) the flow writes. */
export type CustomerPushInput = Pick<CustomerSetInput, 'email' | 'firstName' | 'lastName' | 'phone' | 'addresses'>;

/** Odoo's country code as Shopify's CountryCode; one Shopify does not know is refused, naming the partner. */
function countryCodeInput(code: string | null, partnerId: number): CountryCode | null {
  if (code === null || isCountryCode(code)) return code;
  throw new PermanentError(`customers: partner ${partnerId}: default_address.country_code "${code}" is not a Shopify country code`);
}

export interface CustomerPushPlan {
  input: CustomerPushInput;
  /** Comparable fields that differ (all of them for a new customer); empty = nothing to write. */
  changed: Array<keyof ComparableCustomer>;
}

/**
 * What to send so Shopify holds Odoo's content: only the fields that differ from `shopify` (the
 * customer as Shopify has it now, or null when it does not exist yet). Rules:
 * - an Odoo partner without an address never clears Shopify's addresses (Odoo has nothing to say);
 * - an address is sent as the customer's one address (customerSet replaces the address list, so a
 *   customer's other saved Shopify addresses are dropped: docs/flows.md, known gaps);
 * - an Odoo partner without email or phone does not clear them in Shopify either;
 * - a country code Shopify does not know fails the push (PermanentError naming the field).
 */
export function planCustomerPush(odoo: ExportedCustomer, shopify: CustomerDocument | null): CustomerPushPlan {
  const want = comparable(odoo);
  const have = shopify ? comparable(shopify) : null;
  const input: CustomerPushInput = {};
  const changed: CustomerPushPlan['changed'] = [];
  if (want.email !== null && want.email !== have?.email) {
    input.email = want.email;
    changed.push('email');
  }
  if (want.first_name !== (have?.first_name ?? null)) {
    input.firstName = want.first_name;
    changed.push('first_name');
  }
  if (want.last_name !== (have?.last_name ?? null)) {
    input.lastName = want.last_name;
    changed.push('last_name');
  }
  if (want.phone !== null && want.phone !== have?.phone) {
    input.phone = want.phone;
    changed.push('phone');
  }
  if (want.address !== null && JSON.stringify(want.address) !== JSON.stringify(have?.address ?? null)) {
    input.addresses = [
      {
        firstName: want.first_name,
        lastName: want.last_name,
        address1: want.address.address1,
        address2: want.address.address2,
        city: want.address.city,
        zip: want.address.zip,
        provinceCode: want.address.province_code,
        countryCode: countryCodeInput(want.address.country_code, odoo.partner_id),
        phone: want.phone,
      },
    ];
    changed.push('address');
  }
  return { input, changed };
}
