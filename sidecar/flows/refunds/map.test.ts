import assert from 'node:assert/strict';
import type { CreditNoteDocument, RefundDocument, RefundStatus } from '../../odoo/contract.js';
import { PermanentError } from '../../queue/errors.js';
import { loadContractValidator } from '../../../dev/conformance/schemas.js';
import type { RefundLineItemRestockType } from '../../shopify/index.js';
import {
  editBalanceOf,
  findSentRefund,
  returnForCreditNote,
  returnTransactions,
  givesBeyondGoods,
  planCreditNoteRefund,
  refundDocument,
  refundsToApply,
  refundTransactions,
  withEditBalance,
  type ShopifyOrderEditBalance,
  type ShopifyOrderRefundable,
  type ShopifyOrderRefunds,
  type ShopifyRefund,
} from './map.js';

const validator = loadContractValidator();
const ORDER = 'gid://shopify/Order/1';
const L1 = 'gid://shopify/LineItem/11';
const L2 = 'gid://shopify/LineItem/12';
const LOC_A = 'gid://shopify/Location/101';
const LOC_B = 'gid://shopify/Location/102';
const m = (amount: string) => ({
  shopMoney: { amount, currencyCode: 'EUR' as const },
  presentmentMoney: { amount, currencyCode: 'EUR' as const },
});

type Line = [line: string, quantity: number, restock: RefundLineItemRestockType, subtotal: string, tax: string, location?: string];

function refund(spec: {
  lines?: Line[];
  shipping?: Array<[string, string]>;
  adjustments?: Array<[string, string]>;
  /** [duty id, amount given back, the duty's price, its tax] */
  duties?: Array<[number, string, string, string]>;
  returnGid?: string;
  hasNextPage?: boolean;
}): ShopifyRefund {
  return {
    id: 'gid://shopify/Refund/900',
    createdAt: '2026-11-03T10:00:00Z',
    note: 'damaged',
    order: { id: ORDER, taxesIncluded: false },
    return: spec.returnGid ? { id: spec.returnGid } : null,
    totalRefundedSet: m('0.00'),
    refundLineItems: {
      nodes: (spec.lines ?? []).map(([id, quantity, restockType, subtotal, tax, location]) => ({
        quantity,
        restockType,
        location: location ? { id: location } : null,
        lineItem: { id, sku: id === L1 ? 'MUG' : '' },
        subtotalSet: m(subtotal),
        totalTaxSet: m(tax),
      })),
      pageInfo: { hasNextPage: spec.hasNextPage ?? false },
    },
    refundShippingLines: { nodes: (spec.shipping ?? []).map(([a, t]) => ({ subtotalAmountSet: m(a), taxAmountSet: m(t) })) },
    duties: (spec.duties ?? []).map(([id, amount, price, tax]) => ({
      amountSet: m(amount),
      originalDuty: { id: `gid://shopify/Duty/${id}`, price: m(price), taxLines: tax === '0' ? [] : [{ priceSet: m(tax) }] },
    })),
    orderAdjustments: {
      nodes: (spec.adjustments ?? []).map(([a, t]) => ({ amountSet: m(a), taxAmountSet: m(t), reason: 'REFUND_DISCREPANCY' as const })),
    },
  };
}

/** The parts of a document a case checks. */
const summary = (d: RefundDocument) => ({
  lines: d.lines.map((l) => [l.line_gid, l.quantity, l.restock_type, l.subtotal, l.total_tax, l.location_gid]),
  shipping: [d.shipping?.amount, d.shipping?.tax],
  adjustments: (d.adjustments ?? []).map((a) => [a.amount, a.reason]),
  ...(d.duties ? { duties: d.duties.map((x) => [x.duty_gid, x.amount, x.tax]) } : {}),
  total: d.total,
});

describe('refunds map: a Shopify refund as the contract RefundDocument', () => {
  const cases: Array<{ name: string; refund: ShopifyRefund; taxesIncluded?: boolean; want: ReturnType<typeof summary> }> = [
    {
      name: 'partial: one of two delivered units, kept by the customer (no restock)',
      refund: refund({ lines: [[L1, 1, 'NO_RESTOCK', '10.00', '2.00']] }),
      want: { lines: [[L1, 1, 'no_restock', '10.00', '2.00', null]], shipping: ['0.00', '0.00'], adjustments: [], total: '12.00' },
    },
    {
      name: 'shipping only',
      refund: refund({ shipping: [['5.00', '1.00']] }),
      want: { lines: [], shipping: ['5.00', '1.00'], adjustments: [], total: '6.00' },
    },
    {
      name: 'adjustment only: money with no goods is a positive adjustment (Shopify: calculated 0 − refunded 7.50)',
      refund: refund({ adjustments: [['-7.50', '0.00']] }),
      want: { lines: [], shipping: ['0.00', '0.00'], adjustments: [['7.50', 'refund_discrepancy']], total: '7.50' },
    },
    {
      name: 'less money than the goods: the shortfall is a negative adjustment',
      refund: refund({ lines: [[L1, 1, 'CANCEL', '10.00', '2.00']], adjustments: [['2.00', '0.00']] }),
      want: {
        lines: [[L1, 1, 'cancel', '10.00', '2.00', null]],
        shipping: ['0.00', '0.00'],
        adjustments: [['-2.00', 'refund_discrepancy']],
        total: '10.00',
      },
    },
    {
      name: 'lines of two fulfillments restocked into two locations, with shipping',
      refund: refund({
        lines: [
          [L1, 1, 'RETURN', '10.00', '2.00', LOC_A],
          [L2, 2, 'RETURN', '7.00', '1.40', LOC_B],
        ],
        shipping: [['5.00', '1.00']],
      }),
      want: {
        lines: [
          [L1, 1, 'return', '10.00', '2.00', LOC_A],
          [L2, 2, 'return', '7.00', '1.40', LOC_B],
        ],
        shipping: ['5.00', '1.00'],
        adjustments: [],
        total: '26.40',
      },
    },
    {
      name: 'every restock type kept as Shopify said it (units not fulfilled are cancelled, legacy restocks stay legacy)',
      refund: refund({
        lines: [
          [L1, 1, 'CANCEL', '10.00', '0.00'],
          [L1, 1, 'LEGACY_RESTOCK', '10.00', '0.00'],
          [L2, 1, 'NO_RESTOCK', '3.33', '0.00'],
        ],
      }),
      want: {
        lines: [
          [L1, 1, 'cancel', '10.00', '0.00', null],
          [L1, 1, 'legacy_restock', '10.00', '0.00', null],
          [L2, 1, 'no_restock', '3.33', '0.00', null],
        ],
        shipping: ['0.00', '0.00'],
        adjustments: [],
        total: '23.33',
      },
    },
    {
      name: 'prices include tax: the tax is inside the subtotals, not added again',
      refund: refund({ lines: [[L1, 1, 'NO_RESTOCK', '12.00', '2.00']], shipping: [['6.00', '1.00']] }),
      taxesIncluded: true,
      want: { lines: [[L1, 1, 'no_restock', '12.00', '2.00', null]], shipping: ['6.00', '1.00'], adjustments: [], total: '18.00' },
    },
    {
      name: 'cents add exactly (0.10 + 0.20 is 0.30, not 0.30000000000000004)',
      refund: refund({ lines: [[L1, 1, 'NO_RESTOCK', '0.10', '0.00']], shipping: [['0.20', '0.00']] }),
      want: { lines: [[L1, 1, 'no_restock', '0.10', '0.00', null]], shipping: ['0.20', '0.00'], adjustments: [], total: '0.30' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(summary(refundDocument(c.refund, c.taxesIncluded ?? false)), c.want);
    });
  }

  const D5 = 'gid://shopify/Duty/5';
  const dutyCases: Array<{ name: string; refund: ShopifyRefund; taxesIncluded?: boolean; want: ReturnType<typeof summary> }> = [
    {
      name: 'a unit and its share of the duty (proportional), with the same share of the duty tax',
      refund: refund({ lines: [[L1, 1, 'CANCEL', '10.00', '2.00']], duties: [[5, '1.50', '3.00', '0.60']] }),
      want: {
        lines: [[L1, 1, 'cancel', '10.00', '2.00', null]],
        shipping: ['0.00', '0.00'],
        adjustments: [],
        duties: [[D5, '1.50', '0.30']],
        total: '13.80',
      },
    },
    {
      name: 'a duty alone, in full, untaxed',
      refund: refund({ duties: [[5, '3.00', '3.00', '0']] }),
      want: { lines: [], shipping: ['0.00', '0.00'], adjustments: [], duties: [[D5, '3.00', '0.00']], total: '3.00' },
    },
    {
      name: 'the duty tax share rounds half away from zero at the cent (0.63 × 1.50 / 3.00 = 0.315)',
      refund: refund({ duties: [[5, '1.50', '3.00', '0.63']] }),
      want: { lines: [], shipping: ['0.00', '0.00'], adjustments: [], duties: [[D5, '1.50', '0.32']], total: '1.82' },
    },
    {
      name: 'prices include tax: the duty tax is inside, the total does not add it',
      refund: refund({ duties: [[5, '1.50', '3.00', '0.50']] }),
      taxesIncluded: true,
      want: { lines: [], shipping: ['0.00', '0.00'], adjustments: [], duties: [[D5, '1.50', '0.25']], total: '1.50' },
    },
  ];
  for (const c of dutyCases) {
    it(`duties: ${c.name}`, () => {
      const document = refundDocument(c.refund, c.taxesIncluded ?? false);
      assert.deepEqual(summary(document), c.want);
      validator.validate('apply_refund', 'params', document);
    });
  }

  it('duties: refuses a refunded duty Shopify names no duty for', () => {
    const r = refund({ duties: [[5, '1.50', '3.00', '0']] });
    r.duties = [{ amountSet: m('1.50'), originalDuty: null }];
    assert.throws(
      () => refundDocument(r, false),
      (e: Error) => e.name === 'PermanentError' && /refund gid:\/\/shopify\/Refund\/900 duty 1: Shopify names no duty/.test(e.message),
    );
  });

  it('keeps the refund, order, note, date and the return it closes; an empty SKU is none', () => {
    const d = refundDocument(refund({ lines: [[L2, 1, 'RETURN', '1.00', '0.00']], returnGid: 'gid://shopify/Return/5' }), false);
    assert.deepEqual(
      [d.refund_gid, d.order_gid, d.note, d.created_at, d.return_gid, d.lines[0]!.sku],
      ['gid://shopify/Refund/900', ORDER, 'damaged', '2026-11-03T10:00:00Z', 'gid://shopify/Return/5', null],
    );
  });

  it('refuses a refund with more lines than one page, naming it', () => {
    assert.throws(() => refundDocument(refund({ hasNextPage: true }), false), {
      name: PermanentError.name,
      message: /refund gid:\/\/shopify\/Refund\/900: more than 50 refunded lines/,
    });
  });

  it('refuses an amount with a third decimal, naming the line and field', () => {
    assert.throws(
      () => refundDocument(refund({ lines: [[L1, 1, 'NO_RESTOCK', '10.005', '0.00']] }), false),
      /refund gid:\/\/shopify\/Refund\/900 line 1 subtotal/,
    );
  });
});

describe('refunds map: a refund of an order paid in another currency', () => {
  /** The refund with every MoneyBag's presentment amount in JPY at 150 yen a euro. */
  const inYen = (r: ShopifyRefund): ShopifyRefund =>
    JSON.parse(JSON.stringify(r), (key, value: unknown) =>
      key === 'presentmentMoney' && value && typeof value === 'object'
        ? { amount: String(Math.round(Number((value as { amount: string }).amount) * 150)), currencyCode: 'JPY' }
        : value,
    ) as ShopifyRefund;

  it('carries its amounts in the customer’s currency too, exact in its minor units, the shop ones unchanged', () => {
    const shop = refund({ lines: [[L1, 1, 'CANCEL', '10.00', '2.00']], shipping: [['5.00', '1.00']], adjustments: [['-0.50', '0.00']] });
    const document = refundDocument(inYen(shop), false);
    assert.deepEqual(summary(document), summary(refundDocument(shop, false)));
    assert.deepEqual(document.presentment, {
      currency: 'JPY',
      lines: [{ subtotal: '1500', total_tax: '300' }],
      shipping: { amount: '750', tax: '150' },
      adjustments: [{ amount: '75' }],
      total: '2775',
    });
  });
  it('has none for a refund in the shop currency (its document unchanged)', () => {
    assert.equal('presentment' in refundDocument(refund({ lines: [[L1, 1, 'CANCEL', '10.00', '2.00']] }), false), false);
  });
  it('carries the edit balance in the customer’s currency beside the shop one', () => {
    const shop = refund({ adjustments: [['-7.50', '0.00']] });
    const document = withEditBalance(refundDocument(inYen(shop), false), 750n, 'EUR', 1125n);
    assert.deepEqual([document.edit_balance, document.presentment?.edit_balance], ['7.50', '1125']);
  });
});

describe('refunds map: the refunds Odoo still has to apply', () => {
  const status = (gid: string, state: RefundStatus['state'], found = true): RefundStatus => ({
    refund_gid: gid,
    found,
    sale_order_id: found ? 1 : null,
    state,
    amount_total: null,
    credit_note_id: null,
    credit_note_name: null,
    credit_note_state: null,
    credit_note_amount: null,
  });
  const refunds = ['gid://shopify/Refund/1', 'gid://shopify/Refund/2', 'gid://shopify/Refund/3'].map((id) => ({
    id,
    createdAt: null,
    note: null,
    totalRefundedSet: m('1.00'),
  })) as ShopifyOrderRefunds['refunds'];

  it('applies the unknown and the pending ones, in Shopify order, and skips the applied ones', () => {
    assert.deepEqual(
      refundsToApply(refunds, [
        status('gid://shopify/Refund/1', 'applied'),
        status('gid://shopify/Refund/2', 'pending'),
        status('gid://shopify/Refund/3', null, false),
      ]),
      ['gid://shopify/Refund/2', 'gid://shopify/Refund/3'],
    );
  });
  it('has nothing to do when Odoo applied them all', () => {
    assert.deepEqual(
      refundsToApply(
        refunds,
        refunds.map((r) => status(r.id, 'applied')),
      ),
      [],
    );
  });
});

describe('refunds map: an Odoo credit note as a Shopify refund', () => {
  const creditNote = (
    lines: Array<[string | null, 'product' | 'other' | 'duty', number, number, string]>,
    total: string,
  ): CreditNoteDocument => ({
    move_id: 77,
    name: 'RINV/2026/00001',
    state: 'posted',
    order_gid: ORDER,
    sale_order_id: 1,
    refund_gid: null,
    amount_total: total,
    taxes_included: false,
    lines: lines.map(([line_gid, role, quantity, open_quantity, price_total]) => ({
      // A duty line names its duty in the first place (line_gid is the product line's only).
      line_gid: role === 'duty' ? null : line_gid,
      ...(role === 'duty' ? { duty_gid: line_gid } : {}),
      sku: role === 'duty' ? 'SHOPIFY-DUTIES' : 'MUG',
      role,
      quantity,
      open_quantity,
      price_subtotal: price_total,
      price_total,
    })),
  });
  const order = (
    spec: {
      refundable?: string;
      lines?: Array<[string, number, number]>;
      payments?: string[];
      presentment?: 'EUR' | 'USD';
      /** [duty GID, price, already given back] on the first line, ordered 2 units. */
      duty?: [string, string, string];
    } = {},
  ): ShopifyOrderRefundable => ({
    id: ORDER,
    name: '#1001',
    currencyCode: 'EUR',
    presentmentCurrencyCode: spec.presentment ?? 'EUR',
    lineItems: {
      nodes: (spec.lines ?? [[L1, 2, 1]]).map(([id, refundableQuantity, unfulfilledQuantity], i) => ({
        id,
        sku: 'MUG',
        refundableQuantity,
        unfulfilledQuantity,
        quantity: 2,
        duties: spec.duty && i === 0 ? [{ id: spec.duty[0], price: m(spec.duty[1]) }] : [],
      })),
      pageInfo: { hasNextPage: false },
    },
    refunds: spec.duty ? [{ duties: [{ amountSet: m(spec.duty[2]), originalDuty: { id: spec.duty[0] } }] }] : [],
    transactions: (spec.payments ?? ['30.00']).map((amount, i) => ({
      id: `gid://shopify/OrderTransaction/${i + 1}`,
      kind: 'SALE' as const,
      status: 'SUCCESS' as const,
      gateway: 'bogus',
      amountSet: m(amount),
    })),
    suggestedRefund: { maximumRefundableSet: m(spec.refundable ?? '30.00') },
  });

  it('cancels units Shopify has not fulfilled and refunds delivered ones without restock, only as far as Odoo took them off', () => {
    const plan = planCreditNoteRefund(creditNote([[L1, 'product', 2, 2, '24.00']], '24.00'), order({ lines: [[L1, 2, 1]] }));
    assert.deepEqual(plan.lines, [
      { lineItemId: L1, quantity: 1, restockType: 'CANCEL' },
      { lineItemId: L1, quantity: 1, restockType: 'NO_RESTOCK' },
    ]);
    assert.equal(plan.amount, 2400n);
  });
  it('refunds units the customer keeps (not open in Odoo) and other lines as money only', () => {
    const plan = planCreditNoteRefund(
      creditNote(
        [
          [L1, 'product', 1, 0, '12.00'],
          [null, 'other', 1, 0, '3.00'],
        ],
        '15.00',
      ),
      order(),
    );
    assert.deepEqual([plan.lines, plan.amount], [[], 1500n]);
  });
  const D = 'gid://shopify/Duty/5';
  const dutyCases: Array<{ name: string; cn: CreditNoteDocument; order: ShopifyOrderRefundable; want: unknown }> = [
    {
      name: 'the whole duty left: FULL',
      cn: creditNote([[D, 'duty', 1, 0, '3.00']], '3.00'),
      order: order({ duty: [D, '3.00', '0.00'] }),
      want: [{ dutyId: D, refundType: 'FULL' }],
    },
    {
      name: 'what is left after an earlier refund gave half back: FULL',
      cn: creditNote([[D, 'duty', 0.5, 0, '1.50']], '1.50'),
      order: order({ duty: [D, '3.00', '1.50'] }),
      want: [{ dutyId: D, refundType: 'FULL' }],
    },
    {
      name: "a unit taken off the order with the duty's share for it: PROPORTIONAL",
      cn: creditNote(
        [
          [L1, 'product', 1, 1, '12.00'],
          [D, 'duty', 0.5, 0, '1.50'],
        ],
        '13.50',
      ),
      order: order({ duty: [D, '3.00', '0.00'] }),
      want: [{ dutyId: D, refundType: 'PROPORTIONAL' }],
    },
    {
      name: 'no duty line: no refundDuties',
      cn: creditNote([[L1, 'product', 1, 1, '12.00']], '12.00'),
      order: order({ duty: [D, '3.00', '0.00'] }),
      want: [],
    },
  ];
  for (const c of dutyCases)
    it(`duties: ${c.name}`, () => {
      assert.deepEqual(planCreditNoteRefund(c.cn, c.order).duties, c.want);
    });
  it('duties: refuses an amount Shopify cannot give back, naming the duty, both amounts and the fix', () => {
    assert.throws(
      () => planCreditNoteRefund(creditNote([[D, 'duty', 1, 0, '1.00']], '1.00'), order({ duty: [D, '3.00', '0.00'] })),
      (e: Error) =>
        e instanceof PermanentError &&
        e.message ===
          `credit note RINV/2026/00001 line 1: credits 1.00 of duty ${D} (MUG), but Shopify refunds a duty in full (3.00 left) ` +
            'or in proportion to its units (nothing: it refunds none of its units); credit one of these amounts, or refund the duty in Shopify',
    );
    assert.throws(
      () =>
        planCreditNoteRefund(
          creditNote(
            [
              [L1, 'product', 1, 1, '12.00'],
              [D, 'duty', 1, 0, '2.00'],
            ],
            '14.00',
          ),
          order({ duty: [D, '3.00', '0.00'] }),
        ),
      /credits 2\.00 of duty .* \(3\.00 left\) or in proportion to its units \(1\.50 for the 1 of 2 units it refunds\)/,
    );
    assert.throws(
      () => planCreditNoteRefund(creditNote([[D, 'duty', 1, 0, '3.00']], '3.00'), order()),
      /line 1: duty gid:\/\/shopify\/Duty\/5 is not on order #1001 in Shopify/,
    );
    const unnamed = creditNote([[D, 'duty', 1, 0, '3.00']], '3.00');
    delete unnamed.lines[0]!.duty_gid;
    assert.throws(() => planCreditNoteRefund(unnamed, order()), /a duties line that names no Shopify duty/);
  });
  it('refuses a fractional quantity and units Shopify cannot refund, naming the line', () => {
    assert.throws(
      () => planCreditNoteRefund(creditNote([[L1, 'product', 1.5, 1.5, '18.00']], '18.00'), order()),
      /RINV\/2026\/00001 line 1: quantity 1.5/,
    );
    assert.throws(
      () => planCreditNoteRefund(creditNote([[L1, 'product', 2, 2, '24.00']], '24.00'), order({ lines: [[L1, 1, 0]] })),
      /only 1 refundable/,
    );
  });
  it('refuses a credit note of an order paid in another currency than the shop’s unless Odoo booked the order and the note in it', () => {
    assert.throws(
      () => planCreditNoteRefund(creditNote([], '1.00'), order({ presentment: 'USD' })),
      /paid in USD, not the shop currency EUR/,
    );
    // Booked in shop money, or converted into another currency: still refused.
    for (const [money, currency] of [
      ['shop', 'USD'],
      ['presentment', 'EUR'],
    ] as const)
      assert.throws(
        () => planCreditNoteRefund({ ...creditNote([], '1.00'), money, currency }, order({ presentment: 'USD' })),
        /paid in USD, not the shop currency EUR/,
        `${money} ${currency}`,
      );
  });
  /** The order paid in USD, its MoneyBags at 1 EUR = 1.25 USD. */
  const paidInUsd = (spec: { refundable: [string, string]; payments: Array<[string, string]> }): ShopifyOrderRefundable => ({
    ...order({ presentment: 'USD' }),
    transactions: spec.payments.map(([eur, usd], i) => ({
      id: `gid://shopify/OrderTransaction/${i + 1}`,
      kind: 'SALE' as const,
      status: 'SUCCESS' as const,
      gateway: 'bogus',
      amountSet: { shopMoney: { amount: eur, currencyCode: 'EUR' }, presentmentMoney: { amount: usd, currencyCode: 'USD' } },
    })),
    suggestedRefund: {
      maximumRefundableSet: {
        shopMoney: { amount: spec.refundable[0], currencyCode: 'EUR' },
        presentmentMoney: { amount: spec.refundable[1], currencyCode: 'USD' },
      },
    },
  });
  it('refunds a credit note of an order booked in the customer’s currency in that currency: the plan, the transactions and the cap', () => {
    const cn = { ...creditNote([[L1, 'product', 1, 1, '15.00']], '15.00'), money: 'presentment' as const, currency: 'USD' };
    const o = paidInUsd({
      refundable: ['24.00', '30.00'],
      payments: [
        ['16.00', '20.00'],
        ['8.00', '10.00'],
      ],
    });
    const plan = planCreditNoteRefund(cn, o);
    assert.deepEqual([plan.amount, plan.currency, plan.lines], [1500n, 'USD', [{ lineItemId: L1, quantity: 1, restockType: 'CANCEL' }]]);
    assert.deepEqual(
      refundTransactions(cn, o, plan.amount, plan.currency).map((t) => [t.parentId, t.amount]),
      [['gid://shopify/OrderTransaction/1', '15.00']],
    );
    const two = refundTransactions({ ...cn, amount_total: '25.00' }, o, 2500n, 'USD');
    assert.deepEqual(
      two.map((t) => t.amount),
      ['20.00', '5.00'],
    );
    assert.throws(() => refundTransactions({ ...cn, amount_total: '31.00' }, o, 3100n, 'USD'), {
      message: 'credit note RINV/2026/00001: 31.00 is more than Shopify can refund on order #1001 (30.00 refundable)',
    });
  });
  it('refunds to the payments oldest first, never more than each', () => {
    const t = refundTransactions(creditNote([], '25.00'), order({ payments: ['20.00', '10.00'] }), 2500n);
    assert.deepEqual(
      t.map((x) => [x.parentId, x.amount, x.gateway, x.kind]),
      [
        ['gid://shopify/OrderTransaction/1', '20.00', 'bogus', 'REFUND'],
        ['gid://shopify/OrderTransaction/2', '5.00', 'bogus', 'REFUND'],
      ],
    );
  });
  it('refuses more than Shopify can refund, naming both amounts', () => {
    assert.throws(() => refundTransactions(creditNote([], '31.00'), order({ refundable: '30.00' }), 3100n), {
      message: 'credit note RINV/2026/00001: 31.00 is more than Shopify can refund on order #1001 (30.00 refundable)',
    });
  });
  it('finds the refund an unanswered refundCreate made by its note and amount, among refunds not known before', () => {
    const refunds = [
      { id: 'gid://shopify/Refund/1', createdAt: null, note: 'Odoo credit note X', totalRefundedSet: m('5.00') },
      { id: 'gid://shopify/Refund/2', createdAt: null, note: 'Odoo credit note X', totalRefundedSet: m('5.00') },
    ] as ShopifyOrderRefunds['refunds'];
    const sent = { note: 'Odoo credit note X', amount: '5.00' };
    assert.equal(findSentRefund(sent, refunds, new Set(['gid://shopify/Refund/1']))?.id, 'gid://shopify/Refund/2');
    assert.equal(findSentRefund(sent, refunds, new Set(refunds.map((r) => r.id))), undefined);
    assert.equal(findSentRefund({ ...sent, amount: '5.01' }, refunds, new Set()), undefined);
    // Sent in the customer's currency: compared with the refund's amount in it.
    const paid = [
      {
        id: 'gid://shopify/Refund/3',
        createdAt: null,
        note: 'Odoo credit note X',
        totalRefundedSet: { shopMoney: { amount: '4.00', currencyCode: 'EUR' }, presentmentMoney: { amount: '5.00', currencyCode: 'USD' } },
      },
    ] as ShopifyOrderRefunds['refunds'];
    assert.equal(findSentRefund({ ...sent, currency: 'USD' }, paid, new Set())?.id, 'gid://shopify/Refund/3');
    assert.equal(findSentRefund(sent, paid, new Set()), undefined);
  });
  it('finds the refund an unanswered returnProcess made on its return (whatever its note), among refunds not known before', () => {
    const R = 'gid://shopify/Return/9';
    const refunds = [
      { id: 'gid://shopify/Refund/1', createdAt: null, note: null, return: { id: R }, totalRefundedSet: m('5.00') },
      { id: 'gid://shopify/Refund/2', createdAt: null, note: 'Odoo credit note X', return: null, totalRefundedSet: m('5.00') },
      { id: 'gid://shopify/Refund/3', createdAt: null, note: null, return: { id: R }, totalRefundedSet: m('5.00') },
    ] as ShopifyOrderRefunds['refunds'];
    const sent = { note: 'Odoo credit note X', amount: '5.00', returnGid: R, pickingId: 4 };
    assert.equal(findSentRefund(sent, refunds, new Set(['gid://shopify/Refund/1']))?.id, 'gid://shopify/Refund/3');
    assert.equal(findSentRefund({ ...sent, amount: '4.00' }, refunds, new Set(['gid://shopify/Refund/1'])), undefined);
  });

  describe('the credit note of a return waiting for it (returnForCreditNote)', () => {
    const waiting: Array<{ name: string; units: Record<string, number> }> = [
      { name: 'R1 (oldest)', units: { [L1]: 1 } },
      { name: 'R2', units: { [L1]: 2, [L2]: 1 } },
    ];
    const cases: Array<[string, CreditNoteDocument, string | undefined]> = [
      ['credits exactly the oldest return', creditNote([[L1, 'product', 1, 1, '12.50']], '12.50'), 'R1 (oldest)'],
      [
        'credits exactly a later one, over two lines, with shipping as money',
        creditNote(
          [
            [L1, 'product', 2, 2, '25.00'],
            [L2, 'product', 1, 1, '10.00'],
            [null, 'other', 1, 0, '5.00'],
          ],
          '40.00',
        ),
        'R2',
      ],
      ['credits fewer units than any return', creditNote([[L2, 'product', 0, 0, '0.00']], '0.00'), undefined],
      ['credits more units than the return', creditNote([[L1, 'product', 3, 3, '37.50']], '37.50'), undefined],
      ['credits a line no return has', creditNote([[L2, 'product', 1, 1, '10.00']], '10.00'), undefined],
      ['money alone', creditNote([[null, 'other', 1, 0, '5.00']], '5.00'), undefined],
      [
        'the units and a duty (given back by refundCreate)',
        creditNote(
          [
            [L1, 'product', 1, 1, '12.50'],
            ['gid://shopify/Duty/1', 'duty', 1, 0, '1.00'],
          ],
          '13.50',
        ),
        undefined,
      ],
      ['a fraction of a unit', creditNote([[L1, 'product', 0.5, 1, '6.25']], '6.25'), undefined],
    ];
    for (const [name, cn, want] of cases) it(name, () => assert.equal(returnForCreditNote(cn, waiting)?.name, want));
    it('matches nothing without waiting returns', () =>
      assert.equal(returnForCreditNote(creditNote([[L1, 'product', 1, 1, '12.50']], '12.50'), []), undefined));
    it("gives refundCreate's transactions to returnProcess as orderTransactions", () =>
      assert.deepEqual(returnTransactions([{ parentId: 'gid://shopify/OrderTransaction/1', amount: '12.50' }], 'EUR'), [
        { parentId: 'gid://shopify/OrderTransaction/1', transactionAmount: { amount: '12.50', currencyCode: 'EUR' } },
      ]));
  });
});

describe('refunds map: the part of a refund that repays an order edit', () => {
  /** Refunds as [createdAt, money refunded, Shopify's adjustment amount (calculated − refunded)]. */
  function balanceOrder(received: string, current: string, refunds: Array<[string, string, string?]>): ShopifyOrderEditBalance {
    return {
      id: ORDER,
      totalReceivedSet: m(received),
      currentTotalPriceSet: m(current),
      refunds: refunds.map(([createdAt, given, adjustment], i) => ({
        id: `gid://shopify/Refund/${i + 1}`,
        createdAt,
        totalRefundedSet: m(given),
        orderAdjustments: { nodes: adjustment ? [{ amountSet: m(adjustment), taxAmountSet: m('0.00') }] : [] },
      })),
    };
  }
  const R1 = 'gid://shopify/Refund/1';
  const R2 = 'gid://shopify/Refund/2';
  const table: Array<[name: string, order: ShopifyOrderEditBalance, refund: string, expected: bigint]> = [
    // 36.00 paid; an edit took a 15.00 mug off (current 21.00); a money-only refund of 15.00.
    ['an edit repaid by a money-only refund', balanceOrder('36.00', '21.00', [['2026-11-03T10:00:00Z', '15.00', '-15.00']]), R1, 1500n],
    // Nothing edited: a 2.00 goodwill refund is an adjustment, nothing repays an edit.
    ['a goodwill refund', balanceOrder('36.00', '36.00', [['2026-11-03T10:00:00Z', '2.00', '-2.00']]), R1, 0n],
    // The edit's 15.00 and 2.00 more: only 15.00 repays the edit.
    ['a refund beyond the edit', balanceOrder('36.00', '21.00', [['2026-11-03T10:00:00Z', '17.00', '-17.00']]), R1, 1500n],
    // A later refund of a line (goods 12.00, no adjustment) lowered the current total: it is added back.
    [
      'a later line refund does not make a goodwill refund an edit',
      balanceOrder('36.00', '24.00', [
        ['2026-11-03T10:00:00Z', '2.00', '-2.00'],
        ['2026-11-04T10:00:00Z', '12.00'],
      ]),
      R1,
      0n,
    ],
    // The edit was repaid by an earlier refund already: a second money-only refund repays nothing.
    [
      'an edit repaid once',
      balanceOrder('36.00', '21.00', [
        ['2026-11-03T10:00:00Z', '15.00', '-15.00'],
        ['2026-11-04T10:00:00Z', '3.00', '-3.00'],
      ]),
      R2,
      0n,
    ],
    // An unpaid order owes nothing back.
    ['an unpaid order', balanceOrder('0.00', '21.00', [['2026-11-03T10:00:00Z', '0.00', '-0.00']]), R1, 0n],
    ['a refund not on the order', balanceOrder('36.00', '21.00', []), R1, 0n],
  ];
  for (const [name, order, gid, expected] of table) it(name, () => assert.equal(editBalanceOf(gid, order), expected));

  it('adds edit_balance only when there is one, and only a refund with money beyond its goods asks', () => {
    const doc = refundDocument(refund({ adjustments: [['-15.00', '0.00']] }), false);
    assert.equal(givesBeyondGoods(doc), true);
    assert.equal(withEditBalance(doc, 1500n, 'EUR').edit_balance, '15.00');
    assert.equal(withEditBalance(doc, 1500n, 'KWD').edit_balance, '1.500');
    assert.equal(withEditBalance(doc, 1500n, 'JPY').edit_balance, '1500');
    assert.equal(withEditBalance(doc, 0n, 'EUR').edit_balance, undefined);
    assert.equal(givesBeyondGoods(refundDocument(refund({ lines: [[L1, 1, 'CANCEL', '12.50', '2.50']] }), false)), false);
  });
});
