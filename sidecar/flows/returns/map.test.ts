import assert from 'node:assert/strict';
import type { ReturnDocument } from '../../odoo/contract.js';
import type { ReturnStatus, ReverseFulfillmentOrderDispositionType } from '../../shopify/index.js';
import {
  byLine,
  isMadeInOdoo,
  odooReturnNote,
  planReturnCreate,
  planReturnProcess,
  processedUnits,
  returnDocument,
  returnForPicking,
  type ShopifyReturn,
} from './map.js';

const L1 = 'gid://shopify/LineItem/11';
const L2 = 'gid://shopify/LineItem/12';
const LOC_A = 'gid://shopify/Location/101';
const LOC_B = 'gid://shopify/Location/102';

type Disposition = [type: ReverseFulfillmentOrderDispositionType, quantity: number, location?: string];
/** A return line: its fulfillment line item (number), order line, units, and the dispositions of its reverse line. */
type Line = [fli: number, line: string, quantity: number, dispositions: Disposition[]];

function ret(
  status: ReturnStatus,
  lines: Line[],
  extra: { unreadable?: boolean; orphanReverse?: boolean; processed?: number[]; note?: string } = {},
): ShopifyReturn {
  return {
    id: 'gid://shopify/Return/7',
    name: '#1001-R1',
    status,
    order: { id: 'gid://shopify/Order/1' },
    returnLineItems: {
      nodes: [
        ...lines.map(([fli, line, quantity], i) => ({
          id: `gid://shopify/ReturnLineItem/${fli}`,
          quantity,
          processedQuantity: extra.processed?.[i] ?? 0,
          returnReasonNote: extra.note ?? '',
          fulfillmentLineItem: { id: `gid://shopify/FulfillmentLineItem/${fli}`, lineItem: { id: line, sku: line === L1 ? 'MUG' : ' ' } },
        })),
        ...(extra.unreadable ? [{}] : []),
      ],
    },
    reverseFulfillmentOrders: {
      nodes: [
        {
          id: 'gid://shopify/ReverseFulfillmentOrder/1',
          lineItems: {
            nodes: [
              ...lines.map(([fli, , , dispositions]) => ({
                id: `gid://shopify/ReverseFulfillmentOrderLineItem/${fli}`,
                fulfillmentLineItem: { id: `gid://shopify/FulfillmentLineItem/${fli}` },
                dispositions: dispositions.map(([type, quantity, location]) => ({
                  type,
                  quantity,
                  location: location ? { id: location } : null,
                })),
              })),
              ...(extra.orphanReverse
                ? [
                    {
                      id: 'gid://shopify/ReverseFulfillmentOrderLineItem/99',
                      fulfillmentLineItem: null,
                      dispositions: [{ type: 'RESTOCKED' as const, quantity: 5, location: null }],
                    },
                  ]
                : []),
            ],
          },
        },
      ],
    },
  };
}

const summary = (d: ReturnDocument) => ({
  status: d.status,
  location: d.location_gid,
  lines: d.lines.map((l) => [l.line_gid, l.sku, l.quantity, l.restocked_quantity, l.not_restocked_quantity, l.location_gid]),
});

describe('returns map: a Shopify return as the contract ReturnDocument', () => {
  const cases: Array<{ name: string; ret: ShopifyReturn; want: ReturnType<typeof summary> }> = [
    {
      name: 'requested by the customer: nothing processed yet',
      ret: ret('REQUESTED', [[1, L1, 2, []]]),
      want: { status: 'REQUESTED', location: null, lines: [[L1, 'MUG', 2, 0, 0, null]] },
    },
    {
      name: 'processed: one unit restocked at a location, one not restocked',
      ret: ret('OPEN', [
        [
          1,
          L1,
          2,
          [
            ['RESTOCKED', 1, LOC_A],
            ['NOT_RESTOCKED', 1],
          ],
        ],
      ]),
      want: { status: 'OPEN', location: LOC_A, lines: [[L1, 'MUG', 2, 1, 1, LOC_A]] },
    },
    {
      name: 'a missing unit is not restocked; units still to process are neither',
      ret: ret('OPEN', [
        [
          1,
          L1,
          3,
          [
            ['MISSING', 1],
            ['PROCESSING_REQUIRED', 2],
          ],
        ],
      ]),
      want: { status: 'OPEN', location: null, lines: [[L1, 'MUG', 3, 0, 1, null]] },
    },
    {
      name: 'one order line returned from two fulfillments, restocked into two locations',
      ret: ret('CLOSED', [
        [1, L1, 1, [['RESTOCKED', 1, LOC_A]]],
        [2, L1, 1, [['RESTOCKED', 1, LOC_B]]],
        [3, L2, 1, [['NOT_RESTOCKED', 1]]],
      ]),
      want: {
        status: 'CLOSED',
        location: LOC_A,
        lines: [
          [L1, 'MUG', 1, 1, 0, LOC_A],
          [L1, 'MUG', 1, 1, 0, LOC_B],
          [L2, null, 1, 0, 1, null],
        ],
      },
    },
    {
      name: 'never more processed units than the line has; a reverse line of no fulfillment line item counts for none',
      ret: ret(
        'DECLINED',
        [
          [
            1,
            L1,
            1,
            [
              ['RESTOCKED', 3, LOC_A],
              ['NOT_RESTOCKED', 2],
            ],
          ],
        ],
        { orphanReverse: true },
      ),
      want: { status: 'DECLINED', location: LOC_A, lines: [[L1, 'MUG', 1, 1, 0, LOC_A]] },
    },
    {
      name: 'a line the sidecar cannot read (an unverified return line) is left out',
      ret: ret('CANCELED', [[1, L1, 1, []]], { unreadable: true }),
      want: { status: 'CANCELED', location: null, lines: [[L1, 'MUG', 1, 0, 0, null]] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(summary(returnDocument(c.ret)), c.want);
    });
  }

  it('names the return and its order', () => {
    const d = returnDocument(ret('OPEN', [[1, L1, 1, []]]));
    assert.deepEqual([d.return_gid, d.order_gid, d.name], ['gid://shopify/Return/7', 'gid://shopify/Order/1', '#1001-R1']);
  });

  it('refuses a return with no line it can read, naming it', () => {
    assert.throws(() => returnDocument(ret('OPEN', [], { unreadable: true })), {
      message: 'returns: return #1001-R1 (gid://shopify/Return/7) has no line the sidecar can read',
    });
  });
});

describe('returns received in Odoo → Shopify', () => {
  const picking = { name: 'WH/IN/00007', picking_id: 42 };
  const note = odooReturnNote(picking);
  /** A return whose lines have `processed` units processed and carry `lineNote`. */
  const processedRet = (lines: Line[], processed: number[], lineNote = ''): ShopifyReturn =>
    ret('OPEN', lines, { processed, note: lineNote });
  const returnable = (items: Array<[fli: number, line: string, quantity: number]>) => [
    {
      id: 'gid://shopify/ReturnableFulfillment/1',
      fulfillment: { id: 'gid://shopify/Fulfillment/1', location: { id: LOC_A } },
      returnableFulfillmentLineItems: {
        nodes: items.map(([fli, line, quantity]) => ({
          quantity,
          fulfillmentLineItem: { id: `gid://shopify/FulfillmentLineItem/${fli}`, lineItem: { id: line, sku: null } },
        })),
      },
    },
  ];

  it('the note names the picking; a return carrying it is made in Odoo and found again', () => {
    assert.equal(note, 'Odoo return WH/IN/00007 (picking 42)');
    const mine = processedRet([[1, L1, 1, []]], [0], note);
    const theirs = processedRet([[2, L1, 1, []]], [0], 'too small');
    assert.equal(isMadeInOdoo(mine), true);
    assert.equal(isMadeInOdoo(theirs), false);
    assert.equal(returnForPicking([theirs, mine], note), mine);
    assert.equal(returnForPicking([theirs], note), undefined);
    assert.equal(returnForPicking([{ ...mine, status: 'CANCELED' }], note), undefined, 'a cancelled return is not reused');
  });

  const createTable: Array<
    [string, Record<string, number>, Array<[number, string, number]>, Array<[string, number]>, Record<string, number>]
  > = [
    ['one line', { [L1]: 1 }, [[1, L1, 2]], [['gid://shopify/FulfillmentLineItem/1', 1]], {}],
    [
      'over two fulfillment line items',
      { [L1]: 3 },
      [
        [1, L1, 1],
        [2, L1, 5],
      ],
      [
        ['gid://shopify/FulfillmentLineItem/1', 1],
        ['gid://shopify/FulfillmentLineItem/2', 2],
      ],
      {},
    ],
    ['more than returnable', { [L1]: 3 }, [[1, L1, 2]], [['gid://shopify/FulfillmentLineItem/1', 2]], { [L1]: 1 }],
    ['a line Shopify never fulfilled', { [L2]: 1 }, [[1, L1, 2]], [], { [L2]: 1 }],
  ];
  for (const [name, received, items, lines, missing] of createTable)
    it(`planReturnCreate: ${name}`, () => {
      const plan = planReturnCreate(received, returnable(items), note);
      assert.deepEqual(
        plan.lines.map((l) => [l.fulfillmentLineItemId, l.quantity]),
        lines,
      );
      assert.ok(plan.lines.every((l) => l.returnReasonNote === note));
      assert.deepEqual(plan.missing, missing);
    });

  const processTable: Array<[string, Line[], number[], Record<string, number>, Array<[string, number]>]> = [
    ['everything received, nothing processed', [[1, L1, 2, []]], [0], { [L1]: 2 }, [['gid://shopify/ReturnLineItem/1', 2]]],
    ['part received', [[1, L1, 2, []]], [0], { [L1]: 1 }, [['gid://shopify/ReturnLineItem/1', 1]]],
    ['processed already (a retry, or Shopify did it)', [[1, L1, 2, []]], [2], { [L1]: 2 }, []],
    ['one of two processed in Shopify, two received', [[1, L1, 2, []]], [1], { [L1]: 2 }, [['gid://shopify/ReturnLineItem/1', 1]]],
    [
      'over two return lines of one order line',
      [
        [1, L1, 1, []],
        [2, L1, 1, []],
      ],
      [0, 0],
      { [L1]: 2 },
      [
        ['gid://shopify/ReturnLineItem/1', 1],
        ['gid://shopify/ReturnLineItem/2', 1],
      ],
    ],
    [
      'a line not received',
      [
        [1, L1, 1, []],
        [2, L2, 1, []],
      ],
      [0, 0],
      { [L2]: 1 },
      [['gid://shopify/ReturnLineItem/2', 1]],
    ],
  ];
  for (const [name, lines, processed, received, out] of processTable)
    it(`planReturnProcess: ${name}`, () => {
      const plan = planReturnProcess(processedRet(lines, processed), received, LOC_B);
      assert.deepEqual(
        plan.map((l) => [l.id, l.quantity]),
        out,
      );
      // What a credit note must credit to be this processing's refund: the units per order line.
      const units = processedUnits(processedRet(lines, processed), plan);
      assert.equal(
        Object.values(units).reduce((a, b) => a + b, 0),
        out.reduce((a, [, q]) => a + q, 0),
      );
      for (const [line, q] of Object.entries(units)) assert.ok(q <= (received[line] ?? 0), `${line}: ${q} within what was received`);
      for (const l of plan)
        assert.deepEqual(l.dispositions, [
          {
            reverseFulfillmentOrderLineItemId: l.id.replace('ReturnLineItem', 'ReverseFulfillmentOrderLineItem'),
            quantity: l.quantity,
            dispositionType: 'RESTOCKED',
            locationId: LOC_B,
          },
        ]);
    });

  it('byLine sums a document lines per order line', () =>
    assert.deepEqual(
      byLine([
        { line_gid: L1, quantity: 1 },
        { line_gid: L1, quantity: 2 },
        { line_gid: L2, quantity: 0 },
      ]),
      { [L1]: 3 },
    ));
});
