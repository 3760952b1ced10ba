/**
 * Which outcomes of an orders job record the order's `updatedAt` as applied (apply.ts
 * appliedUpdatedAtOf), so that the pull does not read the order again for it.
 */
import assert from 'node:assert/strict';
import type { ApplyOrderStatus } from '../../odoo/contract.js';
import { READ_SETTLED_MS, appliedUpdatedAtOf, type OrderOutcome } from './apply.js';

const UPDATED_AT = '2026-11-27T12:00:00Z';
const SETTLED = Date.parse(UPDATED_AT) + READ_SETTLED_MS;

const applied = (status: ApplyOrderStatus, readAt = SETTLED): OrderOutcome => ({
  action: 'applied',
  name: '#1001',
  updatedAt: UPDATED_AT,
  readAt,
  result: { status, sale_order_id: 7, name: 'S00007', state: 'sale', amount_total: '10.00' },
});
const cancelled = (status: 'cancelled' | 'already_cancelled' | 'needs_return'): OrderOutcome => ({
  action: 'cancelled',
  name: '#1001',
  updatedAt: UPDATED_AT,
  readAt: SETTLED,
  status,
  saleOrderId: 7,
});

describe('orders: the outcomes recorded as applied', () => {
  const cases: Array<[string, OrderOutcome, string | null]> = [
    ['created', applied('created'), UPDATED_AT],
    ['updated', applied('updated'), UPDATED_AT],
    ['unchanged (Odoo has this state or a later one)', applied('unchanged'), UPDATED_AT],
    ['cancelled', cancelled('cancelled'), UPDATED_AT],
    ['already cancelled', cancelled('already_cancelled'), UPDATED_AT],
    ['held (a fixed mapping releases it on the next apply)', applied('held'), null],
    ['flagged', applied('flagged'), null],
    ['cancelled after delivery, flagged for a return', cancelled('needs_return'), null],
    ['a read that began in the second of its updatedAt', applied('created', Date.parse(UPDATED_AT) + 400), null],
    ['a read that began less than READ_SETTLED_MS after it', applied('updated', SETTLED - 1), null],
  ];
  for (const [what, outcome, expected] of cases) {
    it(`${expected ? 'records' : 'does not record'}: ${what}`, () => {
      assert.equal(appliedUpdatedAtOf(outcome), expected);
    });
  }
});
