/**
 * Onboarding an existing shop (issue 5 item 6; docs/flows.md "Onboarding"): the first sync links
 * existing Shopify variants and customers to existing Odoo variants and partners (plan.ts),
 * reports conflicts and leftovers, and creates nothing on either side. A real run writes the links
 * through the contract's record_sync_result and marks onboarding complete in
 * `<appSchema>.sidecar_state`; a dry run only reports.
 *
 * Pushing waits for it: the catalog (and Odoo → Shopify customer) flow must call
 * `onboardingComplete(ctx)` before pushing and skip the records in `onboardingGate(ctx).held`
 * (records in conflict, which would otherwise be created a second time in Shopify).
 *
 * Shopify is read with paged queries in the `catalog` lane of the shared budget (bulk operations
 * are not simulated); Odoo with export_products and list_customers, paged.
 */
import type { FlowContext } from '../context.js';
import type { ExportedCustomer, ProductDocument } from '../../odoo/contract.js';
import { readState, writeState } from '../../db/state.js';
import { planOnboarding, type Conflict, type OnboardingPlan, type ShopifyCustomer, type ShopifyVariant } from './plan.js';

export type OnboardingContext = Pick<FlowContext, 'config' | 'logger' | 'pool' | 'shopify' | 'odoo'>;

const STATE_KEY = 'onboarding';
/** Advisory lock key: one onboarding at a time across replicas. */
const LOCK_KEY = 7_310_104_305;
const ODOO_PAGE = 100;
const SHOPIFY_PAGE = 100;

export interface OnboardingReport {
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  counts: {
    odooVariants: number;
    shopifyVariants: number;
    odooCustomers: number;
    shopifyCustomers: number;
    productsLinked: number;
    variantsLinked: number;
    productsAlreadyLinked: number;
    customersLinked: number;
    customersAlreadyLinked: number;
    conflicts: number;
    /** record_sync_result calls made (0 in a dry run). */
    written: number;
  };
  plan: OnboardingPlan;
  /** Links that could not be written (a real run), with Odoo's message. */
  writeErrors: Array<{ model: string; resId: number; message: string }>;
}

export interface OnboardingState {
  completedAt: string;
  held: OnboardingPlan['held'];
  counts: OnboardingReport['counts'];
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
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
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
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

async function shopifyVariants(ctx: OnboardingContext): Promise<ShopifyVariant[]> {
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

async function shopifyCustomers(ctx: OnboardingContext): Promise<ShopifyCustomer[]> {
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

async function odooProducts(ctx: OnboardingContext): Promise<ProductDocument[]> {
  const out: ProductDocument[] = [];
  for (let offset = 0; ; offset += ODOO_PAGE) {
    const { products } = await ctx.odoo.exportProducts({ limit: ODOO_PAGE, offset });
    out.push(...products);
    if (products.length < ODOO_PAGE) return out;
  }
}

async function odooCustomers(ctx: OnboardingContext): Promise<ExportedCustomer[]> {
  const out: ExportedCustomer[] = [];
  for (let offset = 0; ; offset += ODOO_PAGE) {
    const { customers } = await ctx.odoo.listCustomers({ limit: ODOO_PAGE, offset });
    out.push(...customers);
    if (customers.length < ODOO_PAGE) return out;
  }
}

export class OnboardingBusyError extends Error {
  override name = 'OnboardingBusyError';
}

/** Runs onboarding; `dryRun` reads both sides and reports without writing anything. */
export async function runOnboarding(
  ctx: OnboardingContext,
  options: { dryRun: boolean },
): Promise<{ report: OnboardingReport; markdown: string }> {
  const lock = await ctx.pool.connect();
  try {
    const { rows } = await lock.query('SELECT pg_try_advisory_lock($1) AS ok', [LOCK_KEY]);
    if (!rows[0]?.ok) throw new OnboardingBusyError('onboarding is already running');
    try {
      const report = await onboard(ctx, options.dryRun);
      return { report, markdown: renderMarkdown(report) };
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  } finally {
    lock.release();
  }
}

async function onboard(ctx: OnboardingContext, dryRun: boolean): Promise<OnboardingReport> {
  const startedAt = new Date().toISOString();
  const [products, variants, partners, customers] = await Promise.all([
    odooProducts(ctx),
    shopifyVariants(ctx),
    odooCustomers(ctx),
    shopifyCustomers(ctx),
  ]);
  const plan = planOnboarding({ odooProducts: products, shopifyVariants: variants, odooCustomers: partners, shopifyCustomers: customers });
  const writeErrors: OnboardingReport['writeErrors'] = [];
  let written = 0;
  if (!dryRun) {
    // `pending`: linked, not pushed yet. No content hash is recorded, so the catalog flow's first
    // push writes Odoo's content to the linked Shopify product (update by ID, never a new one).
    for (const link of plan.products.link) {
      try {
        await ctx.odoo.recordSyncResult({
          model: 'product.template',
          res_id: link.templateId,
          state: 'pending',
          shopify_gid: link.productGid,
          children: link.variants.map((v) => ({
            model: 'product.product',
            res_id: v.odooId,
            shopify_gid: v.variantGid,
            inventory_item_gid: v.inventoryItemGid,
          })),
        });
        written += 1;
      } catch (error) {
        writeErrors.push({ model: 'product.template', resId: link.templateId, message: (error as Error).message });
      }
    }
    for (const link of plan.customers.link) {
      try {
        await ctx.odoo.recordSyncResult({ model: 'res.partner', res_id: link.partnerId, state: 'pending', shopify_gid: link.customerGid });
        written += 1;
      } catch (error) {
        writeErrors.push({ model: 'res.partner', resId: link.partnerId, message: (error as Error).message });
      }
    }
    // The binding says why a record in conflict is not synced (it shows in Odoo's error list).
    for (const [model, ids] of [
      ['product.template', plan.held.templateIds],
      ['res.partner', plan.held.partnerIds],
    ] as const) {
      for (const id of ids) {
        const message = conflictMessage(plan.conflicts, model, id);
        try {
          await ctx.odoo.recordSyncResult({ model, res_id: id, state: 'error', message });
          written += 1;
        } catch (error) {
          writeErrors.push({ model, resId: id, message: (error as Error).message });
        }
      }
    }
  }
  const report: OnboardingReport = {
    dryRun,
    startedAt,
    finishedAt: new Date().toISOString(),
    counts: {
      odooVariants: products.reduce((n, p) => n + p.variants.length, 0),
      shopifyVariants: variants.length,
      odooCustomers: partners.length,
      shopifyCustomers: customers.length,
      productsLinked: plan.products.link.length,
      variantsLinked: plan.products.link.reduce((n, l) => n + l.variants.length, 0),
      productsAlreadyLinked: plan.products.alreadyLinked.length,
      customersLinked: plan.customers.link.length,
      customersAlreadyLinked: plan.customers.alreadyLinked.length,
      conflicts: plan.conflicts.length,
      written,
    },
    plan,
    writeErrors,
  };
  if (!dryRun && writeErrors.length === 0) {
    const state: OnboardingState = { completedAt: report.finishedAt, held: plan.held, counts: report.counts };
    await writeState(ctx.pool, ctx.config.database.appSchema, STATE_KEY, state);
    // Pushes deferred while onboarding was pending are replayed: Odoo re-emits the events of every
    // product and customer (its Resync buttons' method) except those held for a conflict, and
    // linked records now update their Shopify counterpart in place.
    const held = { templates: new Set(plan.held.templateIds), partners: new Set(plan.held.partnerIds) };
    const templateIds = products.map((p) => p.odoo_id).filter((id) => !held.templates.has(id));
    const partnerIds = partners.map((c) => c.partner_id).filter((id) => !held.partners.has(id));
    const resynced = {
      products: templateIds.length ? (await ctx.odoo.requestResync({ model: 'product.template', ids: templateIds })).queued : 0,
      customers: partnerIds.length ? (await ctx.odoo.requestResync({ model: 'res.partner', ids: partnerIds })).queued : 0,
    };
    ctx.logger.info('onboarding: resync requested', resynced);
  }
  ctx.logger.info('onboarding finished', { dryRun, ...report.counts, writeErrors: writeErrors.length });
  for (const e of writeErrors) ctx.logger.error('onboarding: link not written', e);
  return report;
}

function conflictMessage(conflicts: readonly Conflict[], model: string, id: number): string {
  const mine = conflicts.filter((c) => c.odoo.model === model && c.odoo.ids.includes(id) && c.kind !== 'barcode_mismatch');
  return `onboarding conflict: ${mine.map((c) => c.message).join('; ')}`.slice(0, 2000);
}

/**
 * Whether pushing to Shopify may start: a real onboarding run finished without write errors, or
 * ONBOARDING_REQUIRED=false. The catalog flow must check it before pushing (docs/flows.md).
 */
export async function onboardingComplete(ctx: Pick<FlowContext, 'config' | 'pool'>): Promise<boolean> {
  return (await onboardingGate(ctx)).complete;
}

/** `complete` as above, and the Odoo records onboarding held back for a conflict. */
export async function onboardingGate(
  ctx: Pick<FlowContext, 'config' | 'pool'>,
): Promise<{ complete: boolean; held: OnboardingPlan['held'] }> {
  const stored = await readState<OnboardingState>(ctx.pool, ctx.config.database.appSchema, STATE_KEY);
  const held = stored?.value.held ?? { templateIds: [], partnerIds: [] };
  return { complete: !ctx.config.onboarding.required || stored !== null, held };
}

const cell = (s: string | number | null | undefined) => String(s ?? '—').replace(/\|/g, '\\|');

/** The report as Markdown, for the admin endpoint and the go-live checklist. */
export function renderMarkdown(report: OnboardingReport): string {
  const c = report.counts;
  const p = report.plan;
  const lines: string[] = [];
  lines.push(`# Onboarding ${report.dryRun ? 'dry run (nothing written)' : 'run'}`, '');
  lines.push(`Started ${report.startedAt}, finished ${report.finishedAt}.`, '');
  lines.push('| | Odoo | Shopify |', '|---|---|---|');
  lines.push(`| variants | ${c.odooVariants} | ${c.shopifyVariants} |`, `| customers | ${c.odooCustomers} | ${c.shopifyCustomers} |`, '');
  lines.push(
    `- products ${report.dryRun ? 'to link' : 'linked'}: **${c.productsLinked}** (${c.variantsLinked} variants); already linked: ${c.productsAlreadyLinked}`,
    `- customers ${report.dryRun ? 'to link' : 'linked'}: **${c.customersLinked}**; already linked: ${c.customersAlreadyLinked}`,
    `- conflicts: **${c.conflicts}**`,
    `- records written in Odoo: ${c.written}`,
    '',
  );
  if (p.conflicts.length) {
    lines.push('## Conflicts (nothing of these is linked or pushed until fixed)', '', '| kind | detail |', '|---|---|');
    for (const x of p.conflicts) lines.push(`| ${x.kind} | ${cell(x.message)} |`);
    lines.push('');
  }
  if (p.products.link.length) {
    lines.push('## Products', '', '| Odoo product | Shopify product | variants (by) |', '|---|---|---|');
    for (const l of p.products.link) {
      lines.push(
        `| ${cell(l.name)} [${l.templateId}] | ${cell(l.productTitle)} ${l.productGid} | ${l.variants.map((v) => `${cell(v.key)} (${v.by})`).join(', ')} |`,
      );
    }
    lines.push('');
  }
  if (p.customers.link.length) {
    lines.push('## Customers', '', '| Odoo contact | Shopify customer | email |', '|---|---|---|');
    for (const l of p.customers.link) lines.push(`| ${l.partnerId} | ${l.customerGid} | ${cell(l.email)} |`);
    lines.push('');
  }
  lines.push('## Unmatched', '');
  lines.push(`- Odoo variants only in Odoo (the catalog flow will create them in Shopify): ${p.products.unmatchedOdoo.length}`);
  for (const v of p.products.unmatchedOdoo.slice(0, 50))
    lines.push(`  - ${cell(v.name)} [${v.odooId}] SKU ${cell(v.sku)} barcode ${cell(v.barcode)}`);
  lines.push(`- Shopify variants only in Shopify (left as they are): ${p.products.unmatchedShopify.length}`);
  for (const v of p.products.unmatchedShopify.slice(0, 50))
    lines.push(`  - ${cell(v.title)} ${v.variantGid} SKU ${cell(v.sku)} barcode ${cell(v.barcode)}`);
  lines.push(`- Odoo contacts with no Shopify customer: ${p.customers.unmatchedOdoo.length}`);
  lines.push(
    `- Shopify customers with no Odoo contact (linked or created when they next order or change): ${p.customers.unmatchedShopify.length}`,
  );
  if (report.writeErrors.length) {
    lines.push('', '## Write errors (onboarding is not complete)', '');
    for (const e of report.writeErrors) lines.push(`- ${e.model} ${e.resId}: ${cell(e.message)}`);
  }
  return `${lines.join('\n')}\n`;
}
