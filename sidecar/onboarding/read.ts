/**
 * Onboarding, reads: every Shopify variant (one bulk query) and customer (paged), in the `catalog`
 * lane of the shared budget; every Odoo product and listed customer (paged).
 */
import type { ExportedCustomer, ProductDocument } from '../odoo/contract.js';
import { runBulkQuery } from '../shopify/bulk.js';
import type { OnboardingCustomersQuery, OnboardingVariantsBulkQuery } from '../shopify/index.js';
import type { OnboardingContext } from './store.js';
import type { ShopifyCustomerListed, ShopifyVariantListed } from './map.js';

const ODOO_PAGE = 100;
const SHOPIFY_PAGE = 100;

/**
 * Every Shopify variant, from one bulk query: the paged read cost ~3 points a variant (30,000
 * points for 10,000 variants, minutes of the catalog lane's budget); the bulk query ~15 points
 * in all (docs/operations.md, "Full catalog and inventory at the budget limit"). A failed
 * operation throws, as a failed page did: the run reports it and writes nothing.
 */
export async function shopifyVariants(ctx: OnboardingContext, options: { pollMs?: number } = {}): Promise<ShopifyVariantListed[]> {
  const lines = (await runBulkQuery(ctx.shopify, 'OnboardingVariantsBulk', {
    lane: 'catalog',
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
  })) as Array<OnboardingVariantsBulkQuery['productVariants']['nodes'][number]>;
  return lines.map((v) => ({
    id: v.id,
    sku: v.sku ?? null,
    barcode: v.barcode ?? null,
    title: v.title,
    product: { id: v.product.id, title: v.product.title },
    inventoryItem: { id: v.inventoryItem.id },
  }));
}

export async function shopifyCustomers(ctx: OnboardingContext): Promise<ShopifyCustomerListed[]> {
  const out: ShopifyCustomerListed[] = [];
  let after: string | null = null;
  for (;;) {
    const page: OnboardingCustomersQuery = await ctx.shopify.request(
      'OnboardingCustomers',
      { first: SHOPIFY_PAGE, after },
      { lane: 'catalog' },
    );
    out.push(...page.customers.nodes);
    if (!page.customers.pageInfo.hasNextPage) return out;
    after = page.customers.pageInfo.endCursor;
  }
}

export async function odooProducts(ctx: OnboardingContext): Promise<ProductDocument[]> {
  const out: ProductDocument[] = [];
  for (let offset = 0; ; offset += ODOO_PAGE) {
    const { products } = await ctx.odoo.exportProducts({ limit: ODOO_PAGE, offset });
    out.push(...products);
    if (products.length < ODOO_PAGE) return out;
  }
}

export async function odooCustomers(ctx: OnboardingContext): Promise<ExportedCustomer[]> {
  const out: ExportedCustomer[] = [];
  for (let offset = 0; ; offset += ODOO_PAGE) {
    const { customers } = await ctx.odoo.listCustomers({ limit: ODOO_PAGE, offset });
    out.push(...customers);
    if (customers.length < ODOO_PAGE) return out;
  }
}
