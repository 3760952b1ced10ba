/**
 * Onboarding an existing shop: which existing Shopify variants and customers are the same as
 * which existing Odoo variants and partners. Pure: both sides' listings in, a link plan with its
 * conflicts and leftovers out; no I/O.
 *
 * Rules (docs/flows.md, "Onboarding"):
 * - Variants match by SKU first, then (for those left) by barcode. SKUs compare trimmed and
 *   case-insensitively, barcodes trimmed without inner spaces. A key that occurs more than once
 *   on either side links nothing: it is a conflict (linking would pick one at random, and the
 *   catalog push would then overwrite the other).
 * - A product links when all its matched variants sit in one Shopify product and no other Odoo
 *   product matched that Shopify product; otherwise it is a conflict and nothing of it links.
 * - A record already bound to the same Shopify ID is "already linked"; bound to another is a
 *   conflict (never re-bound silently).
 * - Customers match by normalised email (rules/email.ts), never by name, with the same
 *   duplicate and binding rules.
 * - Nothing is created on either side: a leftover is reported as unmatched.
 */
import type { ExportedCustomer, ProductDocument } from '../odoo/contract.js';
import { normaliseEmail } from '../rules/email.js';
import type { OnboardingCustomersQuery, OnboardingVariantsQuery } from '../shopify/index.js';

/** A Shopify variant as OnboardingVariants lists it (the type generated from its document). */
export type ShopifyVariantListed = OnboardingVariantsQuery['productVariants']['nodes'][number];

/** A Shopify customer as OnboardingCustomers lists it (the type generated from its document). */
export type ShopifyCustomerListed = OnboardingCustomersQuery['customers']['nodes'][number];

export type MatchedBy = 'sku' | 'barcode';

export interface VariantLink {
  odooId: number;
  variantGid: string;
  inventoryItemGid: string | null;
  by: MatchedBy;
  key: string;
}

export interface ProductLink {
  templateId: number;
  name: string;
  productGid: string;
  productTitle: string;
  variants: VariantLink[];
}

export interface CustomerLink {
  partnerId: number;
  customerGid: string;
  email: string;
}

export type ConflictKind =
  | 'duplicate_sku_odoo'
  | 'duplicate_sku_shopify'
  | 'duplicate_barcode_odoo'
  | 'duplicate_barcode_shopify'
  | 'barcode_mismatch'
  | 'product_split'
  | 'product_shared'
  | 'bound_elsewhere'
  | 'duplicate_email_odoo'
  | 'duplicate_email_shopify';

export interface Conflict {
  kind: ConflictKind;
  message: string;
  /** Odoo records involved: product.template ids or res.partner ids. */
  odoo: { model: 'product.template' | 'res.partner'; ids: number[] };
  shopify: string[];
}

export interface UnmatchedOdooVariant {
  templateId: number;
  odooId: number;
  name: string;
  sku: string | null;
  barcode: string | null;
}

export interface UnmatchedShopifyVariant {
  variantGid: string;
  productGid: string;
  title: string;
  sku: string | null;
  barcode: string | null;
}

export interface OnboardingPlan {
  products: {
    link: ProductLink[];
    alreadyLinked: number[];
    unmatchedOdoo: UnmatchedOdooVariant[];
    unmatchedShopify: UnmatchedShopifyVariant[];
  };
  customers: {
    link: CustomerLink[];
    alreadyLinked: number[];
    unmatchedOdoo: Array<{ partnerId: number; email: string }>;
    unmatchedShopify: Array<{ customerGid: string; email: string | null }>;
  };
  conflicts: Conflict[];
  /** Odoo records the conflicts name: the catalog/customer push must leave them alone. */
  held: { templateIds: number[]; partnerIds: number[] };
}

export const normaliseSku = (sku: string | null | undefined): string | null => {
  const s = (sku ?? '').trim().toUpperCase();
  return s === '' ? null : s;
};
export const normaliseBarcode = (barcode: string | null | undefined): string | null => {
  const s = (barcode ?? '').replace(/\s+/g, '');
  return s === '' ? null : s;
};

function groupBy<T>(items: readonly T[], key: (item: T) => string | null): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

interface OdooVariant {
  templateId: number;
  templateName: string;
  templateGid: string | null;
  odooId: number;
  sku: string | null;
  barcode: string | null;
  variantGid: string | null;
}

/** A Shopify variant as the plan matches it: its ids, and its SKU and barcode normalised. */
interface ShopVariant {
  variantGid: string;
  productGid: string;
  productTitle: string;
  sku: string | null;
  barcode: string | null;
  inventoryItemGid: string;
  nsku: string | null;
  nbarcode: string | null;
}

/** A Shopify customer as the plan matches it. */
interface ShopCustomer {
  customerGid: string;
  email: string | null;
}

function shopVariant(v: ShopifyVariantListed): ShopVariant {
  return {
    variantGid: v.id,
    productGid: v.product.id,
    productTitle: v.product.title,
    sku: v.sku,
    barcode: v.barcode,
    inventoryItemGid: v.inventoryItem.id,
    nsku: normaliseSku(v.sku),
    nbarcode: normaliseBarcode(v.barcode),
  };
}

function shopCustomer(c: ShopifyCustomerListed): ShopCustomer {
  return { customerGid: c.id, email: c.defaultEmailAddress?.emailAddress ?? null };
}

interface VariantMatch {
  odoo: OdooVariant;
  shop: ShopVariant;
  by: MatchedBy;
  key: string;
}

export interface OnboardingInput {
  odooProducts: readonly ProductDocument[];
  shopifyVariants: readonly ShopifyVariantListed[];
  odooCustomers: readonly ExportedCustomer[];
  shopifyCustomers: readonly ShopifyCustomerListed[];
}

/** The conflicts found so far, and the Odoo records they hold back from linking and pushing. */
class Conflicts {
  readonly list: Conflict[] = [];
  private readonly templates = new Set<number>();
  private readonly partners = new Set<number>();

  /** A conflict: its Odoo records are held. */
  hold(c: Conflict): void {
    this.list.push(c);
    const held = c.odoo.model === 'product.template' ? this.templates : this.partners;
    c.odoo.ids.forEach((id) => held.add(id));
  }

  /** Informational only: the records still link. */
  note(c: Conflict): void {
    this.list.push(c);
  }

  held(): OnboardingPlan['held'] {
    return { templateIds: [...this.templates].sort((a, b) => a - b), partnerIds: [...this.partners].sort((a, b) => a - b) };
  }
}

const templatesOf = (vs: readonly OdooVariant[]) => [...new Set(vs.map((v) => v.templateId))].sort((a, b) => a - b);
const byNumber = (a: number, b: number) => a - b;

function odooVariantsOf(products: readonly ProductDocument[]): OdooVariant[] {
  return products.flatMap((p) =>
    p.variants.map((v) => ({
      templateId: p.odoo_id,
      templateName: p.name,
      templateGid: p.shopify_product_gid,
      odooId: v.odoo_id,
      sku: normaliseSku(v.sku),
      barcode: normaliseBarcode(v.barcode),
      variantGid: v.shopify_variant_gid,
    })),
  );
}

/** SKUs on more than one variant of either side: conflicts, and the set of those SKUs. */
function duplicateSkus(skuOdoo: Map<string, OdooVariant[]>, skuShop: Map<string, ShopVariant[]>, conflicts: Conflicts): Set<string> {
  const bad = new Set<string>();
  for (const [sku, vs] of skuOdoo) {
    if (vs.length < 2) continue;
    bad.add(sku);
    conflicts.hold({
      kind: 'duplicate_sku_odoo',
      message: `SKU ${sku} is on ${vs.length} Odoo variants (${vs.map((v) => `${v.templateName} [${v.odooId}]`).join(', ')}); make it unique in Odoo`,
      odoo: { model: 'product.template', ids: templatesOf(vs) },
      shopify: (skuShop.get(sku) ?? []).map((v) => v.variantGid),
    });
  }
  for (const [sku, vs] of skuShop) {
    if (vs.length < 2) continue;
    bad.add(sku);
    conflicts.hold({
      kind: 'duplicate_sku_shopify',
      message: `SKU ${sku} is on ${vs.length} Shopify variants (${vs.map((v) => `${v.productTitle} ${v.variantGid}`).join(', ')}); make it unique in Shopify`,
      odoo: { model: 'product.template', ids: templatesOf(skuOdoo.get(sku) ?? []) },
      shopify: vs.map((v) => v.variantGid),
    });
  }
  return bad;
}

/** Links by unique SKU; a barcode that differs is noted (SKU wins, Odoo's barcode will be pushed). */
function matchBySku(
  skuOdoo: Map<string, OdooVariant[]>,
  skuShop: Map<string, ShopVariant[]>,
  badSku: ReadonlySet<string>,
  conflicts: Conflicts,
): Map<number, VariantMatch> {
  const matches = new Map<number, VariantMatch>();
  for (const [sku, [odoo]] of skuOdoo) {
    if (badSku.has(sku)) continue;
    const shop = skuShop.get(sku)?.[0];
    if (!odoo || !shop) continue;
    matches.set(odoo.odooId, { odoo, shop, by: 'sku', key: sku });
    if (odoo.barcode && shop.nbarcode && odoo.barcode !== shop.nbarcode) {
      conflicts.note({
        kind: 'barcode_mismatch',
        message: `SKU ${sku}: barcode ${odoo.barcode} in Odoo, ${shop.nbarcode} in Shopify; linked by SKU, Odoo's barcode will be pushed`,
        odoo: { model: 'product.template', ids: [odoo.templateId] },
        shopify: [shop.variantGid],
      });
    }
  }
  return matches;
}

/** Barcodes on more than one variant of either side (among those SKU did not link): conflicts. */
function duplicateBarcodes(
  odooVariants: readonly OdooVariant[],
  shopVariants: readonly ShopVariant[],
  matches: ReadonlyMap<number, VariantMatch>,
  conflicts: Conflicts,
): Set<string> {
  const barcodeOdoo = groupBy(odooVariants, (v) => v.barcode);
  const bad = new Set<string>();
  for (const [barcode, vs] of barcodeOdoo) {
    if (vs.length < 2) continue;
    bad.add(barcode);
    conflicts.hold({
      kind: 'duplicate_barcode_odoo',
      message: `barcode ${barcode} is on ${vs.length} Odoo variants (${vs.map((v) => `${v.templateName} [${v.odooId}]`).join(', ')})`,
      odoo: { model: 'product.template', ids: templatesOf(vs.filter((v) => !matches.has(v.odooId))) },
      shopify: [],
    });
  }
  for (const [barcode, vs] of groupBy(shopVariants, (v) => v.nbarcode)) {
    if (vs.length < 2) continue;
    bad.add(barcode);
    conflicts.hold({
      kind: 'duplicate_barcode_shopify',
      message: `barcode ${barcode} is on ${vs.length} Shopify variants (${vs.map((v) => v.variantGid).join(', ')})`,
      odoo: { model: 'product.template', ids: templatesOf((barcodeOdoo.get(barcode) ?? []).filter((v) => !matches.has(v.odooId))) },
      shopify: vs.map((v) => v.variantGid),
    });
  }
  return bad;
}

/** Variant matches: by SKU, then by barcode for what SKU did not link (never for a SKU in conflict). */
function matchVariants(
  odooVariants: readonly OdooVariant[],
  shopVariants: readonly ShopVariant[],
  conflicts: Conflicts,
): Map<number, VariantMatch> {
  const skuOdoo = groupBy(odooVariants, (v) => v.sku);
  const skuShop = groupBy(shopVariants, (v) => v.nsku);
  const badSku = duplicateSkus(skuOdoo, skuShop, conflicts);
  const matches = matchBySku(skuOdoo, skuShop, badSku, conflicts);
  const usedShop = new Set([...matches.values()].map((m) => m.shop.variantGid));
  const odooLeft = odooVariants.filter((v) => !matches.has(v.odooId) && !(v.sku && badSku.has(v.sku)));
  const shopLeft = shopVariants.filter((v) => !usedShop.has(v.variantGid) && !(v.nsku && badSku.has(v.nsku)));
  const badBarcode = duplicateBarcodes(odooVariants, shopVariants, matches, conflicts);
  const shopByBarcode = groupBy(shopLeft, (v) => v.nbarcode);
  for (const odoo of odooLeft) {
    if (!odoo.barcode || badBarcode.has(odoo.barcode)) continue;
    const shop = shopByBarcode.get(odoo.barcode)?.[0];
    if (!shop || usedShop.has(shop.variantGid)) continue;
    matches.set(odoo.odooId, { odoo, shop, by: 'barcode', key: odoo.barcode });
    usedShop.add(shop.variantGid);
  }
  return matches;
}

/** True when a template's matches cannot link (the conflict is recorded). */
function productConflict(
  product: ProductDocument,
  ms: readonly VariantMatch[],
  templatesByShopProduct: ReadonlyMap<string, ReadonlySet<number>>,
  conflicts: Conflicts,
): boolean {
  const productGids = [...new Set(ms.map((m) => m.shop.productGid))].sort();
  if (productGids.length > 1) {
    conflicts.hold({
      kind: 'product_split',
      message: `Odoo product ${product.name} [${product.odoo_id}]: its variants match variants of ${productGids.length} Shopify products (${productGids.join(', ')})`,
      odoo: { model: 'product.template', ids: [product.odoo_id] },
      shopify: productGids,
    });
    return true;
  }
  const productGid = productGids[0]!;
  const sharing = [...(templatesByShopProduct.get(productGid) ?? [])].sort(byNumber);
  if (sharing.length > 1) {
    // Reported once, by the first template.
    if (sharing[0] === product.odoo_id) {
      conflicts.hold({
        kind: 'product_shared',
        message: `Shopify product ${ms[0]!.shop.productTitle} (${productGid}) matches ${sharing.length} Odoo products (${sharing.join(', ')})`,
        odoo: { model: 'product.template', ids: sharing },
        shopify: [productGid],
      });
    }
    return true;
  }
  const rebinds = ms.filter((m) => m.odoo.variantGid && m.odoo.variantGid !== m.shop.variantGid);
  if ((product.shopify_product_gid && product.shopify_product_gid !== productGid) || rebinds.length) {
    conflicts.hold({
      kind: 'bound_elsewhere',
      message: `Odoo product ${product.name} [${product.odoo_id}] is bound to ${product.shopify_product_gid ?? rebinds.map((m) => m.odoo.variantGid).join(', ')} but matches ${productGid}`,
      odoo: { model: 'product.template', ids: [product.odoo_id] },
      shopify: [productGid],
    });
    return true;
  }
  return false;
}

function productLink(product: ProductDocument, ms: readonly VariantMatch[]): ProductLink {
  return {
    templateId: product.odoo_id,
    name: product.name,
    productGid: ms[0]!.shop.productGid,
    productTitle: ms[0]!.shop.productTitle,
    variants: ms
      .map((m) => ({
        odooId: m.odoo.odooId,
        variantGid: m.shop.variantGid,
        inventoryItemGid: m.shop.inventoryItemGid,
        by: m.by,
        key: m.key,
      }))
      .sort((a, b) => a.odooId - b.odooId),
  };
}

/** Products: all matched variants of a template in one Shopify product, and back. */
function linkProducts(
  input: OnboardingInput,
  odooVariants: readonly OdooVariant[],
  shopVariants: readonly ShopVariant[],
  matches: ReadonlyMap<number, VariantMatch>,
  conflicts: Conflicts,
): OnboardingPlan['products'] {
  const byTemplate = groupBy([...matches.values()], (m) => String(m.odoo.templateId));
  const templatesByShopProduct = new Map<string, Set<number>>();
  for (const m of matches.values()) {
    const set = templatesByShopProduct.get(m.shop.productGid) ?? new Set<number>();
    templatesByShopProduct.set(m.shop.productGid, set.add(m.odoo.templateId));
  }
  const link: ProductLink[] = [];
  const alreadyLinked: number[] = [];
  const linked = new Set<VariantMatch>();
  for (const product of input.odooProducts) {
    const ms = byTemplate.get(String(product.odoo_id));
    if (!ms || productConflict(product, ms, templatesByShopProduct, conflicts)) continue;
    ms.forEach((m) => linked.add(m));
    const complete = product.shopify_product_gid === ms[0]!.shop.productGid && ms.every((m) => m.odoo.variantGid === m.shop.variantGid);
    if (complete) alreadyLinked.push(product.odoo_id);
    else link.push(productLink(product, ms));
  }
  const linkedOdoo = new Set([...linked].map((m) => m.odoo.odooId));
  const linkedShop = new Set([...linked].map((m) => m.shop.variantGid));
  const unmatchedOdoo = odooVariants
    .filter((v) => !linkedOdoo.has(v.odooId))
    .map((v) => {
      const doc = input.odooProducts.find((p) => p.odoo_id === v.templateId)!.variants.find((x) => x.odoo_id === v.odooId)!;
      return { templateId: v.templateId, odooId: v.odooId, name: v.templateName, sku: doc.sku, barcode: doc.barcode };
    });
  const unmatchedShopify = shopVariants
    .filter((v) => !linkedShop.has(v.variantGid))
    .map((v) => ({ variantGid: v.variantGid, productGid: v.productGid, title: v.productTitle, sku: v.sku, barcode: v.barcode }));
  return { link, alreadyLinked: alreadyLinked.sort(byNumber), unmatchedOdoo, unmatchedShopify };
}

/** Customers: by normalised email, never by name; duplicates and other bindings are conflicts. */
function linkCustomers(input: OnboardingInput, shopCustomers: readonly ShopCustomer[], conflicts: Conflicts): OnboardingPlan['customers'] {
  const emailOdoo = groupBy(input.odooCustomers, (c) => normaliseEmail(c.email));
  const emailShop = groupBy(shopCustomers, (c) => normaliseEmail(c.email));
  const link: CustomerLink[] = [];
  const alreadyLinked: number[] = [];
  const linkedPartners = new Set<number>();
  const linkedCustomers = new Set<string>();
  for (const [email, cs] of emailShop) {
    if (cs.length < 2) continue;
    conflicts.hold({
      kind: 'duplicate_email_shopify',
      message: `email ${email} is on ${cs.length} Shopify customers (${cs.map((c) => c.customerGid).join(', ')})`,
      odoo: { model: 'res.partner', ids: (emailOdoo.get(email) ?? []).map((p) => p.partner_id) },
      shopify: cs.map((c) => c.customerGid),
    });
  }
  for (const [email, ps] of emailOdoo) {
    const customer = customerFor(email, ps, emailShop.get(email), conflicts);
    if (!customer) continue;
    const partner = ps[0]!;
    linkedPartners.add(partner.partner_id);
    linkedCustomers.add(customer.customerGid);
    if (partner.customer_gid === customer.customerGid) alreadyLinked.push(partner.partner_id);
    else link.push({ partnerId: partner.partner_id, customerGid: customer.customerGid, email });
  }
  return {
    link: link.sort((a, b) => a.partnerId - b.partnerId),
    alreadyLinked: alreadyLinked.sort(byNumber),
    unmatchedOdoo: input.odooCustomers
      .filter((c) => !linkedPartners.has(c.partner_id))
      .map((c) => ({ partnerId: c.partner_id, email: c.email ?? '' })),
    unmatchedShopify: shopCustomers
      .filter((c) => !linkedCustomers.has(c.customerGid))
      .map((c) => ({ customerGid: c.customerGid, email: c.email })),
  };
}

/** The one Shopify customer the one partner with this email links to, or undefined (conflicts recorded). */
function customerFor(
  email: string,
  partners: readonly ExportedCustomer[],
  customers: readonly ShopCustomer[] | undefined,
  conflicts: Conflicts,
): ShopCustomer | undefined {
  if (partners.length > 1) {
    conflicts.hold({
      kind: 'duplicate_email_odoo',
      message: `email ${email} is on ${partners.length} Odoo contacts (${partners.map((p) => p.partner_id).join(', ')}); merge them in Odoo`,
      odoo: { model: 'res.partner', ids: partners.map((p) => p.partner_id) },
      shopify: (customers ?? []).map((c) => c.customerGid),
    });
    return undefined;
  }
  const partner = partners[0]!;
  if (!customers || customers.length !== 1) return undefined;
  const customer = customers[0]!;
  if (partner.customer_gid && partner.customer_gid !== customer.customerGid) {
    conflicts.hold({
      kind: 'bound_elsewhere',
      message: `Odoo contact ${partner.partner_id} is bound to ${partner.customer_gid} but its email ${email} belongs to ${customer.customerGid}`,
      odoo: { model: 'res.partner', ids: [partner.partner_id] },
      shopify: [customer.customerGid],
    });
    return undefined;
  }
  return customer;
}

export function planOnboarding(input: OnboardingInput): OnboardingPlan {
  const conflicts = new Conflicts();
  const odooVariants = odooVariantsOf(input.odooProducts);
  const shopVariants = input.shopifyVariants.map(shopVariant);
  const matches = matchVariants(odooVariants, shopVariants, conflicts);
  const products = linkProducts(input, odooVariants, shopVariants, matches, conflicts);
  const customers = linkCustomers(input, input.shopifyCustomers.map(shopCustomer), conflicts);
  return { products, customers, conflicts: conflicts.list, held: conflicts.held() };
}
