/**
 * The control API under /_sim: act as the storefront (place orders) and as the merchant (edit,
 * cancel, fulfill, refund, return, customers, stock), read everything back, inject faults, and
 * save/load/reset the state. JSON in, JSON out; records are returned in Shopify's REST webhook
 * shapes (payloads.ts), so what you read here is what webhooks carry.
 * A DomainError answers 422 `{errors:[{field,message}]}`; malformed input 400.
 */
import express, { type Request, type Response, type Router } from 'express';
import { isPlanName } from './bucket.js';
import { merchantAdjust, setProduct, activateLevel, applyQuantities, type ProductInput } from './domain/catalog.js';
import { DomainError, fail, nextId, type SimEvent } from './domain/context.js';
import { createCustomer, deleteCustomer, findCustomerByEmail, updateCustomer, type CustomerInput } from './domain/customers.js';
import { cancelFulfillment } from './domain/fulfillments.js';
import {
  cancelOrder,
  createFulfillment,
  createOrder,
  editOrder,
  editOrderAddress,
  markPaid,
  refundOrder,
  requireOrder,
  type CreateOrderInput,
  type DutyInput,
  type RefundLineInput,
  type ShippingEdit,
} from './domain/orders.js';
import { dataErasureRequests } from './domain/privacy.js';
import {
  approveReturn,
  cancelReturn,
  closeReturn,
  createReturn,
  declineReturn,
  processReturn,
  reopenReturn,
  requestReturn,
} from './domain/returns.js';
import { createSubscription, deleteSubscription } from './domain/subscriptions.js';
import { FaultError, parseFaults } from './faults.js';
import { gid } from './ids.js';
import { toCents } from './money.js';
import {
  customerPayload,
  customersDataRequestPayload,
  customersRedactPayload,
  fulfillmentPayload,
  orderPayload,
  productPayload,
  refundPayload,
  shopPayload,
  shopRedactPayload,
} from './payloads.js';
import * as q from './quantities.js';
import type { Simulator } from './simulator.js';
import type { Order } from './state.js';

/** A JSON object sent to the control API: untrusted, read through the narrowing helpers below. */
type Body = Record<string, unknown>;

class BadRequest extends Error {}

function handle(fn: (req: Request, res: Response) => unknown) {
  return (req: Request, res: Response) => {
    try {
      const out = fn(req, res);
      if (out !== undefined && !res.headersSent) res.json(out);
    } catch (error) {
      if (error instanceof DomainError) res.status(422).json({ errors: error.userErrors });
      else if (error instanceof BadRequest || error instanceof FaultError)
        res.status(400).json({ errors: [{ field: null, message: error.message }] });
      else res.status(500).json({ errors: [{ field: null, message: (error as Error).message }] });
    }
  };
}

function body(req: Request): Body {
  const b: unknown = req.body;
  if (b === undefined) return {};
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new BadRequest('expected a JSON object body');
  return b as Body;
}

const isBody = (value: unknown): value is Body => Boolean(value) && typeof value === 'object' && !Array.isArray(value);

/** A list of JSON objects (missing = empty). */
function objects(value: unknown, name: string): Body[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every(isBody)) throw new BadRequest(`${name} must be a list of objects`);
  return value;
}

/** A string, or undefined when missing or null. */
function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BadRequest(`${name} must be a string (got ${JSON.stringify(value)})`);
  return value;
}

/** A decimal amount given as a string or a number ("9.50" or 9.5), as text. */
function amountText(value: unknown, name: string): string {
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new BadRequest(`${name} must be an amount (got ${JSON.stringify(value)})`);
  return String(value);
}

/** An amount in `currency` → minor units (400 when it is not a decimal amount). */
function minorAmount(value: unknown, name: string, currency: string): number {
  try {
    return toCents(amountText(value, name), currency);
  } catch (error) {
    if (error instanceof BadRequest) throw error;
    throw new BadRequest(`${name}: ${(error as Error).message}`);
  }
}

/**
 * An order edit's shipping lines, as the merchant edits them in the Shopify admin:
 * `{add: [{title, price}], update: [{id, title?, price?}], remove: [id]}` (ShippingLine ids, the
 * numbers of the order JSON's shipping_lines).
 */
function shippingEdit(value: unknown, currency: string): ShippingEdit {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequest('shipping must be an object');
  const b = value as Body;
  return {
    add: objects(b.add, 'shipping.add').map((a, i) => ({
      title: optionalText(a.title, `shipping.add[${i}].title`) ?? '',
      price: minorAmount(a.price, `shipping.add[${i}].price`, currency),
    })),
    update: objects(b.update, 'shipping.update').map((u, i) => ({
      shippingLineId: intParam(u.id, `shipping.update[${i}].id`),
      ...(u.title !== undefined ? { title: optionalText(u.title, `shipping.update[${i}].title`) ?? '' } : {}),
      ...(u.price !== undefined ? { price: minorAmount(u.price, `shipping.update[${i}].price`, currency) } : {}),
    })),
    remove: (Array.isArray(b.remove) ? (b.remove as unknown[]) : b.remove === undefined ? [] : [b.remove]).map((id, i) =>
      intParam(id, `shipping.remove[${i}]`),
    ),
  };
}

/** A list of strings. */
function texts(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new BadRequest(`${name} must be a list of strings`);
  return value;
}

/** A refund line's restock: `restockType`, or the shorthand `restock: true | "cancel"`. */
function restockTypeOf(line: Body, index: number): RefundLineInput['restockType'] {
  const given = optionalText(line.restockType, `lines[${index}].restockType`);
  if (given !== undefined) {
    if (given !== 'return' && given !== 'cancel' && given !== 'no_restock')
      throw new BadRequest(`lines[${index}].restockType must be return, cancel or no_restock`);
    return given;
  }
  return line.restock === true ? 'return' : line.restock === 'cancel' ? 'cancel' : 'no_restock';
}

/**
 * The duties a refund gives back: `"full"` or `"proportional"` for every duty of the order (a
 * proportional duty whose line is not refunded gives nothing back), or a list of
 * `{dutyId, refundType: "full" | "proportional"}` (refundCreate's refundDuties).
 */
function refundDutiesOf(order: Order, value: unknown): { dutyId: number; refundType: 'full' | 'proportional' }[] | undefined {
  if (value === undefined) return undefined;
  const type = (v: unknown, name: string) => {
    if (v !== 'full' && v !== 'proportional') throw new BadRequest(`${name} must be full or proportional`);
    return v;
  };
  if (typeof value === 'string') {
    const refundType = type(value, 'duties');
    return order.lineItems.flatMap((li) => (li.duties ?? []).map((d) => ({ dutyId: d.id, refundType })));
  }
  return objects(value, 'duties').map((d, i) => ({
    dutyId: intParam(d.dutyId, `duties[${i}].dutyId`),
    refundType: type(d.refundType, `duties[${i}].refundType`),
  }));
}

function intParam(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new BadRequest(`${name} must be an integer (got ${JSON.stringify(value)})`);
  return n;
}

export function controlRouter(sim: Simulator): Router {
  const router = express.Router();
  const dom = sim.dom;
  const orderJson = (order: Order) => ({
    ...orderPayload(sim.state, order, sim.state.shop.domain),
    fulfillment_orders: sim.state.fulfillmentOrders
      .filter((fo) => fo.orderId === order.id)
      .map((fo) => ({
        id: fo.id,
        admin_graphql_api_id: gid('FulfillmentOrder', fo.id),
        status: fo.status.toLowerCase(),
        assigned_location_id: fo.locationId,
        line_items: fo.lineItems.map((l) => ({
          id: l.id,
          admin_graphql_api_id: gid('FulfillmentOrderLineItem', l.id),
          line_item_id: l.lineItemId,
          quantity: l.totalQuantity,
          fulfillable_quantity: l.remainingQuantity,
        })),
      })),
  });
  const levelJson = (level: (typeof sim.state.levels)[number]) => {
    const item = sim.state.inventoryItems.find((i) => i.id === level.inventoryItemId);
    return {
      sku: item?.sku ?? null,
      inventory_item_id: level.inventoryItemId,
      location_id: level.locationId,
      location_name: sim.state.locations.find((l) => l.id === level.locationId)?.name ?? null,
      available: level.available,
      committed: level.committed,
      on_hand: level.on_hand,
      updated_at: level.updatedAt,
      admin_graphql_api_id: `gid://shopify/InventoryLevel/${level.locationId}?inventory_item_id=${level.inventoryItemId}`,
    };
  };
  const lineItemFor = (order: Order, ref: Body, index: number) => {
    if (ref.lineItemId !== undefined) return intParam(ref.lineItemId, `lines[${index}].lineItemId`);
    const li = order.lineItems.find((x) => x.sku === ref.sku);
    if (!li) fail(`No line with SKU "${String(ref.sku)}" on ${order.name}`, ['lines', String(index), 'sku']);
    return li.id;
  };

  router.get(
    '/health',
    handle(() => ({ ok: true, shop: sim.state.shop.domain })),
  );
  router.get(
    '/shop',
    handle(() => shopPayload(sim.state)),
  );
  router.get(
    '/state',
    handle(() => sim.state),
  );
  router.post(
    '/reset',
    handle(() => (sim.control.reset(), { ok: true })),
  );
  router.post(
    '/state/save',
    handle((req) => {
      const path = body(req).path;
      if (typeof path !== 'string' || !path) throw new BadRequest('path is required');
      sim.control.save(path);
      return { ok: true, path };
    }),
  );
  router.post(
    '/state/load',
    handle((req) => {
      const path = body(req).path;
      if (typeof path !== 'string' || !path) throw new BadRequest('path is required');
      try {
        sim.control.load(path);
      } catch (error) {
        throw new BadRequest((error as Error).message);
      }
      return { ok: true, path, orders: sim.state.orders.length };
    }),
  );

  // Faults and the cost bucket.
  router.get(
    '/faults',
    handle(() => sim.faults.config),
  );
  router.put(
    '/faults',
    handle((req) => sim.faults.set(parseFaults(body(req)))),
  );
  router.delete(
    '/faults',
    handle(() => sim.faults.off()),
  );
  router.get(
    '/bucket',
    handle(() => sim.bucket.status()),
  );
  router.put(
    '/bucket',
    handle((req) => {
      const b = body(req);
      if (b.plan !== undefined) {
        if (!isPlanName(b.plan)) throw new BadRequest('plan must be one of standard, advanced, plus, enterprise');
        // A plan change starts with a full bucket of the new size.
        sim.bucket.setPlan(b.plan);
        sim.bucket.setAvailable(sim.bucket.maximumAvailable);
        sim.state.shop.plan = b.plan;
      }
      if (b.currentlyAvailable !== undefined) sim.bucket.setAvailable(Number(b.currentlyAvailable));
      return sim.bucket.status();
    }),
  );
  router.post(
    '/idempotency/in-progress',
    handle((req) => {
      const b = body(req);
      if (typeof b.key !== 'string') throw new BadRequest('key is required');
      sim.idempotency.markInProgress(b.key, optionalText(b.mutation, 'mutation') ?? 'inventorySetQuantities');
      return { ok: true };
    }),
  );

  // Catalogue and stock.
  router.post(
    '/products',
    handle((req, res) => {
      const b = body(req);
      const handle = optionalText(b.handle, 'handle');
      const vendor = optionalText(b.vendor, 'vendor');
      const variants = b.variants === undefined ? [{ sku: b.sku, price: b.price }] : objects(b.variants, 'variants');
      const input: ProductInput = {
        ...(b.title !== undefined ? { title: optionalText(b.title, 'title') } : {}),
        ...(handle ? { handle } : {}),
        ...(vendor ? { vendor } : {}),
        variants: variants.map((v, i) => {
          const option = optionalText(v.option, `variants[${i}].option`);
          return {
            sku: optionalText(v.sku, `variants[${i}].sku`) ?? null,
            price: v.price === undefined || v.price === null ? '0.00' : amountText(v.price, `variants[${i}].price`),
            ...(option
              ? { optionValues: [{ optionName: optionalText(v.optionName, `variants[${i}].optionName`) ?? 'Title', name: option }] }
              : {}),
          };
        }),
      };
      const product = setProduct(dom, undefined, input);
      // Optional opening stock: {"<locationId>": on_hand}, without webhooks (a catalogue import).
      const stock = b.stock === undefined ? {} : b.stock;
      if (!isBody(stock)) throw new BadRequest('stock must be an object of location id → on hand');
      for (const [locationId, value] of Object.entries(stock)) {
        const onHand = intParam(value, `stock.${locationId}`);
        for (const variantId of product.variantIds) {
          const variant = sim.state.variants.find((v) => v.id === variantId)!;
          const level = activateLevel(dom, variant.inventoryItemId, intParam(locationId, 'stock location'));
          applyQuantities(dom, level, q.setOnHand(level, onHand));
        }
      }
      res.status(201);
      return productPayload(sim.state, product);
    }),
  );
  router.get(
    '/products',
    handle((req) => {
      const sku = req.query.sku as string | undefined;
      const products = sku
        ? sim.state.products.filter((p) => p.variantIds.some((id) => sim.state.variants.find((v) => v.id === id)?.sku === sku))
        : sim.state.products;
      return products.map((p) => productPayload(sim.state, p));
    }),
  );
  router.get(
    '/inventory',
    handle((req) => {
      const locationId = req.query.locationId === undefined ? undefined : intParam(req.query.locationId, 'locationId');
      const sku = req.query.sku as string | undefined;
      return sim.state.levels
        .filter((l) => locationId === undefined || l.locationId === locationId)
        .filter((l) => sku === undefined || sim.state.inventoryItems.find((i) => i.id === l.inventoryItemId)?.sku === sku)
        .map(levelJson);
    }),
  );
  router.get(
    '/locations',
    handle(() =>
      sim.state.locations.map((l) => ({ id: l.id, admin_graphql_api_id: gid('Location', l.id), name: l.name, active: l.isActive })),
    ),
  );
  router.post(
    '/inventory/adjust',
    handle((req) => {
      const b = body(req);
      if (typeof b.sku !== 'string') throw new BadRequest('sku is required');
      return levelJson(
        merchantAdjust(dom, {
          sku: b.sku,
          ...(b.locationId !== undefined ? { locationId: intParam(b.locationId, 'locationId') } : {}),
          ...(b.delta !== undefined ? { delta: intParam(b.delta, 'delta') } : {}),
          ...(b.available !== undefined ? { available: intParam(b.available, 'available') } : {}),
          ...(b.onHand !== undefined ? { onHand: intParam(b.onHand, 'onHand') } : {}),
        }),
      );
    }),
  );

  // Orders.
  router.post(
    '/orders',
    handle((req, res) => {
      // createOrder checks the fields it relies on and refuses the rest as a DomainError (422).
      const input: unknown = body(req);
      const order = createOrder(dom, input as CreateOrderInput);
      res.status(201);
      return orderJson(order);
    }),
  );
  router.get(
    '/orders',
    handle(() => sim.state.orders.map(orderJson)),
  );
  router.get(
    '/orders/:id',
    handle((req) => orderJson(requireOrder(dom, intParam(req.params.id, 'id')))),
  );
  router.patch(
    '/orders/:id/address',
    handle((req) => orderJson(editOrderAddress(dom, intParam(req.params.id, 'id'), body(req)))),
  );
  router.post(
    '/orders/:id/edit',
    handle((req) => {
      const order = requireOrder(dom, intParam(req.params.id, 'id'));
      const b = body(req);
      return orderJson(
        editOrder(dom, order.id, {
          add: objects(b.add, 'add').map((a, i) => ({
            sku: optionalText(a.sku, `add[${i}].sku`) ?? '',
            quantity: intParam(a.quantity, `add[${i}].quantity`),
            ...(a.price !== undefined ? { price: amountText(a.price, `add[${i}].price`) } : {}),
            // Checked by editOrder as an order's duties are (a list of {price, taxLines, …}).
            ...(a.duties !== undefined ? { duties: a.duties as DutyInput[] } : {}),
          })),
          set: objects(b.set, 'set').map((x, i) => ({
            lineItemId: lineItemFor(order, x, i),
            quantity: intParam(x.quantity, `set[${i}].quantity`),
            restock: x.restock !== false,
          })),
          ...(b.shipping !== undefined ? { shipping: shippingEdit(b.shipping, dom.state.shop.currency) } : {}),
          ...(b.note ? { staffNote: optionalText(b.note, 'note') } : {}),
        }),
      );
    }),
  );
  router.post(
    '/orders/:id/pay',
    handle((req) => orderJson(markPaid(dom, intParam(req.params.id, 'id')))),
  );
  router.post(
    '/orders/:id/cancel',
    handle((req) => {
      const b = body(req);
      return orderJson(
        cancelOrder(dom, intParam(req.params.id, 'id'), {
          reason: optionalText(b.reason, 'reason') ?? 'customer',
          restock: b.restock !== false,
          refund: b.refund === true,
          staffNote: optionalText(b.note, 'note') ?? null,
        }),
      );
    }),
  );
  router.post(
    '/orders/:id/fulfillments',
    handle((req, res) => {
      const order = requireOrder(dom, intParam(req.params.id, 'id'));
      const b = body(req);
      const fos = sim.state.fulfillmentOrders.filter(
        (fo) => fo.orderId === order.id && (fo.status === 'OPEN' || fo.status === 'IN_PROGRESS'),
      );
      if (fos.length === 0) fail(`${order.name} has nothing left to fulfill`, null);
      const wanted = b.lines === undefined ? undefined : objects(b.lines, 'lines');
      const fulfillment = createFulfillment(dom, {
        lineItemsByFulfillmentOrder: fos.map((fo) => ({
          fulfillmentOrderId: fo.id,
          fulfillmentOrderLineItems: wanted
            ? wanted
                .map((w, i) => {
                  const lineItemId = lineItemFor(order, w, i);
                  const line = fo.lineItems.find((l) => l.lineItemId === lineItemId);
                  return line ? { id: line.id, quantity: intParam(w.quantity, `lines[${i}].quantity`) } : undefined;
                })
                .filter((x): x is { id: number; quantity: number } => x !== undefined)
            : [],
        })),
        trackingInfo: b.tracking ?? null,
      });
      res.status(201);
      return fulfillmentPayload(sim.state, fulfillment);
    }),
  );
  // A merchant's "Cancel fulfillment" in the Shopify admin (or an app's fulfillmentCancel).
  router.post(
    '/fulfillments/:id/cancel',
    handle((req) => fulfillmentPayload(sim.state, cancelFulfillment(dom, intParam(req.params.id, 'id')))),
  );
  router.post(
    '/orders/:id/refunds',
    handle((req, res) => {
      const order = requireOrder(dom, intParam(req.params.id, 'id'));
      const b = body(req);
      const lines: RefundLineInput[] = objects(b.lines, 'lines').map((l, i) => ({
        lineItemId: lineItemFor(order, l, i),
        quantity: intParam(l.quantity, `lines[${i}].quantity`),
        restockType: restockTypeOf(l, i),
        ...(l.locationId !== undefined ? { locationId: intParam(l.locationId, `lines[${i}].locationId`) } : {}),
      }));
      const refund = refundOrder(dom, order.id, {
        lines,
        ...(b.shipping === 'full'
          ? { shippingFull: true }
          : b.shipping !== undefined
            ? { shippingAmount: amountText(b.shipping, 'shipping') }
            : {}),
        ...(b.amount !== undefined ? { amount: amountText(b.amount, 'amount') } : {}),
        ...(b.duties !== undefined ? { duties: refundDutiesOf(order, b.duties) ?? [] } : {}),
        note: optionalText(b.note, 'note') ?? null,
      });
      res.status(201);
      return refundPayload(sim.state, refund);
    }),
  );
  router.get(
    '/refunds',
    handle(() => sim.state.refunds.map((r) => refundPayload(sim.state, r))),
  );
  router.post(
    '/orders/:id/returns',
    handle((req, res) => {
      const order = requireOrder(dom, intParam(req.params.id, 'id'));
      const b = body(req);
      const fulfilledLines = sim.state.fulfillments
        .filter((f) => f.orderId === order.id && f.status === 'SUCCESS')
        .flatMap((f) => f.lineItems);
      const lines = objects(b.lines, 'lines').map((l, i) => {
        const lineItemId = lineItemFor(order, l, i);
        const fli =
          l.fulfillmentLineItemId !== undefined
            ? { id: intParam(l.fulfillmentLineItemId, 'fulfillmentLineItemId') }
            : fulfilledLines.find((x) => x.lineItemId === lineItemId);
        if (!fli) fail(`Line ${i} has not been fulfilled, so it cannot be returned`, ['lines', String(i)]);
        return {
          fulfillmentLineItemId: fli.id,
          quantity: intParam(l.quantity, `lines[${i}].quantity`),
          returnReasonNote: optionalText(l.reason, `lines[${i}].reason`) ?? '',
        };
      });
      // `request: true`: the customer asks (REQUESTED); otherwise the merchant creates it approved (OPEN).
      const ret = b.request === true ? requestReturn(dom, order.id, lines) : createReturn(dom, order.id, lines);
      res.status(201);
      return returnJson(ret.id);
    }),
  );
  const returnJson = (id: number) => ({ ...sim.state.returns.find((r) => r.id === id), admin_graphql_api_id: gid('Return', id) });
  router.get(
    '/returns',
    handle(() => sim.state.returns.map((r) => returnJson(r.id))),
  );
  router.post(
    '/returns/:id/approve',
    handle((req) => returnJson(approveReturn(dom, intParam(req.params.id, 'id')).id)),
  );
  router.post(
    '/returns/:id/decline',
    handle((req) => {
      const b = body(req);
      const reason = (optionalText(b.reason, 'reason') ?? 'OTHER').toUpperCase();
      if (reason !== 'FINAL_SALE' && reason !== 'OTHER' && reason !== 'RETURN_PERIOD_ENDED')
        fail('reason must be final_sale, other or return_period_ended', ['reason']);
      return returnJson(declineReturn(dom, intParam(req.params.id, 'id'), { reason, note: optionalText(b.note, 'note') ?? null }).id);
    }),
  );
  router.post(
    '/returns/:id/cancel',
    handle((req) => returnJson(cancelReturn(dom, intParam(req.params.id, 'id')).id)),
  );
  router.post(
    '/returns/:id/close',
    handle((req) => returnJson(closeReturn(dom, intParam(req.params.id, 'id')).id)),
  );
  router.post(
    '/returns/:id/reopen',
    handle((req) => returnJson(reopenReturn(dom, intParam(req.params.id, 'id')).id)),
  );
  router.post(
    '/returns/:id/process',
    handle((req) => {
      const id = intParam(req.params.id, 'id');
      const ret = sim.state.returns.find((r) => r.id === id);
      if (!ret) fail('Return does not exist', ['id']);
      const b = body(req);
      const order = requireOrder(dom, ret.orderId);
      const locationId = b.locationId === undefined ? order.locationId : intParam(b.locationId, 'locationId');
      // Every open line in full, or `lines: [{sku, quantity, restock}]`; restocked at `locationId` (default the order's).
      const wanted =
        b.lines === undefined
          ? ret.lines.map((l) => ({ line: l, quantity: l.quantity - l.processedQuantity, restock: b.restock !== false }))
          : objects(b.lines, 'lines').map((w, i) => {
              const lineItemId = lineItemFor(order, w, i);
              const line = ret.lines.find((x) => x.lineItemId === lineItemId && x.processedQuantity < x.quantity);
              if (!line) fail(`Line ${i} is not an open line of this return`, ['lines', String(i)]);
              return {
                line,
                quantity: intParam(w.quantity, `lines[${i}].quantity`),
                restock: w.restock === undefined ? b.restock !== false : w.restock === true,
              };
            });
      const { refund } = processReturn(dom, {
        returnId: id,
        lines: wanted
          .filter((w) => w.quantity > 0)
          .map((w) => ({
            id: w.line.id,
            quantity: w.quantity,
            dispositions: [
              {
                type: w.restock ? ('RESTOCKED' as const) : ('NOT_RESTOCKED' as const),
                quantity: w.quantity,
                locationId: w.restock ? locationId : null,
              },
            ],
          })),
        ...(b.refund === true
          ? { refundAmount: 'suggested' as const }
          : typeof b.refund === 'string' || typeof b.refund === 'number'
            ? { refundAmount: toCents(String(b.refund), dom.state.shop.currency) }
            : {}),
        ...(b.refundShipping === true ? { refundShippingFull: true } : {}),
        note: optionalText(b.note, 'note') ?? null,
      });
      return { return: returnJson(id), refund: refund ? refundPayload(sim.state, refund) : null };
    }),
  );

  // Customers.
  const customerInput = (b: Body): CustomerInput => {
    const out: CustomerInput = {};
    for (const key of ['email', 'phone', 'firstName', 'lastName', 'note'] as const) {
      if (b[key] !== undefined) out[key] = optionalText(b[key], key) ?? null;
    }
    if (b.tags !== undefined) out.tags = texts(b.tags, 'tags');
    if (b.taxExempt !== undefined) out.taxExempt = b.taxExempt === true;
    if (b.locale !== undefined) out.locale = optionalText(b.locale, 'locale');
    if (b.addresses !== undefined) out.addresses = objects(b.addresses, 'addresses');
    return out;
  };
  router.post(
    '/customers',
    handle((req, res) => {
      const c = createCustomer(dom, customerInput(body(req)));
      res.status(201);
      return customerPayload(sim.state, c);
    }),
  );
  router.get(
    '/customers',
    handle((req) => {
      const email = req.query.email as string | undefined;
      const list = email ? [findCustomerByEmail(dom, email)].filter((c) => c !== undefined) : sim.state.customers;
      return list.map((c) => customerPayload(sim.state, c));
    }),
  );
  router.patch(
    '/customers/:id',
    handle((req) => customerPayload(sim.state, updateCustomer(dom, intParam(req.params.id, 'id'), customerInput(body(req))))),
  );
  router.delete(
    '/customers/:id',
    handle((req) => ({ deleted: deleteCustomer(dom, intParam(req.params.id, 'id')) })),
  );

  router.get(
    '/stats',
    handle(() => sim.stats),
  );

  // Webhooks.
  router.get(
    '/webhooks/deliveries',
    handle((req) => {
      const topic = req.query.topic as string | undefined;
      return sim.state.deliveries
        .filter((d) => !topic || d.topic === topic)
        .map((d) => ({ ...d, body: JSON.parse(d.body) as unknown, raw_body: d.body }));
    }),
  );
  router.get(
    '/webhooks/subscriptions',
    handle(() => sim.state.subscriptions),
  );
  router.post(
    '/webhooks/subscriptions',
    handle((req, res) => {
      const b = body(req);
      if (typeof b.topic !== 'string' || typeof b.uri !== 'string') throw new BadRequest('topic and uri are required');
      res.status(201);
      return createSubscription(dom, {
        topic: b.topic,
        uri: b.uri,
        source: b.source === 'api' ? 'api' : 'app',
        includeFields: b.includeFields === undefined ? [] : texts(b.includeFields, 'includeFields'),
      });
    }),
  );
  router.delete(
    '/webhooks/subscriptions/:id',
    handle((req) => (deleteSubscription(dom, intParam(req.params.id, 'id')), { ok: true })),
  );

  // Privacy and app lifecycle: events only Shopify can trigger.
  const emitOne = (event: SimEvent) => {
    dom.emit([event]);
    return { ok: true, topic: event.topic, payload: event.payload };
  };
  const privacyCustomer = (b: Body) => {
    const c =
      b.customerId !== undefined
        ? sim.state.customers.find((x) => x.id === intParam(b.customerId, 'customerId'))
        : typeof b.email === 'string'
          ? findCustomerByEmail(dom, b.email)
          : undefined;
    if (!c) fail('Customer not found (give customerId or email)', ['customerId']);
    return c;
  };
  router.post(
    '/privacy/customers-redact',
    handle((req) => {
      const c = privacyCustomer(body(req));
      const orders = sim.state.orders.filter((o) => o.customerId === c.id).map((o) => o.id);
      return emitOne({ topic: 'customers/redact', payload: customersRedactPayload(sim.state, c, orders) });
    }),
  );
  router.post(
    '/privacy/customers-data-request',
    handle((req) => {
      const c = privacyCustomer(body(req));
      const orders = sim.state.orders.filter((o) => o.customerId === c.id).map((o) => o.id);
      return emitOne({ topic: 'customers/data_request', payload: customersDataRequestPayload(sim.state, c, orders, nextId(dom)) });
    }),
  );
  router.get(
    '/privacy/erasure-requests',
    handle(() => dataErasureRequests(sim.state)),
  );
  router.post(
    '/privacy/shop-redact',
    handle(() => emitOne({ topic: 'shop/redact', payload: shopRedactPayload(sim.state) })),
  );
  router.post(
    '/app/uninstalled',
    handle(() => emitOne({ topic: 'app/uninstalled', payload: shopPayload(sim.state) })),
  );

  router.use((_req: Request, res: Response) => {
    res.status(404).json({ errors: [{ field: null, message: 'no such control endpoint; see docs/simulator.md' }] });
  });
  return router;
}
