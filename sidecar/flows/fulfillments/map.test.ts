import assert from 'node:assert/strict';
import type { FulfillmentOrderStatus, FulfillmentStatus } from '../../shopify/index.js';
import {
  findSentFulfillment,
  planFulfillment,
  stillToFulfill,
  trackingDiffers,
  trackingInput,
  fulfillmentsToApply,
  notFulfilledElsewhere,
  shopifyFulfillmentDocument,
  shopifyTrackingCompany,
  type ShopifyFulfillmentOrderRead,
  type ShopifyFulfillmentRead,
} from './map.js';

const L1 = 'gid://shopify/LineItem/1';
const L2 = 'gid://shopify/LineItem/2';
const LOC_A = 'gid://shopify/Location/101';
const LOC_B = 'gid://shopify/Location/102';

function fo(
  id: number,
  location: string,
  items: Array<[number, string, number]>,
  status: FulfillmentOrderStatus = 'OPEN',
): ShopifyFulfillmentOrderRead {
  return {
    id: `gid://shopify/FulfillmentOrder/${id}`,
    status,
    requestStatus: 'UNSUBMITTED',
    assignedLocation: { location: { id: location } },
    supportedActions: status === 'OPEN' || status === 'IN_PROGRESS' ? [{ action: 'CREATE_FULFILLMENT' }] : [],
    lineItems: {
      nodes: items.map(([foli, line, remaining]) => ({
        id: `gid://shopify/FulfillmentOrderLineItem/${foli}`,
        sku: null,
        totalQuantity: remaining,
        remainingQuantity: remaining,
        inventoryItemId: null,
        lineItem: { id: line },
      })),
    },
  };
}

function fulfillment(
  id: number,
  lines: Array<[string, number]>,
  number: string | null = null,
  status: FulfillmentStatus = 'SUCCESS',
): ShopifyFulfillmentRead {
  return {
    id: `gid://shopify/Fulfillment/${id}`,
    name: `#1001.${id}`,
    status,
    createdAt: '2026-11-27T10:00:00Z',
    trackingInfo: number ? [{ number, company: 'UPS', url: null }] : [],
    location: null,
    fulfillmentLineItems: {
      nodes: lines.map(([line, quantity], i) => ({
        id: `gid://shopify/FulfillmentLineItem/${id}${i}`,
        quantity,
        lineItem: { id: line, sku: null },
      })),
    },
  };
}

describe('fulfillments: allocation and read-back matching (pure)', () => {
  it('subtracts what the picking already shipped from what it delivered, dropping finished lines', () => {
    const delivered = [
      { line_gid: L1, sku: 'A', quantity: 3 },
      { line_gid: L2, sku: 'B', quantity: 2 },
    ];
    assert.deepEqual(stillToFulfill(delivered, []), { [L1]: 3, [L2]: 2 });
    assert.deepEqual(
      stillToFulfill(delivered, [
        fulfillment(9, [
          [L1, 1],
          [L2, 2],
        ]),
      ]),
      { [L1]: 2 },
    );
    assert.deepEqual(
      stillToFulfill(delivered, [
        fulfillment(9, [
          [L1, 3],
          [L2, 2],
        ]),
      ]),
      {},
    );
  });

  it('rounds a fractional delivered quantity down to whole units', () => {
    assert.deepEqual(stillToFulfill([{ line_gid: L1, sku: 'A', quantity: 2.5 }], []), { [L1]: 2 });
  });

  it('allocates a partial delivery to the fulfillment-order line items with exact quantities', () => {
    const plan = planFulfillment(
      { [L1]: 2 },
      [
        fo(1, LOC_A, [
          [11, L1, 5],
          [12, L2, 1],
        ]),
      ],
      LOC_A,
    );
    assert.deepEqual(plan, {
      groups: [
        {
          locationGid: LOC_A,
          lineItemsByFulfillmentOrder: [
            {
              fulfillmentOrderId: 'gid://shopify/FulfillmentOrder/1',
              fulfillmentOrderLineItems: [{ id: 'gid://shopify/FulfillmentOrderLineItem/11', quantity: 2 }],
            },
          ],
          lines: { [L1]: 2 },
        },
      ],
      shortfall: {},
    });
  });

  it('takes the picking location first, then spills to other locations in separate groups', () => {
    const plan = planFulfillment(
      { [L1]: 4, [L2]: 1 },
      [
        fo(1, LOC_A, [[11, L1, 3]]),
        fo(2, LOC_B, [
          [21, L1, 2],
          [22, L2, 1],
        ]),
      ],
      LOC_B,
    );
    assert.deepEqual(
      plan.groups.map((g) => [
        g.locationGid,
        g.lineItemsByFulfillmentOrder.map((e) => [
          e.fulfillmentOrderId.split('/').pop(),
          e.fulfillmentOrderLineItems.map((i) => [i.id.split('/').pop(), i.quantity]),
        ]),
        g.lines,
      ]),
      [
        [
          LOC_B,
          [
            [
              '2',
              [
                ['21', 2],
                ['22', 1],
              ],
            ],
          ],
          { [L1]: 2, [L2]: 1 },
        ],
        [LOC_A, [['1', [['11', 2]]]], { [L1]: 2 }],
      ],
    );
    assert.deepEqual(plan.shortfall, {});
  });

  it('skips closed fulfillment orders and reports what nothing open can take', () => {
    const plan = planFulfillment({ [L1]: 3 }, [fo(1, LOC_A, [[11, L1, 3]], 'CLOSED'), fo(2, LOC_A, [[21, L1, 1]])], LOC_A);
    assert.deepEqual(
      plan.groups.map((g) => g.lines),
      [{ [L1]: 1 }],
    );
    assert.deepEqual(plan.shortfall, { [L1]: 2 });
  });

  it('plans nothing when every unit was fulfilled in Shopify already', () => {
    assert.deepEqual(planFulfillment({ [L1]: 1 }, [fo(1, LOC_A, [[11, L1, 0]])], LOC_A), { groups: [], shortfall: { [L1]: 1 } });
  });

  it('finds the fulfillment a timed-out write created by its lines, quantities and tracking number', () => {
    const sent = { lines: { [L1]: 2 }, trackingNumber: '1Z1' };
    const known = fulfillment(1, [[L1, 2]], '1Z1');
    const other = fulfillment(2, [[L1, 1]], '1Z1');
    const ours = fulfillment(3, [[L1, 2]], '1Z1');
    assert.equal(findSentFulfillment(sent, [known, other, ours], new Set([known.id]))?.id, ours.id);
    assert.equal(findSentFulfillment(sent, [known, other], new Set([known.id])), undefined);
    assert.equal(findSentFulfillment({ ...sent, trackingNumber: '1Z2' }, [ours], new Set()), undefined);
    assert.equal(findSentFulfillment(sent, [fulfillment(4, [[L1, 2]], '1Z1', 'CANCELLED')], new Set()), undefined);
    assert.equal(
      findSentFulfillment({ lines: { [L1]: 2 }, trackingNumber: null }, [fulfillment(5, [[L1, 2]])], new Set())?.id,
      'gid://shopify/Fulfillment/5',
    );
  });

  it('builds tracking only from a tracking number and detects a changed one', () => {
    assert.equal(trackingInput({ number: null, company: 'UPS', url: null }), null);
    assert.equal(trackingInput({ number: '  ', company: 'UPS', url: null }), null);
    const t = trackingInput({ number: '1Z2 ', company: 'UPS', url: 'https://ups.example/1Z2' })!;
    assert.deepEqual(t, { number: '1Z2', company: 'UPS', url: 'https://ups.example/1Z2' });
    assert.equal(trackingDiffers(fulfillment(1, [[L1, 1]], '1Z1'), t), true);
    assert.equal(trackingDiffers(fulfillment(1, [[L1, 1]]), t), true);
    assert.equal(
      trackingDiffers(
        { ...fulfillment(1, [[L1, 1]]), trackingInfo: [{ number: '1Z2', company: 'UPS', url: 'https://ups.example/1Z2' }] },
        t,
      ),
      false,
    );
  });

  describe('carriers: the tracking company Shopify knows an Odoo carrier by', () => {
    const table: Array<[string | null, string | null]> = [
      [null, null],
      ['  ', null],
      ['UPS', 'UPS'],
      ['ups', 'UPS'],
      ['United Parcel Service', 'UPS'],
      ['Fedex', 'FedEx'],
      ['Federal Express', 'FedEx'],
      ['DHL', 'DHL Express'],
      ['DHL eCommerce', 'DHL eCommerce'],
      ['U.S.P.S.', 'U.S.P.S.'],
      ['usps', 'USPS'],
      ['Royal  Mail', 'Royal Mail'],
      ['La Poste', 'La Poste'],
      ['PostNL', 'PostNL'],
      // Not a common carrier: sent as the user wrote it (Shopify shows it without a link).
      ['Local courier Bob', 'Local courier Bob'],
    ];
    for (const [odoo, shopify] of table)
      it(`${JSON.stringify(odoo)} → ${JSON.stringify(shopify)}`, () => assert.equal(shopifyTrackingCompany(odoo), shopify));
    it('trackingInput sends the mapped company', () =>
      assert.deepEqual(trackingInput({ number: 'X1', company: 'fedex', url: null }), { number: 'X1', company: 'FedEx', url: null }));
  });
});

describe('fulfillments made in Shopify', () => {
  const ORDER = 'gid://shopify/Order/1001';
  it('a fulfillment as the contract document: lines with quantities, the first tracking entry, the location', () => {
    const f = {
      ...fulfillment(
        7,
        [
          [L1, 2],
          [L2, 0],
        ],
        'POS-1',
      ),
      location: { id: LOC_A },
    };
    assert.deepEqual(shopifyFulfillmentDocument(f, ORDER), {
      fulfillment_gid: 'gid://shopify/Fulfillment/7',
      order_gid: ORDER,
      name: '#1001.7',
      status: 'SUCCESS',
      location_gid: LOC_A,
      tracking: { number: 'POS-1', company: 'UPS', url: null },
      lines: [{ line_gid: L1, sku: null, quantity: 2 }],
    });
    assert.equal(shopifyFulfillmentDocument(fulfillment(8, [[L1, 0]]), ORDER), null, 'nothing shipped: nothing to apply');
  });

  it('applies every fulfillment the flow did not create, and cancelled ones always', () => {
    const ours = fulfillment(1, [[L1, 1]]);
    const oursCancelled = fulfillment(2, [[L1, 1]], null, 'CANCELLED');
    const theirs = fulfillment(3, [[L1, 1]]);
    const ids = (fs: ShopifyFulfillmentRead[]) => fs.map((f) => f.id);
    assert.deepEqual(ids(fulfillmentsToApply([ours, oursCancelled, theirs], new Set([ours.id, oursCancelled.id]))), [
      oursCancelled.id,
      theirs.id,
    ]);
  });

  const table: Array<[string, Record<string, number>, ShopifyFulfillmentRead[], Record<string, number>]> = [
    ['fulfilled elsewhere: nothing missing', { [L1]: 2 }, [fulfillment(5, [[L1, 2]])], {}],
    ['partly fulfilled elsewhere', { [L1]: 2 }, [fulfillment(5, [[L1, 1]])], { [L1]: 1 }],
    ['a cancelled fulfillment ships nothing', { [L1]: 1 }, [fulfillment(5, [[L1, 1]], null, 'CANCELLED')], { [L1]: 1 }],
    ['another line does not count', { [L1]: 1 }, [fulfillment(5, [[L2, 3]])], { [L1]: 1 }],
    [
      'two fulfillments add up',
      { [L1]: 3, [L2]: 1 },
      [
        fulfillment(5, [[L1, 2]]),
        fulfillment(6, [
          [L1, 1],
          [L2, 1],
        ]),
      ],
      {},
    ],
  ];
  for (const [name, shortfall, others, missing] of table)
    it(`notFulfilledElsewhere: ${name}`, () => assert.deepEqual(notFulfilledElsewhere(shortfall, others), missing));
});
