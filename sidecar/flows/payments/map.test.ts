import assert from 'node:assert/strict';
import type { PaymentStatus } from '../../odoo/contract.js';
import { loadContractValidator } from '../../../dev/conformance/schemas.js';
import { compareTransactions, isMoney, paymentsDocument, type MoneyOrder, type ShopifyTransaction } from './map.js';

const validator = loadContractValidator();

function tx(id: number, kind: string, status: string, amount: string, extra: Partial<ShopifyTransaction> = {}): ShopifyTransaction {
  return {
    id: `gid://shopify/OrderTransaction/${id}`,
    kind: kind as ShopifyTransaction['kind'],
    status: status as ShopifyTransaction['status'],
    gateway: 'bogus',
    processedAt: '2026-11-27T10:00:00Z',
    createdAt: '2026-11-27T09:59:00Z',
    amountSet: { shopMoney: { amount, currencyCode: 'EUR' as const }, presentmentMoney: { amount, currencyCode: 'EUR' as const } },
    ...extra,
  };
}

describe('payments map', () => {
  const cases: Array<[string, ShopifyTransaction, boolean]> = [
    ['a successful sale', tx(1, 'SALE', 'SUCCESS', '10.00'), true],
    ['a successful capture', tx(2, 'CAPTURE', 'SUCCESS', '10.00'), true],
    ['a successful refund', tx(3, 'REFUND', 'SUCCESS', '4.50'), true],
    ['an authorization alone', tx(4, 'AUTHORIZATION', 'SUCCESS', '10.00'), false],
    ['a void', tx(5, 'VOID', 'SUCCESS', '10.00'), false],
    ['a pending sale (bank transfer, cash on delivery)', tx(6, 'SALE', 'PENDING', '10.00'), false],
    ['a failed capture', tx(7, 'CAPTURE', 'FAILURE', '10.00'), false],
    ['a sale of zero', tx(8, 'SALE', 'SUCCESS', '0.00'), false],
    ['the cash change of a point-of-sale cash sale', tx(9, 'CHANGE', 'SUCCESS', '10.00'), true],
  ];
  for (const [name, t, money] of cases)
    it(`${money ? 'books' : 'does not book'} ${name}`, () => {
      assert.equal(isMoney(t), money);
    });

  it('carries the transactions’ amounts in the customer’s currency when it is not the shop’s, by position, valid against the contract', () => {
    const paid = (id: number, kind: string, eur: string, jpy: string) =>
      tx(id, kind, 'SUCCESS', eur, {
        amountSet: { shopMoney: { amount: eur, currencyCode: 'EUR' }, presentmentMoney: { amount: jpy, currencyCode: 'JPY' } },
      });
    const doc = paymentsDocument({
      id: 'gid://shopify/Order/9',
      name: '#9',
      currencyCode: 'EUR',
      presentmentCurrencyCode: 'JPY',
      transactions: [paid(1, 'SALE', '30.00', '4500.0'), paid(2, 'REFUND', '10.00', '1500.0')],
    });
    assert.deepEqual(
      doc.transactions.map((t) => t.amount),
      ['30.00', '10.00'],
    );
    assert.deepEqual(doc.presentment, { currency: 'JPY', transactions: [{ amount: '4500.0' }, { amount: '1500.0' }] });
    validator.validate('apply_payments', 'params', doc);
    const inShopMoney = { id: 'gid://shopify/Order/9', name: '#9', currencyCode: 'EUR', presentmentCurrencyCode: 'EUR' } as const;
    assert.equal('presentment' in paymentsDocument({ ...inShopMoney, transactions: [tx(1, 'SALE', 'SUCCESS', '1.00')] }), false);
  });

  it('names the customer’s currency also before any transaction (a bank transfer not paid yet), so an order booked in it takes the document', () => {
    const doc = paymentsDocument({
      id: 'gid://shopify/Order/9',
      name: '#9',
      currencyCode: 'EUR',
      presentmentCurrencyCode: 'JPY',
      transactions: [],
    });
    assert.deepEqual(doc.presentment, { currency: 'JPY', transactions: [] });
    validator.validate('apply_payments', 'params', doc);
  });

  it('sends every transaction, lower-cased, with shop money and the processing time (else the creation time), valid against the contract', () => {
    const doc = paymentsDocument({
      id: 'gid://shopify/Order/9',
      name: '#9',
      currencyCode: 'EUR',
      presentmentCurrencyCode: 'EUR',
      transactions: [
        tx(1, 'AUTHORIZATION', 'SUCCESS', '30.00'),
        tx(2, 'CAPTURE', 'SUCCESS', '30.00', { gateway: 'shopify_payments' }),
        tx(3, 'SALE', 'PENDING', '5.00', { gateway: null, processedAt: null }),
      ],
    });
    assert.deepEqual(doc, {
      order_gid: 'gid://shopify/Order/9',
      transactions: [
        {
          transaction_gid: 'gid://shopify/OrderTransaction/1',
          kind: 'authorization',
          status: 'success',
          gateway: 'bogus',
          amount: '30.00',
          processed_at: '2026-11-27T10:00:00Z',
        },
        {
          transaction_gid: 'gid://shopify/OrderTransaction/2',
          kind: 'capture',
          status: 'success',
          gateway: 'shopify_payments',
          amount: '30.00',
          processed_at: '2026-11-27T10:00:00Z',
        },
        {
          transaction_gid: 'gid://shopify/OrderTransaction/3',
          kind: 'sale',
          status: 'pending',
          gateway: null,
          amount: '5.00',
          processed_at: '2026-11-27T09:59:00Z',
        },
      ],
    });
    validator.validate('apply_payments', 'params', doc);
  });

  it('compares the money transactions created in the window with Odoo: missing and different amounts are mismatches', () => {
    const order: MoneyOrder = {
      id: 'gid://shopify/Order/9',
      name: '#9',
      refunds: [],
      transactions: [
        tx(1, 'SALE', 'SUCCESS', '30.00'),
        tx(2, 'REFUND', 'SUCCESS', '5.00'),
        tx(3, 'REFUND', 'SUCCESS', '2.00'),
        tx(4, 'AUTHORIZATION', 'SUCCESS', '30.00'),
        tx(5, 'SALE', 'SUCCESS', '9.00', { createdAt: '2026-11-25T00:00:00Z' }),
      ],
    };
    const status = (id: number, amount: string | null): PaymentStatus => ({
      transaction_gid: `gid://shopify/OrderTransaction/${id}`,
      found: amount !== null,
      payment_id: amount === null ? null : id,
      sale_order_id: amount === null ? null : 1,
      payment_type: amount === null ? null : 'inbound',
      amount,
      state: amount === null ? null : 'paid',
      reconciled: amount !== null,
    });
    const { compared, mismatched } = compareTransactions([order], [status(1, '30.00'), status(2, '4.00'), status(3, null)], {
      from: new Date('2026-11-26T12:00:00Z'),
      to: new Date('2026-11-27T12:00:00Z'),
    });
    assert.equal(compared, 3, 'the authorization and the transaction before the window are not compared');
    assert.deepEqual(
      mismatched.map((m) => [m.transactionGid.split('/').pop(), m.shopify, m.odoo]),
      [
        ['2', '5.00', '4.00'],
        ['3', '2.00', null],
      ],
    );
    // Booked in the customer's currency: compared in it.
    const inYen: MoneyOrder = {
      ...order,
      transactions: [
        tx(1, 'SALE', 'SUCCESS', '30.00', {
          amountSet: { shopMoney: { amount: '30.00', currencyCode: 'EUR' }, presentmentMoney: { amount: '4500.0', currencyCode: 'JPY' } },
        }),
        tx(2, 'SALE', 'SUCCESS', '10.00', {
          amountSet: { shopMoney: { amount: '10.00', currencyCode: 'EUR' }, presentmentMoney: { amount: '1500.0', currencyCode: 'JPY' } },
        }),
      ],
    };
    const yen = compareTransactions(
      [inYen],
      [
        { ...status(1, '4500'), currency: 'JPY' },
        { ...status(2, '1501'), currency: 'JPY' },
      ],
      {
        from: new Date('2026-11-26T12:00:00Z'),
        to: new Date('2026-11-27T12:00:00Z'),
      },
    );
    assert.deepEqual(
      yen.mismatched.map((m) => [m.transactionGid.split('/').pop(), m.shopify, m.odoo]),
      [['2', '1500', '1501']],
    );
  });
});
