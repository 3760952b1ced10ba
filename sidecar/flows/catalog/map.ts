/**
 * Catalog, Odoo → Shopify: the pure mapping from the contract's ProductDocument to the input of
 * Shopify's `productSet`, and the hash that decides whether anything needs pushing. No I/O.
 *
 * Rules (docs/flows.md "Catalog"):
 * - The product is identified by its GID once bound; before that by a handle derived from the
 *   Odoo template id (`odoo-product-<id>`), so a retry after a timeout finds the product the
 *   first attempt created instead of creating a second one (productSet upserts by handle).
 * - Archived or not-for-sale templates become `ARCHIVED`; active ones `ACTIVE`.
 * - Only variants with a SKU are pushed (SKU is the join key of orders and stock); a variant
 *   without one is listed in `skipped` with the reason the binding shows. Archived variants of an
 *   active template are left out (productSet deletes variants it is not given); an archived
 *   template keeps all its SKU variants so archiving never deletes them.
 * - `hash` covers exactly what is sent except Shopify IDs, so IDs written back after the first
 *   push do not make the next export look changed (equal content → no push; docs/flows.md "Catalog").
 */
import { PermanentError } from '../../queue/errors.js';
import { contentDigest } from '../../shopify/idempotency.js';
import type { ProductDocument, ProductVariantDocument } from '../../odoo/contract.js';
import type { ProductSetInput, ProductSetMutation, ProductVariantSetInput } from '../../shopify/index.js';

export const HANDLE_PREFIX = 'odoo-product-';
/** Shopify's implicit option of single-variant products. */
export const DEFAULT_OPTION = { name: 'Title', value: 'Default Title' } as const;

export function productHandle(templateId: number): string {
  // A document naming no real template cannot become a product: the record's error, not a retry.
  if (!Number.isSafeInteger(templateId) || templateId <= 0) throw new PermanentError(`catalog: bad template id ${templateId}`);
  return `${HANDLE_PREFIX}${templateId}`;
}

/**
 * A variant of productSet's input: the fields of the generated ProductVariantSetInput the plan
 * sets, each narrowed to what it sets (a field Shopify drops or retypes fails to compile here).
 */
export type VariantSetInput = Pick<ProductVariantSetInput, 'id' | 'sku' | 'barcode' | 'price' | 'optionValues' | 'inventoryItem'> & {
  id?: string;
  sku: string;
  barcode: string | null;
  price: string;
  optionValues: Array<{ optionName: string; name: string }>;
  inventoryItem: { tracked: boolean };
};

/** productSet's input: the fields of the generated ProductSetInput the plan sets, narrowed likewise. */
export type ProductSetPushInput = Pick<
  ProductSetInput,
  'title' | 'handle' | 'descriptionHtml' | 'status' | 'productOptions' | 'variants'
> & {
  title: string;
  handle?: string;
  descriptionHtml: string;
  status: 'ACTIVE' | 'ARCHIVED';
  productOptions: Array<{ name: string; position: number; values: Array<{ name: string }> }>;
  variants: VariantSetInput[];
};

export interface SkippedVariant {
  odoo_id: number;
  reason: string;
}

export type ProductSetPlan =
  | {
      kind: 'push';
      identifier: { id: string } | { handle: string };
      input: ProductSetPushInput;
      /** Odoo variant ids in the order of `input.variants`. */
      variantIds: number[];
      skipped: SkippedVariant[];
      hash: string;
    }
  | { kind: 'nothing'; reason: string; skipped: SkippedVariant[] };

/** Plain text from Odoo's sales description as HTML: escaped, line breaks kept. */
export function descriptionHtml(text: string | null): string {
  if (!text) return '';
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return escaped.replace(/\r?\n/g, '<br>');
}

function variantLabel(v: ProductVariantDocument): string {
  const values = v.option_values.map((o) => o.value).join(' / ');
  return values ? `variant "${values}" (id ${v.odoo_id})` : `variant id ${v.odoo_id}`;
}

export function planProductSet(doc: ProductDocument): ProductSetPlan {
  const skipped: SkippedVariant[] = [];
  const pushed: ProductVariantDocument[] = [];
  for (const v of doc.variants) {
    if (!v.sku || v.sku.trim() === '') {
      skipped.push({ odoo_id: v.odoo_id, reason: `${variantLabel(v)} has no SKU (Internal Reference): not pushed to Shopify` });
      continue;
    }
    // An archived variant of a live product is removed from Shopify by leaving it out; an
    // archived product keeps its variants (status ARCHIVED hides them all).
    if (doc.active && !v.active) continue;
    pushed.push(v);
  }
  if (pushed.length === 0) {
    const reason =
      skipped.length > 0 ? `product "${doc.name}" not pushed: no variant has a SKU` : `product "${doc.name}" not pushed: no active variant`;
    return { kind: 'nothing', reason, skipped };
  }
  const options = doc.options.filter((o) => o.values.length > 0);
  const productOptions =
    options.length > 0
      ? options.map((o, i) => ({
          name: o.name,
          position: i + 1,
          values: o.values
            .filter((value) => pushed.some((v) => v.option_values.some((ov) => ov.option === o.name && ov.value === value)))
            .map((name) => ({ name })),
        }))
      : [{ name: DEFAULT_OPTION.name, position: 1, values: [{ name: DEFAULT_OPTION.value }] }];
  const variants: VariantSetInput[] = pushed.map((v) => ({
    sku: v.sku!,
    barcode: v.barcode && v.barcode !== '' ? v.barcode : null,
    price: v.price,
    optionValues:
      options.length > 0
        ? options.map((o) => ({ optionName: o.name, name: v.option_values.find((ov) => ov.option === o.name)?.value ?? '' }))
        : [{ optionName: DEFAULT_OPTION.name, name: DEFAULT_OPTION.value }],
    inventoryItem: { tracked: true },
  }));
  const input: ProductSetPushInput = {
    title: doc.name,
    descriptionHtml: descriptionHtml(doc.description),
    status: doc.active ? 'ACTIVE' : 'ARCHIVED',
    productOptions: productOptions.filter((o) => o.values.length > 0),
    variants,
  };
  // The hash is taken before Shopify IDs and the handle are added: it is the content.
  const hash = contentDigest({ input, skipped });
  const bound = doc.shopify_product_gid;
  const identifier = bound ? { id: bound } : { handle: productHandle(doc.odoo_id) };
  const withIds: ProductSetPushInput = {
    ...input,
    ...(bound ? {} : { handle: productHandle(doc.odoo_id) }),
    variants: variants.map((v, i) => {
      const gid = pushed[i]!.shopify_variant_gid;
      return gid && bound ? { id: gid, ...v } : v;
    }),
  };
  return { kind: 'push', identifier, input: withIds, variantIds: pushed.map((v) => v.odoo_id), skipped, hash };
}

/** The message the binding shows for variants that were not pushed (null when none). */
export function skippedMessage(skipped: readonly SkippedVariant[]): string | null {
  return skipped.length === 0 ? null : skipped.map((s) => s.reason).join('; ');
}

/** The product productSet answers with (the type generated from ProductSet.graphql), and one of its variants. */
export type ShopifyProductSetProduct = NonNullable<NonNullable<ProductSetMutation['productSet']>['product']>;
export type ShopifyProductSetVariant = ShopifyProductSetProduct['variants']['nodes'][number];

/**
 * The variant and inventory-item GIDs to write back, matched by SKU (unique within the pushed
 * variants when Odoo's SKUs are), falling back to position for duplicate SKUs.
 */
export function childrenFromResult(
  plan: Extract<ProductSetPlan, { kind: 'push' }>,
  nodes: readonly ShopifyProductSetVariant[],
): Array<{ model: 'product.product'; res_id: number; shopify_gid: string; inventory_item_gid: string | null }> {
  const out: Array<{ model: 'product.product'; res_id: number; shopify_gid: string; inventory_item_gid: string | null }> = [];
  const used = new Set<string>();
  plan.input.variants.forEach((v, i) => {
    const sameSku = nodes.filter((n) => n.sku === v.sku && !used.has(n.id));
    const node = sameSku.length === 1 ? sameSku[0] : nodes[i] && !used.has(nodes[i].id) ? nodes[i] : sameSku[0];
    if (!node) return;
    used.add(node.id);
    out.push({
      model: 'product.product',
      res_id: plan.variantIds[i]!,
      shopify_gid: node.id,
      inventory_item_gid: node.inventoryItem?.id ?? null,
    });
  });
  return out;
}
