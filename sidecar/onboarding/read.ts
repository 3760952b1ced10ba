/**
 * Onboarding, reads: every Shopify variant and customer (paged queries in the `catalog` lane of the
 * shared budget; bulk operations are not simulated), every Odoo product and listed customer (paged).
 */
import type { ExportedCustomer, ProductDocument } from '../odoo/contract.js';
import type { OnboardingContext } from './store.js';
import type { ShopifyCustomer, ShopifyVariant } from './map.js';

const ODOO_PAGE = 100;
const SHOPIFY_PAGE = 100;

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

interface VariantsPage {
  productVariants: {
    nodes: Array<{
      id: string;
      sku: string | null;
      barcode: string | null;
      title: string;
      product: { id: string; title: string };
      inventoryItem: { id: string } | null;
    }>;
    pageInfo: PageInfo;
  };
}
interface CustomersPage {
  customers: {
    nodes: Array<{
      id: string;
      firstName: string | null;
      lastName: string | null;
      defaultEmailAddress: { emailAddress: string | null } | null;
    }>;
    pageInfo: PageInfo;
  };
}

export async function shopifyVariants(ctx: OnboardingContext): Promise<ShopifyVariant[]> {
  const out: ShopifyVariant[] = [];
  let after: string | null = null;
  for (;;) {
    const page: VariantsPage = await ctx.shopify.request<VariantsPage>(
      'OnboardingVariants',
      { first: SHOPIFY_PAGE, after },
      { lane: 'catalog' },
    );
    for (const v of page.productVariants.nodes) {
      out.push({
        variantGid: v.id,
        productGid: v.product.id,
        productTitle: v.product.title,
        title: v.title,
        sku: v.sku,
        barcode: v.barcode,
        inventoryItemGid: v.inventoryItem?.id ?? null,
      });
    }
    if (!page.productVariants.pageInfo.hasNextPage) return out;
    after = page.productVariants.pageInfo.endCursor;
  }
}

export async function shopifyCustomers(ctx: OnboardingContext): Promise<ShopifyCustomer[]> {
  const out: ShopifyCustomer[] = [];
  let after: string | null = null;
  for (;;) {
    const page: CustomersPage = await ctx.shopify.request<CustomersPage>(
      'OnboardingCustomers',
      { first: SHOPIFY_PAGE, after },
      { lane: 'catalog' },
    );
    for (const c of page.customers.nodes) {
      out.push({
        customerGid: c.id,
        email: c.defaultEmailAddress?.emailAddress ?? null,
        name: [c.firstName, c.lastName].filter(Boolean).join(' '),
      });
    }
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
