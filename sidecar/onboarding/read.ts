/**
 * Onboarding, reads: every Shopify variant and customer (paged queries in the `catalog` lane of the
 * shared budget; bulk operations are not simulated), every Odoo product and listed customer (paged).
 */
import type { ExportedCustomer, ProductDocument } from '../odoo/contract.js';
import type { OnboardingCustomersQuery, OnboardingVariantsQuery } from '../shopify/index.js';
import type { OnboardingContext } from './store.js';
import type { ShopifyCustomerListed, ShopifyVariantListed } from './map.js';

const ODOO_PAGE = 100;
const SHOPIFY_PAGE = 100;

export async function shopifyVariants(ctx: OnboardingContext): Promise<ShopifyVariantListed[]> {
  const out: ShopifyVariantListed[] = [];
  let after: string | null = null;
  for (;;) {
    const page: OnboardingVariantsQuery = await ctx.shopify.request(
      'OnboardingVariants',
      { first: SHOPIFY_PAGE, after },
      { lane: 'catalog' },
    );
    out.push(...page.productVariants.nodes);
    if (!page.productVariants.pageInfo.hasNextPage) return out;
    after = page.productVariants.pageInfo.endCursor;
  }
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
