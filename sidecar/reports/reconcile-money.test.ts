import assert from 'node:assert/strict';
import type { RefundStatus } from '../odoo/contract.js';
import type { MoneyOrder } from '../flows/payments/map.js';
import { compareRefunds, renderMoneyMarkdown } from './reconcile-money.js';

const window = { from: new Date('2026-11-26T12:00:00Z'), to: new Date('2026-11-27T12:00:00Z') };
const refund = (id: number, createdAt: string | null, amount = '10.00') => ({
  id: `gid://shopify/Refund/${id}`,
  createdAt,
  totalRefundedSet: { shopMoney: { amount, currencyCode: 'EUR' as const }, presentmentMoney: { amount, currencyCode: 'EUR' as const } },
});
const status = (id: number, state: RefundStatus['state']): RefundStatus => ({
  refund_gid: `gid://shopify/Refund/${id}`,
  found: state !== null,
  sale_order_id: state === null ? null : 1,
  state,
  amount_total: state === null ? null : '10.00',
  credit_note_id: null,
  credit_note_name: null,
  credit_note_state: null,
  credit_note_amount: null,
});

describe('reconciliation of money', () => {
  it('reports the refunds of the window Odoo has not applied: none, or only counted (pending)', () => {
    const order: MoneyOrder = {
      id: 'gid://shopify/Order/9',
      name: '#9',
      transactions: [],
      refunds: [
        refund(1, '2026-11-27T08:00:00Z'),
        refund(2, '2026-11-27T09:00:00Z'),
        refund(3, '2026-11-27T10:00:00Z', '4.50'),
        refund(4, '2026-11-27T11:00:00Z'),
        refund(5, '2026-11-20T00:00:00Z'),
        refund(6, null),
      ],
    };
    const { compared, missing } = compareRefunds(
      [order],
      [status(1, 'applied'), status(2, 'flagged'), status(3, null), status(4, 'pending')],
      window,
    );
    assert.equal(compared, 4, 'refunds before the window, or without a date, are not compared');
    assert.deepEqual(
      missing.map((m) => [m.refundGid.split('/').pop(), m.total, m.odoo]),
      [
        ['3', '4.50', null],
        ['4', '10.00', 'pending'],
      ],
    );
  });

  it('renders the money section with every difference', () => {
    const lines = renderMoneyMarkdown({
      refunds: {
        shopify: 2,
        missing: [
          { orderGid: 'gid://shopify/Order/9', name: '#9', refundGid: 'gid://shopify/Refund/3', createdAt: 'x', total: '4.50', odoo: null },
        ],
      },
      transactions: {
        shopify: 3,
        mismatched: [
          {
            orderGid: 'gid://shopify/Order/9',
            name: '#9',
            transactionGid: 'gid://shopify/OrderTransaction/7',
            kind: 'SALE',
            gateway: 'paypal',
            shopify: '30.00',
            odoo: null,
          },
        ],
      },
      repairJobs: [
        { queue: 'refunds', orderGid: 'gid://shopify/Order/9', created: true },
        { queue: 'payments', orderGid: 'gid://shopify/Order/9', created: true },
      ],
    });
    assert.deepEqual(lines, [
      '',
      '## Money',
      '',
      'Shopify refunds: 2, not applied in Odoo: 1.',
      '- refund gid://shopify/Refund/3 of #9 (gid://shopify/Order/9), 4.50: Odoo has nothing',
      '',
      'Shopify money transactions: 3, missing or different in Odoo: 1.',
      '- sale gid://shopify/OrderTransaction/7 of #9 (paypal): Shopify 30.00 ≠ Odoo —',
      '',
      'Money repair jobs: 2.',
    ]);
  });

  it('says the transactions were not compared while Odoo books no payment', () => {
    const lines = renderMoneyMarkdown({
      refunds: { shopify: 0, missing: [] },
      transactions: { shopify: 4, mismatched: [], notBooked: true },
      repairJobs: [],
    });
    assert.equal(
      lines[5],
      'Shopify money transactions: 4, not compared: Odoo books no payment until a payment gateway is mapped (Shopify → Configuration → Payment gateways).',
    );
  });
});
