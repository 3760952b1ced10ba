/**
 * Customers, reads: a Shopify customer by GID or by email (lane `catalog`: customers have no lane
 * of their own in the budget and share the lowest-priority one), and a partner's export from Odoo.
 */
import type { ExportedCustomer } from '../../odoo/contract.js';
import type { FlowContext } from '../context.js';
import type { ShopifyCustomerRead } from './map.js';

export const LANE = 'catalog' as const;

export async function readCustomer(ctx: Pick<FlowContext, 'shopify'>, gid: string): Promise<ShopifyCustomerRead | null> {
  const data = await ctx.shopify.request('CustomerById', { id: gid }, { lane: LANE });
  return data.customer;
}

/** The Shopify customer with this (normalised) email, if any. */
export async function customerByEmail(ctx: Pick<FlowContext, 'shopify'>, email: string): Promise<ShopifyCustomerRead | null> {
  const found = await ctx.shopify.request('CustomerByEmail', { email }, { lane: LANE });
  return found.customerByIdentifier;
}

/** The partner as Odoo exports it, or undefined when it no longer exists. */
export async function exportedPartner(ctx: Pick<FlowContext, 'odoo'>, partnerId: number): Promise<ExportedCustomer | undefined> {
  const { customers } = await ctx.odoo.exportCustomers({ partner_ids: [partnerId] });
  return customers[0];
}
