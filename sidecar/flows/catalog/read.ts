/** Catalog, reads: one Odoo template as export_products gives it. */
import type { ProductDocument } from '../../odoo/contract.js';
import type { FlowContext } from '../context.js';

/** The template's current state in Odoo, or undefined when it no longer exists. */
export async function exportTemplate(ctx: Pick<FlowContext, 'odoo'>, templateId: number): Promise<ProductDocument | undefined> {
  const { products } = await ctx.odoo.exportProducts({ template_ids: [templateId] });
  return products[0];
}
