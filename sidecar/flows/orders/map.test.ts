import assert from 'node:assert/strict';
import { loadContractValidator } from '../../../dev/conformance/schemas.js';
import { formatCents, formatMinor, minorUnits, mulDivRound, toCents } from '../../rules/money.js';
import type {
  FulfillmentOrderStatus,
  OrderFieldsFragment,
  OrderLineFieldsFragment,
  OrderMoneyFieldsFragment,
  ShopMoneyFieldsFragment,
} from '../../shopify/index.js';
import { normaliseOrder, orderGidOf, paidInOtherCurrency, rateString, readsPresentment, updatedSinceQuery, type OrderJob } from './map.js';

const m = (amount: string): ShopMoneyFieldsFragment => ({
  shopMoney: { amount, currencyCode: 'EUR' },
  presentmentMoney: { amount, currencyCode: 'EUR' },
});
const validator = loadContractValidator();

function line(overrides: Partial<OrderLineFieldsFragment> = {}): OrderLineFieldsFragment {
  return {
    id: 'gid://shopify/LineItem/11',
    sku: 'MUG',
    isGiftCard: false,
    title: 'Mug',
    quantity: 2,
    currentQuantity: 2,
    originalUnitPriceSet: m('9.50'),
    taxLines: [{ title: 'VAT', rate: 0.2, ratePercentage: 20, priceSet: m('3.80') }],
    discountAllocations: [],
    duties: [],
    ...overrides,
  };
}

function order(overrides: Partial<OrderFieldsFragment> = {}): OrderFieldsFragment {
  return {
    id: 'gid://shopify/Order/1001',
    name: '#1001',
    email: 'ada@example.com',
    createdAt: '2026-11-27T10:00:00Z',
    updatedAt: '2026-11-27T10:05:00Z',
    cancelledAt: null,
    cancelReason: null,
    note: null,
    displayFinancialStatus: 'PAID',
    displayFulfillmentStatus: 'UNFULFILLED',
    currencyCode: 'EUR',
    presentmentCurrencyCode: 'EUR',
    taxesIncluded: false,
    currentSubtotalPriceSet: m('19.00'),
    currentTotalTaxSet: m('4.80'),
    currentTotalDiscountsSet: m('0.00'),
    currentTotalPriceSet: m('28.80'),
    dutiesIncluded: false,
    currentTotalDutiesSet: null,
    currentTotalAdditionalFeesSet: null,
    additionalFees: [],
    lineItems: { nodes: [line()], pageInfo: { hasNextPage: false, endCursor: null } },
    refunds: [],
    shippingLines: {
      nodes: [
        {
          title: 'Standard',
          code: 'STD',
          isRemoved: false,
          originalPriceSet: m('5.00'),
          discountedPriceSet: m('5.00'),
          discountAllocations: [],
          taxLines: [{ title: 'VAT', rate: 0.2, ratePercentage: null, priceSet: m('1.00') }],
        },
      ],
      pageInfo: { hasNextPage: false, endCursor: null },
    },
    customer: {
      id: 'gid://shopify/Customer/7',
      firstName: 'Ada',
      lastName: 'Lovelace',
      updatedAt: '2026-11-27T09:00:00Z',
      defaultEmailAddress: { emailAddress: 'ada@example.com' },
      defaultPhoneNumber: { phoneNumber: '+3212345678' },
      defaultAddress: null,
    },
    billingAddress: {
      name: 'Ada Lovelace',
      company: null,
      address1: '1 Main St',
      address2: null,
      city: 'Brussels',
      zip: '1000',
      provinceCode: null,
      countryCodeV2: 'BE',
      phone: null,
    },
    shippingAddress: {
      name: 'Ada Lovelace',
      company: 'ACME',
      address1: '2 Side St',
      address2: 'Box 3',
      city: 'Ghent',
      zip: '9000',
      provinceCode: 'VOV',
      countryCodeV2: 'BE',
      phone: '+32999',
    },
    fulfillmentOrders: { nodes: [{ status: 'OPEN', assignedLocation: { location: { id: 'gid://shopify/Location/102' } } }] },
    ...overrides,
  };
}

describe('orders normalise: Shopify order → OrderDocument', () => {
  it('maps a plain paid order to the exact canonical document, valid against the contract schema', () => {
    const { document, warnings } = normaliseOrder(order());
    assert.deepEqual(warnings, []);
    assert.deepEqual(document, {
      order_gid: 'gid://shopify/Order/1001',
      name: '#1001',
      created_at: '2026-11-27T10:00:00Z',
      updated_at: '2026-11-27T10:05:00Z',
      currency: 'EUR',
      presentment_currency: 'EUR',
      taxes_included: false,
      financial_status: 'paid',
      fulfillment_status: 'unfulfilled',
      cancelled_at: null,
      customer: {
        customer_gid: 'gid://shopify/Customer/7',
        email: 'ada@example.com',
        first_name: 'Ada',
        last_name: 'Lovelace',
        phone: '+3212345678',
        default_address: null,
        updated_at: '2026-11-27T09:00:00Z',
      },
      billing_address: {
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
      shipping_address: {
        name: 'Ada Lovelace',
        company: 'ACME',
        address1: '2 Side St',
        address2: 'Box 3',
        city: 'Ghent',
        province_code: 'VOV',
        zip: '9000',
        country_code: 'BE',
        phone: '+32999',
      },
      location_gid: 'gid://shopify/Location/102',
      lines: [
        {
          line_gid: 'gid://shopify/LineItem/11',
          sku: 'MUG',
          title: 'Mug',
          quantity: 2,
          price_unit: '9.50',
          discount: '0.00',
          tax_lines: [{ title: 'VAT', rate: '0.2', amount: '3.80' }],
        },
      ],
      shipping_lines: [
        { title: 'Standard', code: 'STD', price: '5.00', discount: '0.00', tax_lines: [{ title: 'VAT', rate: '0.2', amount: '1.00' }] },
      ],
      subtotal_price: '19.00',
      total_tax: '4.80',
      total_discounts: '0.00',
      total_price: '28.80',
      note: null,
      refund_gids: [],
    });
    validator.validate('apply_order', 'params', document);
  });

  const lineCases: Array<{
    name: string;
    item: Partial<OrderLineFieldsFragment>;
    quantity: number;
    discount: string;
    tax: string;
    warnings: string[];
  }> = [
    {
      name: 'a line discount is the sum of its allocations',
      item: { discountAllocations: [{ allocatedAmountSet: m('1.00') }, { allocatedAmountSet: m('0.45') }] },
      quantity: 2,
      discount: '1.45',
      tax: '3.80',
      warnings: [],
    },
    {
      name: 'an edit that removed 1 of 3 units keeps 2/3 of discount and tax, rounded to the cent',
      item: {
        quantity: 3,
        currentQuantity: 2,
        discountAllocations: [{ allocatedAmountSet: m('1.00') }],
        taxLines: [{ title: 'VAT', rate: 0.2, ratePercentage: null, priceSet: m('3.33') }],
      },
      quantity: 2,
      discount: '0.67',
      tax: '2.22',
      warnings: [],
    },
    {
      name: 'a removed line keeps quantity 0 with no discount or tax',
      item: { quantity: 2, currentQuantity: 0, discountAllocations: [{ allocatedAmountSet: m('1.00') }] },
      quantity: 0,
      discount: '0.00',
      tax: '0.00',
      warnings: [],
    },
    {
      name: 'half a cent rounds away from zero (1.01 × 1/2 → 0.51 removed)',
      item: {
        quantity: 2,
        currentQuantity: 1,
        discountAllocations: [{ allocatedAmountSet: m('1.01') }],
        taxLines: [{ title: 'VAT', rate: 0.2, ratePercentage: null, priceSet: m('0.05') }],
      },
      quantity: 1,
      discount: '0.50',
      tax: '0.02',
      warnings: [],
    },
    {
      name: 'a negative quantity is clamped to 0 and reported',
      item: { quantity: 2, currentQuantity: -1 },
      quantity: 0,
      discount: '0.00',
      tax: '0.00',
      warnings: ['order #1001 line 1 (MUG): quantity -1 clamped to 0'],
    },
    {
      name: 'a fractional quantity loses its fraction and is reported',
      item: { quantity: 2, currentQuantity: 1.5 },
      quantity: 1,
      discount: '0.00',
      tax: '1.90',
      warnings: ['order #1001 line 1 (MUG): quantity 1.5 clamped to 1'],
    },
  ];
  for (const c of lineCases) {
    it(c.name, () => {
      const { document, warnings } = normaliseOrder(
        order({ lineItems: { nodes: [line(c.item)], pageInfo: { hasNextPage: false, endCursor: null } } }),
      );
      const [l] = document.lines;
      assert.equal(l!.quantity, c.quantity);
      assert.equal(l!.discount, c.discount);
      assert.equal(l!.tax_lines![0]!.amount, c.tax);
      assert.deepEqual(
        warnings.map((w) => w.message),
        c.warnings,
      );
      validator.validate('apply_order', 'params', document);
    });
  }

  it('marks a gift card line (isGiftCard), with or without a SKU, and no other line', () => {
    const gift = line({
      id: 'gid://shopify/LineItem/12',
      sku: null,
      isGiftCard: true,
      title: 'Gift card',
      quantity: 1,
      currentQuantity: 1,
      taxLines: [],
    });
    const { document } = normaliseOrder(order({ lineItems: { nodes: [line(), gift], pageInfo: { hasNextPage: false, endCursor: null } } }));
    assert.deepEqual(
      document.lines.map((l) => [l.sku, l.gift_card]),
      [
        ['MUG', undefined],
        [null, true],
      ],
    );
    assert.equal(Object.hasOwn(document.lines[0]!, 'gift_card'), false, 'other lines keep their document (and hash) unchanged');
    validator.validate('apply_order', 'params', document);
  });

  it('takes a shipping discount from its allocations, else from the discounted price', () => {
    const ship = (allocations: string[], discounted: string) =>
      normaliseOrder(
        order({
          shippingLines: {
            nodes: [
              {
                title: 'Express',
                code: null,
                isRemoved: false,
                originalPriceSet: m('10.00'),
                discountedPriceSet: m(discounted),
                discountAllocations: allocations.map((a) => ({ allocatedAmountSet: m(a) })),
                taxLines: [],
              },
            ],
            pageInfo: { hasNextPage: false, endCursor: null },
          },
        }),
      ).document.shipping_lines[0];
    assert.equal(ship([], '7.50')!.discount, '2.50');
    assert.equal(ship(['3.00'], '7.00')!.discount, '3.00');
    assert.equal(ship([], '10.00')!.discount, '0.00');
  });

  it('keeps a shipping line an order edit removed in its place, marked removed; other documents unchanged', () => {
    const line = (title: string, price: string, isRemoved: boolean) => ({
      title,
      code: null,
      isRemoved,
      originalPriceSet: m(price),
      discountedPriceSet: m(price),
      discountAllocations: [],
      taxLines: [],
    });
    const cases: Array<{ lines: Array<[string, string, boolean]>; expected: Array<[string, string, boolean | undefined]> }> = [
      // Unedited, or edited without removal: no `removed` key (the document and its hash as before).
      { lines: [['Standard', '5.00', false]], expected: [['Standard', '5.00', undefined]] },
      {
        lines: [
          ['Standard', '3.00', false],
          ['Express', '7.00', false],
        ],
        expected: [
          ['Standard', '3.00', undefined],
          ['Express', '7.00', undefined],
        ],
      },
      // The removed first line keeps position 1, so Express stays shipping line 2 in Odoo.
      {
        lines: [
          ['Standard', '5.00', true],
          ['Express', '7.00', false],
        ],
        expected: [
          ['Standard', '5.00', true],
          ['Express', '7.00', undefined],
        ],
      },
      { lines: [['Standard', '5.00', true]], expected: [['Standard', '5.00', true]] },
    ];
    for (const c of cases) {
      const { document } = normaliseOrder(
        order({ shippingLines: { nodes: c.lines.map(([t, p, r]) => line(t, p, r)), pageInfo: { hasNextPage: false, endCursor: null } } }),
      );
      assert.deepEqual(
        document.shipping_lines.map((s) => [s.title, s.price, s.removed]),
        c.expected,
        JSON.stringify(c.lines),
      );
      for (const s of document.shipping_lines) assert.equal(Object.hasOwn(s, 'removed'), s.removed === true);
      validator.validate('apply_order', 'params', document);
    }
  });

  it('routes by the first fulfillment order that is not cancelled and reports a split order', () => {
    const fo = (status: FulfillmentOrderStatus, id: string) => ({ status, assignedLocation: { location: { id } } });
    const a = normaliseOrder(
      order({ fulfillmentOrders: { nodes: [fo('CANCELLED', 'gid://shopify/Location/101'), fo('OPEN', 'gid://shopify/Location/102')] } }),
    );
    assert.equal(a.document.location_gid, 'gid://shopify/Location/102');
    assert.deepEqual(a.warnings, []);
    const b = normaliseOrder(
      order({ fulfillmentOrders: { nodes: [fo('OPEN', 'gid://shopify/Location/101'), fo('OPEN', 'gid://shopify/Location/102')] } }),
    );
    assert.equal(b.document.location_gid, 'gid://shopify/Location/101');
    assert.deepEqual(
      b.warnings.map((w) => w.code),
      ['several_locations'],
    );
    assert.equal(normaliseOrder(order({ fulfillmentOrders: { nodes: [] } })).document.location_gid, null);
  });

  it('sends a guest order without a customer, and a customer without email with the order email', () => {
    assert.equal(normaliseOrder(order({ customer: null })).document.customer, null);
    const c = normaliseOrder(order({ customer: { ...order().customer!, defaultEmailAddress: null } })).document.customer;
    assert.equal(c!.email, 'ada@example.com');
  });

  it('keeps a missing SKU as null (the addon refuses it naming the line) and a cancelled order cancelled', () => {
    const { document } = normaliseOrder(
      order({
        cancelledAt: '2026-11-27T11:00:00Z',
        lineItems: { nodes: [line({ sku: '' })], pageInfo: { hasNextPage: false, endCursor: null } },
      }),
    );
    assert.equal(document.lines[0]!.sku, null);
    assert.equal(document.cancelled_at, '2026-11-27T11:00:00Z');
    validator.validate('apply_order', 'params', document);
  });

  it('uses the extra pages of line items when given', () => {
    const more = [line(), line({ id: 'gid://shopify/LineItem/12', sku: 'TEE' })];
    assert.deepEqual(
      normaliseOrder(order(), more).document.lines.map((l) => l.sku),
      ['MUG', 'TEE'],
    );
  });
});

describe('orders normalise: currencies with 0 and 3 decimals (ISO 4217 minor units)', () => {
  const bag =
    (currencyCode: 'KWD' | 'JPY') =>
    (amount: string): ShopMoneyFieldsFragment => ({ shopMoney: { amount, currencyCode }, presentmentMoney: { amount, currencyCode } });
  // One unit of three removed: each share is cut at the currency's own minor unit (kept = amount −
  // round(amount × 1/3)), as Shopify's current totals are.
  const cases: Array<{
    currency: 'KWD' | 'JPY';
    amounts: [price: string, vat: string, city: string, discount: string, total: string];
    want: string[];
  }> = [
    { currency: 'KWD', amounts: ['1.235', '0.175', '0.052', '0.100', '2.522'], want: ['1.235', '0.067', '0.117', '0.035', '2.522'] },
    { currency: 'JPY', amounts: ['1980.0', '158.0', '31', '100.0', '4022.0'], want: ['1980', '67', '105', '21', '4022'] },
  ];
  for (const c of cases)
    it(`keeps ${c.currency} amounts exact and writes them with the currency's decimals`, () => {
      const m3 = bag(c.currency);
      const [price, vat, city, discount, total] = c.amounts;
      const { document } = normaliseOrder(
        order({
          currencyCode: c.currency,
          presentmentCurrencyCode: c.currency,
          currentSubtotalPriceSet: m3(total),
          currentTotalTaxSet: m3('0'),
          currentTotalDiscountsSet: m3('0'),
          currentTotalPriceSet: m3(total),
          shippingLines: { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } },
          lineItems: {
            nodes: [
              line({
                quantity: 3,
                currentQuantity: 2,
                originalUnitPriceSet: m3(price),
                taxLines: [
                  { title: 'VAT', rate: 0.05, ratePercentage: 5, priceSet: m3(vat) },
                  { title: 'City', rate: 0.015, ratePercentage: 1.5, priceSet: m3(city) },
                ],
                discountAllocations: [{ allocatedAmountSet: m3(discount) }],
              }),
            ],
            pageInfo: { hasNextPage: false, endCursor: null },
          },
        }),
      );
      const l = document.lines[0]!;
      assert.deepEqual([l.price_unit, l.discount, ...(l.tax_lines ?? []).map((t) => t.amount), document.total_price], c.want);
      assert.equal(document.currency, c.currency);
      validator.validate('apply_order', 'params', document);
    });

  it('refuses a KWD amount with a fourth decimal and a JPY amount with a fraction, naming the field', () => {
    const kwd = bag('KWD');
    assert.throws(
      () => normaliseOrder(order({ currencyCode: 'KWD', currentTotalPriceSet: kwd('1.2345') })),
      /total price: "1.2345" has more than 3 decimals/,
    );
    const jpy = bag('JPY');
    assert.throws(
      () =>
        normaliseOrder(
          order({
            currencyCode: 'JPY',
            lineItems: { nodes: [line({ originalUnitPriceSet: jpy('19.5') })], pageInfo: { hasNextPage: false, endCursor: null } },
          }),
        ),
      /line 1 \(MUG\) price: "19.5" has more than 0 decimals/,
    );
  });
});

describe('orders normalise: exact money and rates', () => {
  const amounts: Array<[string, string]> = [
    ['19.9', '19.90'],
    ['20', '20.00'],
    ['0.1', '0.10'],
    ['-3.5', '-3.50'],
    ['1234567890123.45', '1234567890123.45'],
    ['7.000', '7.00'],
  ];
  for (const [input, output] of amounts) {
    it(`formats "${input}" as "${output}"`, () => assert.equal(formatCents(toCents(input)), output));
  }
  it('refuses amounts that are not decimals or carry sub-cent digits', () => {
    assert.throws(() => toCents('12,50'), /"12,50" is not a decimal amount/);
    assert.throws(() => toCents('1.005'), /more than two decimals/);
  });
  it('rounds a pro-rata share half away from zero', () => {
    assert.equal(mulDivRound(101n, 1n, 2n), 51n);
    assert.equal(mulDivRound(-101n, 1n, 2n), -51n);
    assert.equal(mulDivRound(100n, 1n, 3n), 33n);
    assert.equal(mulDivRound(200n, 1n, 3n), 67n);
  });
  const rates: Array<[number | null, number | null, string]> = [
    [0.2, null, '0.2'],
    [0.07500000000000001, null, '0.075'],
    [0.21, 21, '0.21'],
    [null, 5.5, '0.055'],
    [0, 0, '0'],
  ];
  for (const [rate, pct, text] of rates) {
    it(`writes the rate ${rate} (${pct} %) as "${text}"`, () => assert.equal(rateString(rate, pct), text));
  }
});

describe('orders pull and job routing (pure parts)', () => {
  it('asks Shopify for orders updated at or after the instant, to the second, quoted', () => {
    assert.equal(updatedSinceQuery(new Date('2026-11-27T10:00:00.789Z')), "updated_at:>='2026-11-27T10:00:00Z'");
  });

  it('finds the order of a webhook, an outbox re-import, a pull, a resync and a repair job, and refuses a job without one', () => {
    const gid = 'gid://shopify/Order/450789469';
    assert.equal(orderGidOf({ source: 'webhook', topic: 'orders/edited', webhookId: 'w1', entityGid: gid, triggeredAt: null }), gid);
    assert.equal(
      orderGidOf({
        source: 'outbox',
        eventUuid: 'u1',
        type: 'order.reimport',
        model: 'sale.order',
        resId: 7,
        payload: { sale_order_id: 7, order_gid: gid },
        createdAt: '2026-11-27T10:00:00Z',
      }),
      gid,
    );
    assert.equal(orderGidOf({ source: 'pull', orderGid: gid, updatedAt: '2026-11-27T10:00:00Z' }), gid);
    assert.equal(orderGidOf({ source: 'resync', orderGid: gid }), gid);
    assert.equal(orderGidOf({ source: 'repair', orderGid: gid, reportId: 3 }), gid);
    assert.throws(
      () =>
        orderGidOf({
          source: 'outbox',
          eventUuid: 'u2',
          type: 'order.reimport',
          model: 'sale.order',
          resId: 7,
          payload: { sale_order_id: 7 },
          createdAt: '2026-11-27T10:00:00Z',
        }),
      (e: Error) => e.name === 'PermanentError' && e.message === 'orders: job without an order GID (outbox)',
    );
  });
});

describe('orders read: which jobs read the customer-currency amounts (pure parts)', () => {
  const gid = 'gid://shopify/Order/450789469';
  const webhook = { source: 'webhook', topic: 'orders/create', webhookId: 'w1', entityGid: gid, triggeredAt: null } as const;
  const cases: Array<{ name: string; job: OrderJob; reads: boolean }> = [
    { name: 'a webhook whose payload said the shop currency', job: { ...webhook, paidInShopCurrency: true }, reads: false },
    { name: 'a webhook whose payload said another currency, or nothing', job: webhook, reads: true },
    { name: 'an orders/edited webhook (its payload is the edit)', job: { ...webhook, topic: 'orders/edited' }, reads: true },
    {
      name: 'a pull job whose listing said the shop currency',
      job: { source: 'pull', orderGid: gid, updatedAt: '2026-11-27T10:00:00Z', paidInShopCurrency: true },
      reads: false,
    },
    {
      name: 'a pull job whose listing said another currency',
      job: { source: 'pull', orderGid: gid, updatedAt: '2026-11-27T10:00:00Z' },
      reads: true,
    },
    { name: 'a resync', job: { source: 'resync', orderGid: gid }, reads: true },
    { name: 'a repair', job: { source: 'repair', orderGid: gid, reportId: 3 }, reads: true },
    {
      name: 'an Odoo re-import',
      job: {
        source: 'outbox',
        eventUuid: 'u1',
        type: 'order.reimport',
        model: 'sale.order',
        resId: 7,
        payload: { order_gid: gid },
        createdAt: '2026-11-27T10:00:00Z',
      },
      reads: true,
    },
  ];
  for (const c of cases)
    it(`${c.reads ? 'reads' : 'leaves out'} the customer-currency amounts for ${c.name}`, () => {
      assert.equal(readsPresentment(c.job), c.reads);
    });

  it('says an order is paid in another currency only when its presentment currency is another one', () => {
    assert.equal(paidInOtherCurrency({ currencyCode: 'EUR', presentmentCurrencyCode: 'EUR' }), false);
    assert.equal(paidInOtherCurrency({ currencyCode: 'EUR', presentmentCurrencyCode: 'USD' }), true);
  });

  it('makes the same document of a shop-currency order read without its presentment amounts as of one read with them', () => {
    const shopOnly = (bag: OrderMoneyFieldsFragment): OrderMoneyFieldsFragment => ({ shopMoney: bag.shopMoney });
    const full = order({ shippingLines: { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } } });
    const lean: OrderFieldsFragment = {
      ...full,
      currentSubtotalPriceSet: shopOnly(full.currentSubtotalPriceSet),
      currentTotalTaxSet: shopOnly(full.currentTotalTaxSet),
      currentTotalDiscountsSet: shopOnly(full.currentTotalDiscountsSet),
      currentTotalPriceSet: shopOnly(full.currentTotalPriceSet),
      lineItems: {
        ...full.lineItems,
        nodes: [
          line({
            originalUnitPriceSet: shopOnly(m('9.50')),
            taxLines: [{ title: 'VAT', rate: 0.2, ratePercentage: 20, priceSet: shopOnly(m('3.80')) }],
          }),
        ],
      },
    };
    assert.deepEqual(normaliseOrder(lean), normaliseOrder(full));
  });
});

describe('orders normalise: amounts in the presentment currency', () => {
  /** A MoneyBag: shop amount in EUR, presentment amount in `code`. */
  const bag =
    (code: 'USD' | 'JPY' | 'KWD') =>
    (shop: string, presentment: string): ShopMoneyFieldsFragment => ({
      shopMoney: { amount: shop, currencyCode: 'EUR' },
      presentmentMoney: { amount: presentment, currencyCode: code },
    });
  // One unit of three removed: the presentment shares are cut at the presentment currency's own
  // minor unit, as the shop ones are at the shop currency's.
  const cases: Array<{
    code: 'USD' | 'JPY' | 'KWD';
    price: [string, string];
    tax: [string, string];
    discount: [string, string];
    shipping: [string, string];
    total: [string, string];
    want: { price_unit: string; discount: string; tax: string; shipping: string; total: string };
  }> = [
    {
      code: 'USD',
      price: ['10.00', '11.00'],
      tax: ['6.00', '6.61'],
      discount: ['1.00', '1.10'],
      shipping: ['5.00', '5.50'],
      total: ['30.33', '33.37'],
      want: { price_unit: '11.00', discount: '0.73', tax: '4.41', shipping: '5.50', total: '33.37' },
    },
    {
      code: 'JPY',
      price: ['10.00', '1650.0'],
      tax: ['6.00', '991'],
      discount: ['1.00', '165'],
      shipping: ['5.00', '825'],
      total: ['30.33', '5004'],
      want: { price_unit: '1650', discount: '110', tax: '661', shipping: '825', total: '5004' },
    },
    {
      code: 'KWD',
      price: ['10.00', '3.385'],
      tax: ['6.00', '2.031'],
      discount: ['1.00', '0.338'],
      shipping: ['5.00', '1.692'],
      total: ['30.33', '10.265'],
      want: { price_unit: '3.385', discount: '0.225', tax: '1.354', shipping: '1.692', total: '10.265' },
    },
  ];
  for (const c of cases)
    it(`lays the order's ${c.code} amounts over its EUR ones, exact in ${c.code}'s minor units`, () => {
      const b = bag(c.code);
      const { document } = normaliseOrder(
        order({
          presentmentCurrencyCode: c.code,
          currentSubtotalPriceSet: b('0', '0'),
          currentTotalTaxSet: b('0', '0'),
          currentTotalDiscountsSet: b('0', '0'),
          currentTotalPriceSet: b(...c.total),
          shippingLines: {
            nodes: [
              {
                title: 'Std',
                code: null,
                isRemoved: false,
                originalPriceSet: b(...c.shipping),
                discountedPriceSet: b(...c.shipping),
                discountAllocations: [],
                taxLines: [],
              },
            ],
            pageInfo: { hasNextPage: false, endCursor: null },
          },
          lineItems: {
            nodes: [
              line({
                quantity: 3,
                currentQuantity: 2,
                originalUnitPriceSet: b(...c.price),
                taxLines: [{ title: 'VAT', rate: 0.2, ratePercentage: 20, priceSet: b(...c.tax) }],
                discountAllocations: [{ allocatedAmountSet: b(...c.discount) }],
              }),
            ],
            pageInfo: { hasNextPage: false, endCursor: null },
          },
        }),
      );
      // The shop amounts are those of the shop currency, as for any order.
      assert.deepEqual([document.currency, document.lines[0]!.price_unit, document.lines[0]!.discount], ['EUR', '10.00', '0.67']);
      const zero = formatMinor(0n, minorUnits(c.code));
      assert.deepEqual(document.presentment, {
        currency: c.code,
        lines: [{ price_unit: c.want.price_unit, discount: c.want.discount, tax_lines: [{ amount: c.want.tax }] }],
        shipping_lines: [{ price: c.want.shipping, discount: zero, tax_lines: [] }],
        subtotal_price: zero,
        total_tax: zero,
        total_discounts: zero,
        total_price: c.want.total,
      });
      validator.validate('apply_order', 'params', document);
    });

  it('leaves an order paid in the shop currency without presentment amounts (its document and content hash unchanged)', () => {
    const { document } = normaliseOrder(order());
    assert.equal('presentment' in document, false);
  });

  it('refuses a MoneyBag without the presentment amount, naming the field', () => {
    const o = order({
      presentmentCurrencyCode: 'USD',
      currentTotalPriceSet: { shopMoney: { amount: '1.00', currencyCode: 'EUR' } },
    });
    assert.throws(
      () => normaliseOrder(o),
      (e: Error) => e.name === 'PermanentError' && /total price: Shopify sent no presentmentMoney/.test(e.message),
    );
  });
});

describe('orders normalise: duties', () => {
  const duty = (id: number, price: ShopMoneyFieldsFragment, tax?: ShopMoneyFieldsFragment) => ({
    id: `gid://shopify/Duty/${id}`,
    harmonizedSystemCode: '691200',
    countryCodeOfOrigin: 'CN' as const,
    price,
    taxLines: tax ? [{ title: 'Import VAT', rate: 0.2, ratePercentage: 20, priceSet: tax }] : [],
  });
  const cases: Array<{ name: string; lines: OrderLineFieldsFragment[]; want: unknown }> = [
    {
      name: 'no duty: no duties key (documents and content hashes of other orders unchanged)',
      lines: [line()],
      want: undefined,
    },
    {
      name: 'a duty with its tax line, on its line item, at the price charged',
      lines: [line({ duties: [duty(5, m('3.00'), m('0.60'))] })],
      want: [
        {
          duty_gid: 'gid://shopify/Duty/5',
          line_gid: 'gid://shopify/LineItem/11',
          price: '3.00',
          tax_lines: [{ title: 'Import VAT', rate: '0.2', amount: '0.60' }],
          harmonized_system_code: '691200',
          country_code_of_origin: 'CN',
        },
      ],
    },
    {
      name: 'duties of two lines in line order; a refunded unit does not lower the duty (the refund gives it back)',
      lines: [
        line({ currentQuantity: 1, duties: [duty(5, m('3.00'))] }),
        line({ id: 'gid://shopify/LineItem/12', sku: 'CUP', duties: [duty(6, m('1.25')), duty(7, m('0.40'))] }),
      ],
      want: [
        ['gid://shopify/Duty/5', 'gid://shopify/LineItem/11', '3.00'],
        ['gid://shopify/Duty/6', 'gid://shopify/LineItem/12', '1.25'],
        ['gid://shopify/Duty/7', 'gid://shopify/LineItem/12', '0.40'],
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const { document } = normaliseOrder(order({ lineItems: { nodes: c.lines, pageInfo: { hasNextPage: false, endCursor: null } } }));
      validator.validate('apply_order', 'params', document);
      const got =
        Array.isArray(c.want) && Array.isArray(c.want[0])
          ? document.duties?.map((d) => [d.duty_gid, d.line_gid, d.price])
          : document.duties;
      assert.deepEqual(got, c.want);
      if (c.want === undefined) assert.equal('duties' in document, false);
    });

  it('lays the duties in the customer currency over the shop ones, by position', () => {
    const usd = (shop: string, paid: string): ShopMoneyFieldsFragment => ({
      shopMoney: { amount: shop, currencyCode: 'EUR' },
      presentmentMoney: { amount: paid, currencyCode: 'USD' },
    });
    const { document } = normaliseOrder(
      order({
        presentmentCurrencyCode: 'USD',
        currentSubtotalPriceSet: usd('19.00', '20.90'),
        currentTotalTaxSet: usd('5.40', '5.94'),
        currentTotalDiscountsSet: usd('0', '0'),
        currentTotalPriceSet: usd('32.40', '35.64'),
        shippingLines: { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } },
        lineItems: {
          nodes: [
            line({ originalUnitPriceSet: usd('9.50', '10.45'), taxLines: [], duties: [duty(5, usd('3.00', '3.30'), usd('0.60', '0.66'))] }),
          ],
          pageInfo: { hasNextPage: false, endCursor: null },
        },
      }),
    );
    assert.equal(document.duties?.[0]?.price, '3.00');
    assert.deepEqual(document.presentment?.duties, [{ price: '3.30', tax_lines: [{ amount: '0.66' }] }]);
    validator.validate('apply_order', 'params', document);
  });

  it("carries Shopify's current duty and fee totals only when they differ from the prices charged, and dutiesIncluded only when true", () => {
    const lineItems = { nodes: [line({ duties: [duty(5, m('3.00'))] })], pageInfo: { hasNextPage: false, endCursor: null } };
    const fees = [{ id: 'gid://shopify/AdditionalFee/31', name: 'Handling', price: m('2.50'), taxLines: [] }];
    const same = normaliseOrder(
      order({ lineItems, additionalFees: fees, currentTotalDutiesSet: m('3.00'), currentTotalAdditionalFeesSet: m('2.50') }),
    ).document;
    assert.equal('current_total_duties' in same, false);
    assert.equal('current_total_additional_fees' in same, false);
    assert.equal('duties_included' in same, false);
    // An edit took half of the duty and all of the fee off Shopify's current totals.
    const { document } = normaliseOrder(
      order({
        lineItems,
        additionalFees: fees,
        currentTotalDutiesSet: m('1.50'),
        currentTotalAdditionalFeesSet: m('0.00'),
        dutiesIncluded: true,
      }),
    );
    assert.equal(document.current_total_duties, '1.50');
    assert.equal(document.current_total_additional_fees, '0.00');
    assert.equal(document.duties_included, true);
    assert.equal(document.duties?.[0]?.price, '3.00', 'the duty keeps the price charged');
    validator.validate('apply_order', 'params', document);
  });

  it('lays the current duty total in the customer currency over the shop one only where the shop document carries it', () => {
    const usd = (shop: string, paid: string): ShopMoneyFieldsFragment => ({
      shopMoney: { amount: shop, currencyCode: 'EUR' },
      presentmentMoney: { amount: paid, currencyCode: 'USD' },
    });
    const edited = (current: ShopMoneyFieldsFragment) =>
      normaliseOrder(
        order({
          presentmentCurrencyCode: 'USD',
          currentSubtotalPriceSet: usd('19.00', '20.90'),
          currentTotalTaxSet: usd('0', '0'),
          currentTotalDiscountsSet: usd('0', '0'),
          currentTotalPriceSet: usd('20.50', '22.55'),
          currentTotalDutiesSet: current,
          shippingLines: { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } },
          lineItems: {
            nodes: [line({ originalUnitPriceSet: usd('9.50', '10.45'), taxLines: [], duties: [duty(5, usd('3.00', '3.30'))] })],
            pageInfo: { hasNextPage: false, endCursor: null },
          },
        }),
      ).document;
    const lowered = edited(usd('1.50', '1.65'));
    assert.deepEqual([lowered.current_total_duties, lowered.presentment?.current_total_duties], ['1.50', '1.65']);
    validator.validate('apply_order', 'params', lowered);
    // Equal in the shop currency, a cent off in the customer's: carried on neither side.
    const same = edited(usd('3.00', '3.29'));
    assert.equal('current_total_duties' in same, false);
    assert.equal('current_total_duties' in (same.presentment ?? {}), false);
  });

  it('refuses a duty without its presentment amount, naming the line and the duty', () => {
    const o = order({
      lineItems: {
        nodes: [line({ duties: [duty(5, { shopMoney: { amount: '3.00', currencyCode: 'EUR' } } as ShopMoneyFieldsFragment)] })],
        pageInfo: { hasNextPage: false, endCursor: null },
      },
      presentmentCurrencyCode: 'USD',
    });
    assert.throws(
      () => normaliseOrder(o),
      (e: Error) => e.name === 'PermanentError' && /line 1 duty 1 price: Shopify sent no presentmentMoney/.test(e.message),
    );
  });
});

describe('orders normalise: additional fees', () => {
  const fee = (id: number, price: ShopMoneyFieldsFragment, tax?: ShopMoneyFieldsFragment) => ({
    id: `gid://shopify/AdditionalFee/${id}`,
    name: 'Import handling fee',
    price,
    taxLines: tax ? [{ title: 'VAT', rate: 0.2, ratePercentage: 20, priceSet: tax }] : [],
  });
  const cases: Array<{ name: string; fees: OrderFieldsFragment['additionalFees']; want: unknown }> = [
    {
      name: 'no fee: no additional_fees key (documents and content hashes of other orders unchanged)',
      fees: [],
      want: undefined,
    },
    {
      name: 'a fee with its tax line, at its price, named as Shopify names it',
      fees: [fee(31, m('2.50'), m('0.50'))],
      want: [
        {
          fee_gid: 'gid://shopify/AdditionalFee/31',
          name: 'Import handling fee',
          price: '2.50',
          tax_lines: [{ title: 'VAT', rate: '0.2', amount: '0.50' }],
        },
      ],
    },
    {
      name: 'two fees in Shopify order, one untaxed',
      fees: [fee(31, m('2.50')), { ...fee(32, m('0.99'), m('0.20')), name: 'Brokerage' }],
      want: [
        { fee_gid: 'gid://shopify/AdditionalFee/31', name: 'Import handling fee', price: '2.50', tax_lines: [] },
        {
          fee_gid: 'gid://shopify/AdditionalFee/32',
          name: 'Brokerage',
          price: '0.99',
          tax_lines: [{ title: 'VAT', rate: '0.2', amount: '0.20' }],
        },
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const { document } = normaliseOrder(order({ additionalFees: c.fees }));
      validator.validate('apply_order', 'params', document);
      assert.deepEqual(document.additional_fees, c.want);
      if (c.want === undefined) assert.equal('additional_fees' in document, false);
    });

  it('lays the fees in the customer currency over the shop ones, by position', () => {
    const usd = (shop: string, paid: string): ShopMoneyFieldsFragment => ({
      shopMoney: { amount: shop, currencyCode: 'EUR' },
      presentmentMoney: { amount: paid, currencyCode: 'USD' },
    });
    const { document } = normaliseOrder(
      order({
        presentmentCurrencyCode: 'USD',
        currentSubtotalPriceSet: usd('19.00', '20.90'),
        currentTotalTaxSet: usd('0.50', '0.55'),
        currentTotalDiscountsSet: usd('0', '0'),
        currentTotalPriceSet: usd('22.00', '24.20'),
        shippingLines: { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } },
        additionalFees: [fee(31, usd('2.50', '2.75'), usd('0.50', '0.55'))],
        lineItems: {
          nodes: [line({ originalUnitPriceSet: usd('9.50', '10.45'), taxLines: [] })],
          pageInfo: { hasNextPage: false, endCursor: null },
        },
      }),
    );
    assert.equal(document.additional_fees?.[0]?.price, '2.50');
    assert.deepEqual(document.presentment?.additional_fees, [{ price: '2.75', tax_lines: [{ amount: '0.55' }] }]);
    validator.validate('apply_order', 'params', document);
  });

  it('refuses a fee without its presentment amount, naming the order and the fee', () => {
    const o = order({
      presentmentCurrencyCode: 'USD',
      additionalFees: [fee(31, { shopMoney: { amount: '2.50', currencyCode: 'EUR' } } as ShopMoneyFieldsFragment)],
    });
    assert.throws(
      () => normaliseOrder(o),
      (e: Error) => e.name === 'PermanentError' && /order #1001 additional fee 1 price: Shopify sent no presentmentMoney/.test(e.message),
    );
  });
});
