import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ExportedCustomer } from '../../odoo/contract.js';
import { comparable, comparableHash, customerDocument, normalisePhone, planCustomerPush, type ShopifyCustomerRead } from './map.js';
import { normaliseEmail } from '../../rules/email.js';

/** Ada as CustomerById reads her. */
const shopifyAda: ShopifyCustomerRead = {
  id: 'gid://shopify/Customer/1012',
  firstName: 'Ada',
  lastName: 'Lovelace',
  updatedAt: '2026-11-27T10:00:00Z',
  defaultEmailAddress: { emailAddress: ' Ada@Example.com ' },
  defaultPhoneNumber: { phoneNumber: '+32470123456' },
  defaultAddress: {
    firstName: 'Ada',
    lastName: 'Lovelace',
    company: null,
    address1: '1 Main St',
    address2: '',
    city: 'Brussels',
    zip: '1000',
    provinceCode: null,
    countryCodeV2: 'BE',
    phone: null,
  },
};

function odooExport(overrides: Partial<ExportedCustomer> = {}): ExportedCustomer {
  return {
    customer_gid: null,
    email: 'ada@example.com',
    first_name: 'Ada',
    last_name: 'Lovelace',
    phone: '+32 470 12 34 56',
    default_address: {
      name: 'Ada Lovelace',
      company: null,
      address1: '1 Main St',
      address2: null,
      city: 'Brussels',
      province_code: null,
      zip: '1000',
      country_code: 'BE',
      phone: '+32 470 12 34 56',
    },
    updated_at: '2026-11-27T09:00:00Z',
    partner_id: 7,
    active: true,
    content_hash: 'h-odoo',
    synced_hash: null,
    ...overrides,
  };
}

describe('customers: normalise and plan (pure)', () => {
  it('turns a Shopify customer into the canonical document, empty strings becoming null', () => {
    assert.deepEqual(customerDocument(shopifyAda), {
      customer_gid: 'gid://shopify/Customer/1012',
      email: 'Ada@Example.com',
      first_name: 'Ada',
      last_name: 'Lovelace',
      phone: '+32470123456',
      default_address: {
        name: 'Ada Lovelace',
        company: null,
        address1: '1 Main St',
        address2: null,
        city: 'Brussels',
        province_code: null,
        zip: '1000',
        country_code: 'BE',
        phone: null,
      },
      updated_at: '2026-11-27T10:00:00Z',
    });
  });

  it('maps a customer found by email (its address read without name and company) with a null address name', () => {
    const byEmail: ShopifyCustomerRead = {
      id: 'gid://shopify/Customer/1012',
      firstName: 'Ada',
      lastName: 'Lovelace',
      updatedAt: '2026-11-27T10:00:00Z',
      tags: [],
      defaultEmailAddress: { emailAddress: 'ada@example.com' },
      defaultPhoneNumber: null,
      defaultAddress: {
        address1: '1 Main St',
        address2: null,
        city: 'Brussels',
        zip: '1000',
        provinceCode: null,
        countryCodeV2: 'BE',
        phone: null,
      },
    };
    assert.deepEqual(customerDocument(byEmail).default_address, {
      name: null,
      company: null,
      address1: '1 Main St',
      address2: null,
      city: 'Brussels',
      province_code: null,
      zip: '1000',
      country_code: 'BE',
      phone: null,
    });
  });

  it('maps a customer without email, phone or address to nulls', () => {
    const doc = customerDocument({ ...shopifyAda, defaultEmailAddress: null, defaultPhoneNumber: null, defaultAddress: null });
    assert.equal(doc.email, null);
    assert.equal(doc.phone, null);
    assert.equal(doc.default_address, null);
  });

  for (const [input, expected] of [
    [' Ada@Example.COM ', 'ada@example.com'],
    ['', null],
    [null, null],
    ['   ', null],
    // Not local@domain: the addon refuses it too, so it is no email to match or push.
    ['ada', null],
  ] as const) {
    it(`normalises the email ${JSON.stringify(input)} to ${JSON.stringify(expected)}`, () => assert.equal(normaliseEmail(input), expected));
  }

  for (const [input, expected] of [
    ['+32 470 12 34 56', '+32470123456'],
    ['(415) 555-0123', '4155550123'],
    ['+1.415.555.0123', '+14155550123'],
    ['', null],
  ] as const) {
    it(`compares the phone ${JSON.stringify(input)} as ${JSON.stringify(expected)}`, () => assert.equal(normalisePhone(input), expected));
  }

  it('hashes the Odoo export and the same content read from Shopify equally (email case, phone separators, address name ignored)', () => {
    assert.equal(comparableHash(odooExport()), comparableHash(customerDocument(shopifyAda)));
    const canonical = JSON.stringify([
      'ada@example.com',
      'Ada',
      'Lovelace',
      '+32470123456',
      ['1 Main St', null, 'Brussels', '1000', null, 'BE'],
    ]);
    assert.equal(comparableHash(odooExport()), createHash('sha256').update(canonical).digest('hex'));
  });

  it('hashes differently when a travelling field changes', () => {
    const base = comparableHash(odooExport());
    for (const change of [{ email: 'ada@other.example' }, { first_name: 'Augusta' }, { last_name: 'King' }, { phone: '+32470000000' }]) {
      assert.notEqual(comparableHash(odooExport(change)), base, JSON.stringify(change));
    }
    const moved = odooExport();
    moved.default_address = { ...moved.default_address!, city: 'Ghent' };
    assert.notEqual(comparableHash(moved), base);
  });

  it('treats an address of empty fields as no address', () => {
    const blank = {
      name: 'x',
      company: null,
      address1: '',
      address2: null,
      city: ' ',
      province_code: null,
      zip: null,
      country_code: null,
      phone: null,
    };
    assert.equal(comparable(odooExport({ default_address: blank })).address, null);
  });

  it('plans every field for a customer Shopify does not have yet', () => {
    const plan = planCustomerPush(odooExport(), null);
    assert.deepEqual(plan.changed, ['email', 'first_name', 'last_name', 'phone', 'address']);
    assert.deepEqual(plan.input, {
      email: 'ada@example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: '+32470123456',
      addresses: [
        {
          firstName: 'Ada',
          lastName: 'Lovelace',
          address1: '1 Main St',
          address2: null,
          city: 'Brussels',
          zip: '1000',
          provinceCode: null,
          countryCode: 'BE',
          phone: '+32470123456',
        },
      ],
    });
  });

  it("refuses an Odoo country code that is not one of Shopify's, naming the partner and the field", () => {
    const address = { ...odooExport().default_address!, country_code: 'XX' };
    assert.throws(
      () => planCustomerPush(odooExport({ default_address: address }), null),
      (e: Error) =>
        e.name === 'PermanentError' &&
        e.message === 'customers: partner 7: default_address.country_code "XX" is not a Shopify country code',
    );
  });

  it('plans nothing when Shopify already holds the same content', () => {
    assert.deepEqual(planCustomerPush(odooExport(), customerDocument(shopifyAda)), { input: {}, changed: [] });
  });

  it('plans only the changed last name for an existing customer', () => {
    assert.deepEqual(planCustomerPush(odooExport({ last_name: 'King' }), customerDocument(shopifyAda)), {
      input: { lastName: 'King' },
      changed: ['last_name'],
    });
  });

  it('never clears Shopify email, phone or addresses because Odoo has none', () => {
    const plan = planCustomerPush(odooExport({ email: null, phone: null, default_address: null }), customerDocument(shopifyAda));
    assert.deepEqual(plan, { input: {}, changed: [] });
  });
});
