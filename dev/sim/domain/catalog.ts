/**
 * Products, variants, inventory items and levels: the merchant-side catalogue operations shared by
 * the GraphQL resolvers and the control API.
 */
import { inventoryLevelPayload, productPayload } from '../payloads.js';
import * as q from '../quantities.js';
import type { InventoryLevel, Product, Variant } from '../state.js';
import { inventoryItemOf, levelOf } from '../lookup.js';
import { fail, nextId, nowIso, type DomainContext, type SimEvent, DomainError } from './context.js';
import { toCents } from '../money.js';

export function findLevel(ctx: DomainContext, inventoryItemId: number, locationId: number): InventoryLevel | undefined {
  return levelOf(ctx.state, inventoryItemId, locationId);
}

export function variantsBySku(ctx: DomainContext, sku: string): Variant[] {
  return ctx.state.variants.filter((v) => v.sku === sku);
}

export function requireVariantBySku(ctx: DomainContext, sku: string): Variant {
  const variant = variantsBySku(ctx, sku)[0];
  if (!variant) fail(`No variant with SKU "${sku}"`, ['sku']);
  return variant;
}

export function primaryLocationId(ctx: DomainContext): number {
  const loc = ctx.state.locations.find((l) => l.isActive);
  if (!loc) fail('The shop has no active location');
  return loc.id;
}

function slugify(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'product'
  );
}

export function levelEvent(level: InventoryLevel): SimEvent {
  return { topic: 'inventory_levels/update', payload: inventoryLevelPayload(level) };
}

export function productEvent(ctx: DomainContext, product: Product, topic = 'products/update'): SimEvent {
  return { topic, payload: productPayload(ctx.state, product) };
}

/** Applies a pure quantity transition to a level and stamps it. Returns true when `available` changed. */
export function applyQuantities(ctx: DomainContext, level: InventoryLevel, next: q.Quantities): boolean {
  const changed = next.available !== level.available;
  level.available = next.available;
  level.committed = next.committed;
  level.on_hand = next.on_hand;
  level.updatedAt = nowIso(ctx);
  return changed;
}

export function activateLevel(ctx: DomainContext, inventoryItemId: number, locationId: number): InventoryLevel {
  const existing = findLevel(ctx, inventoryItemId, locationId);
  if (existing) return existing;
  const now = nowIso(ctx);
  const level: InventoryLevel = { inventoryItemId, locationId, ...q.emptyQuantities(), createdAt: now, updatedAt: now };
  ctx.state.levels.push(level);
  return level;
}

export interface VariantInput {
  id?: number;
  sku?: string | null;
  barcode?: string | null;
  price?: string | number;
  compareAtPrice?: string | number | null;
  taxable?: boolean;
  inventoryPolicy?: 'DENY' | 'CONTINUE';
  optionValues?: { optionName: string; name: string }[];
  tracked?: boolean;
  requiresShipping?: boolean;
  inventoryQuantities?: { locationId: number; name: string; quantity: number }[];
}

export interface ProductInput {
  title?: string;
  handle?: string;
  status?: 'ACTIVE' | 'ARCHIVED' | 'DRAFT';
  vendor?: string;
  productType?: string;
  tags?: string[];
  descriptionHtml?: string;
  options?: { name: string; values: string[] }[];
  variants?: VariantInput[];
}

function sameOptions(a: { optionName: string; name: string }[], b: { optionName: string; name: string }[]): boolean {
  return a.length === b.length && a.every((x, i) => x.optionName === b[i]?.optionName && x.name === b[i]?.name);
}

/**
 * productSet semantics: creates or updates a product; the variant list is complete (variants left
 * out are deleted), scalars are changed only when given. New inventory items are stocked at the
 * primary location.
 */
export function setProduct(ctx: DomainContext, existingId: number | undefined, input: ProductInput): Product {
  const now = nowIso(ctx);
  let product = existingId === undefined ? undefined : ctx.state.products.find((p) => p.id === existingId);
  if (existingId !== undefined && !product) fail('Product does not exist', ['identifier', 'id'], 'PRODUCT_DOES_NOT_EXIST');
  const creating = !product;
  if (creating && !input.title) fail("Title can't be blank", ['input', 'title'], 'BLANK');
  validateVariants(ctx, product, input.variants ?? []);
  if (!product) {
    const handle = input.handle ?? slugify(input.title!);
    if (ctx.state.products.some((p) => p.handle === handle)) fail(`Handle "${handle}" is already in use`, ['input', 'handle'], 'TAKEN');
    product = {
      id: nextId(ctx),
      title: input.title!,
      handle,
      status: 'ACTIVE',
      vendor: '',
      productType: '',
      tags: [],
      descriptionHtml: '',
      options: [{ name: 'Title', values: ['Default Title'] }],
      variantIds: [],
      createdAt: now,
      updatedAt: now,
    };
    ctx.state.products.push(product);
  }
  if (input.title !== undefined) product.title = input.title;
  if (input.handle !== undefined && !creating) product.handle = input.handle;
  if (input.status !== undefined) product.status = input.status;
  if (input.vendor !== undefined) product.vendor = input.vendor;
  if (input.productType !== undefined) product.productType = input.productType;
  if (input.tags !== undefined) product.tags = input.tags;
  if (input.descriptionHtml !== undefined) product.descriptionHtml = input.descriptionHtml;
  if (input.options !== undefined) product.options = input.options;
  const events: SimEvent[] = [];
  if (input.variants !== undefined) {
    const keep: number[] = [];
    const current = product.variantIds.map((id) => ctx.state.variants.find((v) => v.id === id)!).filter(Boolean);
    input.variants.forEach((vi, index) => {
      const optionValues = vi.optionValues ?? [{ optionName: 'Title', name: 'Default Title' }];
      let variant =
        vi.id !== undefined ? current.find((v) => v.id === vi.id) : current.find((v) => sameOptions(v.optionValues, optionValues));
      variant ??= createVariant(ctx, product, optionValues);
      updateVariant(ctx, variant, { ...vi, optionValues });
      variant.position = index + 1;
      keep.push(variant.id);
      for (const iq of vi.inventoryQuantities ?? []) {
        const level = findLevel(ctx, variant.inventoryItemId, iq.locationId)!;
        const next = iq.name === 'on_hand' ? q.setOnHand(level, iq.quantity) : q.setAvailable(level, iq.quantity);
        if (applyQuantities(ctx, level, next)) events.push(levelEvent(level));
      }
    });
    for (const v of current) {
      if (!keep.includes(v.id)) deleteVariant(ctx, v);
    }
    product.variantIds = keep;
    if (input.options === undefined) {
      const names = [...new Set(keep.flatMap((id) => ctx.state.variants.find((v) => v.id === id)!.optionValues.map((o) => o.optionName)))];
      product.options = names.map((name) => ({
        name,
        values: [
          ...new Set(
            keep.map((id) => ctx.state.variants.find((v) => v.id === id)!.optionValues.find((o) => o.optionName === name)?.name ?? ''),
          ),
        ],
      }));
    }
  }
  if (product.variantIds.length === 0) {
    const variant = createVariant(ctx, product, [{ optionName: 'Title', name: 'Default Title' }]);
    product.variantIds = [variant.id];
  }
  product.updatedAt = now;
  ctx.emit([productEvent(ctx, product, creating ? 'products/create' : 'products/update'), ...events]);
  return product;
}

/** Everything setProduct could refuse, checked before anything changes. */
function validateVariants(ctx: DomainContext, product: Product | undefined, variants: VariantInput[]): void {
  const current = (product?.variantIds ?? []).map((id) => ctx.state.variants.find((v) => v.id === id)!).filter(Boolean);
  const primary = primaryLocationId(ctx);
  variants.forEach((vi, index) => {
    const field = ['input', 'variants', String(index)];
    const optionValues = vi.optionValues ?? [{ optionName: 'Title', name: 'Default Title' }];
    const existing =
      vi.id !== undefined ? current.find((v) => v.id === vi.id) : current.find((v) => sameOptions(v.optionValues, optionValues));
    if (vi.id !== undefined && !existing) fail(`Variant ${vi.id} does not belong to the product`, [...field, 'id']);
    for (const [key, value] of [
      ['price', vi.price],
      ['compareAtPrice', vi.compareAtPrice],
    ] as const) {
      if (value === undefined || value === null) continue;
      try {
        toCents(value, ctx.state.shop.currency);
      } catch (error) {
        fail((error as Error).message, [...field, key], 'INVALID_VARIANT');
      }
    }
    for (const iq of vi.inventoryQuantities ?? []) {
      if (iq.name !== 'available' && iq.name !== 'on_hand')
        fail('The quantity name must be "available" or "on_hand"', [...field, 'inventoryQuantities']);
      const stocked = existing ? findLevel(ctx, existing.inventoryItemId, iq.locationId) !== undefined : iq.locationId === primary;
      if (!stocked) fail('The variant is not stocked at this location', [...field, 'inventoryQuantities']);
    }
  });
}

function createVariant(ctx: DomainContext, product: Product, optionValues: { optionName: string; name: string }[]): Variant {
  const now = nowIso(ctx);
  const itemId = nextId(ctx);
  const variant: Variant = {
    id: nextId(ctx),
    productId: product.id,
    title: optionValues.map((o) => o.name).join(' / '),
    sku: null,
    barcode: null,
    price: 0,
    compareAtPrice: null,
    taxable: true,
    inventoryPolicy: 'DENY',
    position: product.variantIds.length + 1,
    optionValues,
    inventoryItemId: itemId,
    createdAt: now,
    updatedAt: now,
  };
  ctx.state.variants.push(variant);
  ctx.state.inventoryItems.push({
    id: itemId,
    sku: null,
    tracked: true,
    requiresShipping: true,
    variantId: variant.id,
    createdAt: now,
    updatedAt: now,
  });
  activateLevel(ctx, itemId, primaryLocationId(ctx));
  return variant;
}

function deleteVariant(ctx: DomainContext, variant: Variant): void {
  ctx.state.variants = ctx.state.variants.filter((v) => v.id !== variant.id);
  ctx.state.inventoryItems = ctx.state.inventoryItems.filter((i) => i.id !== variant.inventoryItemId);
  ctx.state.levels = ctx.state.levels.filter((l) => l.inventoryItemId !== variant.inventoryItemId);
}

export function updateVariant(ctx: DomainContext, variant: Variant, vi: VariantInput): void {
  const item = ctx.state.inventoryItems.find((i) => i.id === variant.inventoryItemId)!;
  try {
    if (vi.price !== undefined) variant.price = toCents(vi.price, ctx.state.shop.currency);
    if (vi.compareAtPrice !== undefined)
      variant.compareAtPrice = vi.compareAtPrice === null ? null : toCents(vi.compareAtPrice, ctx.state.shop.currency);
  } catch (error) {
    throw new DomainError([{ field: ['price'], message: (error as Error).message }]);
  }
  if (vi.sku !== undefined) {
    variant.sku = vi.sku;
    item.sku = vi.sku;
  }
  if (vi.barcode !== undefined) variant.barcode = vi.barcode;
  if (vi.taxable !== undefined) variant.taxable = vi.taxable;
  if (vi.inventoryPolicy !== undefined) variant.inventoryPolicy = vi.inventoryPolicy;
  if (vi.optionValues !== undefined) {
    variant.optionValues = vi.optionValues;
    variant.title = vi.optionValues.map((o) => o.name).join(' / ');
  }
  if (vi.tracked !== undefined) item.tracked = vi.tracked;
  if (vi.requiresShipping !== undefined) item.requiresShipping = vi.requiresShipping;
  variant.updatedAt = nowIso(ctx);
  item.updatedAt = variant.updatedAt;
}

/** productVariantsBulkUpdate: updates the listed variants of one product. */
export function bulkUpdateVariants(ctx: DomainContext, productId: number, inputs: (VariantInput & { id?: number })[]): Variant[] {
  const product = ctx.state.products.find((p) => p.id === productId);
  if (!product) fail('Product does not exist', ['productId'], 'PRODUCT_DOES_NOT_EXIST');
  const variants = inputs.map((vi, index) => {
    const variant = ctx.state.variants.find((v) => v.id === vi.id && v.productId === productId);
    if (!variant) fail('Product variant does not exist', ['variants', String(index), 'id'], 'PRODUCT_VARIANT_DOES_NOT_EXIST');
    return variant;
  });
  inputs.forEach((vi, index) => {
    for (const [key, value] of [
      ['price', vi.price],
      ['compareAtPrice', vi.compareAtPrice],
    ] as const) {
      if (value === undefined || value === null) continue;
      try {
        toCents(value, ctx.state.shop.currency);
      } catch (error) {
        fail((error as Error).message, ['variants', String(index), key]);
      }
    }
  });
  variants.forEach((v, i) => updateVariant(ctx, v, inputs[i]!));
  product.updatedAt = nowIso(ctx);
  ctx.emit([productEvent(ctx, product)]);
  return variants;
}

export interface SetQuantityInput {
  inventoryItemId: number;
  locationId: number;
  quantity: number;
  changeFromQuantity: number | null | undefined;
}

export interface AdjustmentChange {
  name: string;
  delta: number;
  quantityAfterChange: number;
  inventoryItemId: number;
  locationId: number;
}

export interface AdjustmentGroup {
  id: number;
  createdAt: string;
  reason: string;
  referenceDocumentUri: string | null;
  changes: AdjustmentChange[];
}

/**
 * inventorySetQuantities: all-or-nothing. Every `changeFromQuantity` is compared with the current
 * quantity of `name` before anything changes (compare-and-swap); `null` skips the check.
 */
export function setQuantities(
  ctx: DomainContext,
  input: { name: string; reason: string; referenceDocumentUri?: string | null; quantities: SetQuantityInput[]; listField?: string },
): AdjustmentGroup {
  if (input.name !== 'available' && input.name !== 'on_hand') {
    fail('The quantity name must be either "available" or "on_hand".', ['input', 'name'], 'INVALID_NAME');
  }
  const seen = new Set<string>();
  const levels = input.quantities.map((entry, index) => {
    const field = ['input', input.listField ?? 'quantities', String(index)];
    if (entry.changeFromQuantity === undefined) {
      fail(
        'changeFromQuantity must be provided; pass null to skip the check.',
        [...field, 'changeFromQuantity'],
        'CHANGE_FROM_QUANTITY_STALE',
      );
    }
    const item = inventoryItemOf(ctx.state, entry.inventoryItemId);
    if (!item) fail('The specified inventory item could not be found.', [...field, 'inventoryItemId'], 'INVALID_INVENTORY_ITEM');
    if (!ctx.state.locations.some((l) => l.id === entry.locationId)) {
      fail('The specified location could not be found.', [...field, 'locationId'], 'INVALID_LOCATION');
    }
    const key = `${entry.inventoryItemId}:${entry.locationId}`;
    if (seen.has(key))
      fail('The combination of inventoryItemId and locationId must be unique.', field, 'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR');
    seen.add(key);
    if (entry.quantity > 1_000_000_000) fail('The quantity is too high.', [...field, 'quantity'], 'INVALID_QUANTITY_TOO_HIGH');
    if (entry.quantity < -1_000_000_000) fail('The quantity is too low.', [...field, 'quantity'], 'INVALID_QUANTITY_TOO_LOW');
    // An unstocked location reads as 0 and is activated when applied (ITEM_NOT_STOCKED_AT_LOCATION is gone in 2026-10).
    const existing = findLevel(ctx, entry.inventoryItemId, entry.locationId);
    const current = existing ? q.quantityByName(existing, input.name) : 0;
    if (entry.changeFromQuantity !== null && entry.changeFromQuantity !== current) {
      fail(
        `The specified compare quantity does not match the current quantity: expected ${entry.changeFromQuantity}, current ${current}.`,
        [...field, 'changeFromQuantity'],
        'CHANGE_FROM_QUANTITY_STALE',
      );
    }
    return entry;
  });
  const group: AdjustmentGroup = {
    id: nextId(ctx),
    createdAt: nowIso(ctx),
    reason: input.reason,
    referenceDocumentUri: input.referenceDocumentUri ?? null,
    changes: [],
  };
  const events: SimEvent[] = [];
  levels.forEach((entry) => {
    const level = activateLevel(ctx, entry.inventoryItemId, entry.locationId);
    const before = { available: level.available, on_hand: level.on_hand };
    const next = input.name === 'on_hand' ? q.setOnHand(level, entry.quantity) : q.setAvailable(level, entry.quantity);
    if (applyQuantities(ctx, level, next)) events.push(levelEvent(level));
    for (const name of ['available', 'on_hand'] as const) {
      const delta = level[name] - before[name];
      if (delta !== 0 || name === input.name) {
        group.changes.push({
          name,
          delta,
          quantityAfterChange: level[name],
          inventoryItemId: level.inventoryItemId,
          locationId: level.locationId,
        });
      }
    }
  });
  ctx.emit(events);
  return group;
}

/**
 * inventoryAdjustQuantities: deltas instead of absolute quantities, with the same compare-and-swap
 * (`changeFromQuantity` is compared with the quantity before the delta). `on_hand` changes need a
 * `ledgerDocumentUri` that is not a Shopify GID; only `available` and `on_hand` are simulated.
 */
export function adjustQuantities(
  ctx: DomainContext,
  input: {
    name: string;
    reason: string;
    referenceDocumentUri?: string | null;
    changes: (Omit<SetQuantityInput, 'quantity'> & { delta: number; ledgerDocumentUri?: string | null })[];
  },
): AdjustmentGroup {
  if (input.name !== 'available' && input.name !== 'on_hand') {
    fail(`The quantity name "${input.name}" is not simulated (available, on_hand).`, ['input', 'name'], 'INVALID_QUANTITY_NAME');
  }
  input.changes.forEach((c, index) => {
    const field = ['input', 'changes', String(index), 'ledgerDocumentUri'];
    if (input.name !== 'available' && !c.ledgerDocumentUri)
      fail('A ledger document URI is required for quantity names other than available.', field, 'INVALID_LEDGER_DOCUMENT');
    if (c.ledgerDocumentUri?.startsWith('gid://shopify/'))
      fail('The ledger document URI cannot be a Shopify resource.', field, 'INTERNAL_LEDGER_DOCUMENT');
  });
  return setQuantities(ctx, {
    name: input.name,
    reason: input.reason,
    referenceDocumentUri: input.referenceDocumentUri ?? null,
    listField: 'changes',
    quantities: input.changes.map((c) => {
      const level = findLevel(ctx, c.inventoryItemId, c.locationId);
      return {
        inventoryItemId: c.inventoryItemId,
        locationId: c.locationId,
        changeFromQuantity: c.changeFromQuantity,
        quantity: (level ? q.quantityByName(level, input.name) : 0) + c.delta,
      };
    }),
  });
}

/** inventoryActivate: stocks an item at a location. An existing level keeps its quantities (2026-04). */
export function activateInventory(
  ctx: DomainContext,
  inventoryItemId: number,
  locationId: number,
  available?: number | null,
  onHand?: number | null,
): InventoryLevel {
  if (!ctx.state.inventoryItems.some((i) => i.id === inventoryItemId)) fail('The inventory item could not be found.', ['inventoryItemId']);
  if (!ctx.state.locations.some((l) => l.id === locationId)) fail('The location could not be found.', ['locationId']);
  const existing = findLevel(ctx, inventoryItemId, locationId);
  if (existing) return existing;
  const level = activateLevel(ctx, inventoryItemId, locationId);
  let next: q.Quantities = level;
  if (onHand !== undefined && onHand !== null) next = q.setOnHand(next, onHand);
  if (available !== undefined && available !== null) next = q.setAvailable(next, available);
  if (applyQuantities(ctx, level, next)) ctx.emit([levelEvent(level)]);
  return level;
}

/** A merchant adjusting stock in Shopify admin: a delta on available, or an absolute available/on_hand. */
export function merchantAdjust(
  ctx: DomainContext,
  input: { sku: string; locationId?: number; delta?: number; available?: number; onHand?: number },
): InventoryLevel {
  const variant = requireVariantBySku(ctx, input.sku);
  const locationId = input.locationId ?? primaryLocationId(ctx);
  if (!ctx.state.locations.some((l) => l.id === locationId)) fail(`No location ${locationId}`, ['locationId']);
  const level = activateLevel(ctx, variant.inventoryItemId, locationId);
  let next: q.Quantities;
  if (input.onHand !== undefined) next = q.setOnHand(level, input.onHand);
  else if (input.available !== undefined) next = q.setAvailable(level, input.available);
  else if (input.delta !== undefined) next = q.adjustAvailable(level, input.delta);
  else fail('Give one of delta, available or onHand', null);
  if (applyQuantities(ctx, level, next)) ctx.emit([levelEvent(level)]);
  return level;
}

/** A small catalogue for demos and tests: three SKUs stocked at both locations. */
export function seedDemoCatalog(ctx: DomainContext): void {
  const silent: DomainContext = { ...ctx, emit: () => undefined };
  const [main, second] = ctx.state.locations;
  const shirt = setProduct(silent, undefined, {
    title: 'Simulator T-Shirt',
    vendor: 'Sim',
    productType: 'Shirts',
    variants: [
      { sku: 'SIM-TSHIRT-S', price: '19.99', optionValues: [{ optionName: 'Size', name: 'S' }] },
      { sku: 'SIM-TSHIRT-M', price: '19.99', optionValues: [{ optionName: 'Size', name: 'M' }] },
    ],
  });
  const mug = setProduct(silent, undefined, {
    title: 'Simulator Mug',
    vendor: 'Sim',
    productType: 'Mugs',
    variants: [{ sku: 'SIM-MUG', price: '9.50' }],
  });
  for (const product of [shirt, mug]) {
    for (const variantId of product.variantIds) {
      const variant = ctx.state.variants.find((v) => v.id === variantId)!;
      if (main) applyQuantities(silent, activateLevel(silent, variant.inventoryItemId, main.id), q.setOnHand(q.emptyQuantities(), 10));
      if (second) applyQuantities(silent, activateLevel(silent, variant.inventoryItemId, second.id), q.setOnHand(q.emptyQuantities(), 5));
    }
  }
}
