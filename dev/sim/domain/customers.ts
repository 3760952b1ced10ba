/** Customers: create, update, upsert, delete; emits customers/create|update|delete. */
import { customerDeletePayload, customerPayload } from '../payloads.js';
import { blankAddress, type Address, type Customer } from '../state.js';
import { fail, nextId, nowIso, type DomainContext } from './context.js';

export interface CustomerInput {
  email?: string | null;
  phone?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  note?: string | null;
  tags?: string[];
  taxExempt?: boolean;
  locale?: string;
  /** Replaces the address list when given (customerSet semantics). */
  addresses?: Partial<Address>[];
}

export function findCustomerByEmail(ctx: DomainContext, email: string): Customer | undefined {
  const wanted = email.trim().toLowerCase();
  return ctx.state.customers.find((c) => c.email?.toLowerCase() === wanted);
}

function validate(ctx: DomainContext, input: CustomerInput, self: Customer | undefined): void {
  if (input.email !== undefined && input.email !== null) {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(input.email)) fail('Email is invalid', ['email'], 'INVALID');
    const other = findCustomerByEmail(ctx, input.email);
    if (other && other.id !== self?.id) fail('Email has already been taken', ['email'], 'TAKEN');
  }
  if (!self && !input.email && !input.phone && !input.firstName && !input.lastName) {
    fail('A name, phone number, or email address must be present', null, 'BLANK');
  }
}

function apply(ctx: DomainContext, customer: Customer, input: CustomerInput): void {
  if (input.email !== undefined) customer.email = input.email;
  if (input.phone !== undefined) customer.phone = input.phone;
  if (input.firstName !== undefined) customer.firstName = input.firstName;
  if (input.lastName !== undefined) customer.lastName = input.lastName;
  if (input.note !== undefined) customer.note = input.note;
  if (input.tags !== undefined) customer.tags = input.tags;
  if (input.taxExempt !== undefined) customer.taxExempt = input.taxExempt;
  if (input.locale !== undefined) customer.locale = input.locale;
  if (input.addresses !== undefined) {
    customer.addresses = input.addresses.map((a) => ({ ...blankAddress(a), id: nextId(ctx) }));
    customer.defaultAddressId = customer.addresses[0]?.id ?? null;
  }
  customer.updatedAt = nowIso(ctx);
}

export function createCustomer(ctx: DomainContext, input: CustomerInput): Customer {
  validate(ctx, input, undefined);
  const now = nowIso(ctx);
  const customer: Customer = {
    id: nextId(ctx),
    email: null,
    phone: null,
    firstName: null,
    lastName: null,
    note: null,
    tags: [],
    taxExempt: false,
    state: 'disabled',
    locale: 'en',
    addresses: [],
    defaultAddressId: null,
    createdAt: now,
    updatedAt: now,
  };
  apply(ctx, customer, input);
  ctx.state.customers.push(customer);
  ctx.emit([{ topic: 'customers/create', payload: customerPayload(ctx.state, customer) }]);
  return customer;
}

export function requireCustomer(ctx: DomainContext, id: number): Customer {
  const customer = ctx.state.customers.find((c) => c.id === id);
  if (!customer) fail('Customer does not exist', ['id'], 'NOT_FOUND');
  return customer;
}

export function updateCustomer(ctx: DomainContext, id: number, input: CustomerInput): Customer {
  const customer = requireCustomer(ctx, id);
  validate(ctx, input, customer);
  apply(ctx, customer, input);
  ctx.emit([{ topic: 'customers/update', payload: customerPayload(ctx.state, customer) }]);
  return customer;
}

/** customerSet: upsert by id or email; without an identifier it creates. */
export function setCustomer(ctx: DomainContext, identifier: { id?: number; email?: string } | undefined, input: CustomerInput): Customer {
  if (identifier?.id !== undefined) return updateCustomer(ctx, identifier.id, input);
  if (identifier?.email !== undefined) {
    if (input.email !== undefined && input.email !== null && input.email.toLowerCase() !== identifier.email.toLowerCase()) {
      fail('The email in the input does not match the identifier', ['input', 'email'], 'INPUT_MISMATCH');
    }
    const existing = findCustomerByEmail(ctx, identifier.email);
    if (existing) return updateCustomer(ctx, existing.id, input);
    return createCustomer(ctx, { ...input, email: identifier.email });
  }
  return createCustomer(ctx, input);
}

/** customerDelete works only for customers without orders, as on Shopify. */
export function deleteCustomer(ctx: DomainContext, id: number): number {
  const customer = requireCustomer(ctx, id);
  if (ctx.state.orders.some((o) => o.customerId === id)) fail('Customer can’t be deleted because they have associated orders', ['id']);
  ctx.state.customers = ctx.state.customers.filter((c) => c.id !== customer.id);
  ctx.state.deletedCustomerIds.push(id);
  ctx.emit([{ topic: 'customers/delete', payload: customerDeletePayload(id) }]);
  return id;
}
