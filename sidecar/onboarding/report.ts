/** The onboarding report: counts of a run, and the report as Markdown (admin endpoint, go-live checklist). */
import type { OnboardingPlan } from './map.js';
import type { OnboardingCounts } from './store.js';
import type { BulkPushState } from '../flows/catalog/store.js';
import type { PushSummary, WriteError } from './apply.js';

export interface OnboardingReport {
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  counts: OnboardingCounts;
  plan: OnboardingPlan;
  /** Links that could not be written (a real run), with Odoo's message. */
  writeErrors: WriteError[];
  /**
   * What is pushed to Shopify afterwards, by kind, and what Odoo's push rules keep out (a dry run:
   * what would be; null when a real run could not complete).
   */
  push: PushSummary | null;
  /** The bulk catalog push a real run queued (`push.productsBy` = `bulk`), else null. */
  catalogPush: BulkPushState | null;
}

export function countsOf(
  plan: OnboardingPlan,
  sides: { odooVariants: number; shopifyVariants: number; odooCustomers: number; shopifyCustomers: number },
  written: number,
): OnboardingCounts {
  return {
    ...sides,
    productsLinked: plan.products.link.length,
    variantsLinked: plan.products.link.reduce((n, l) => n + l.variants.length, 0),
    productsAlreadyLinked: plan.products.alreadyLinked.length,
    customersLinked: plan.customers.link.length,
    customersAlreadyLinked: plan.customers.alreadyLinked.length,
    conflicts: plan.conflicts.length,
    written,
  };
}

/** Why Odoo's push rules kept a record out (request_resync's `skipped` reasons). */
const SKIP_WORDS: Record<string, string> = {
  internal_user: 'internal users',
  company: 'the company itself',
  employee: 'employees',
  vendor: 'vendors',
  no_sale: 'contacts without a sale',
  erased: 'erased contacts',
  not_for_sale: 'products not for sale',
};

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
  if (report.push) {
    const verb = report.dryRun ? 'would be pushed' : 'pushed';
    lines.push(`## ${report.dryRun ? 'Would be pushed' : 'Pushed'} to Shopify afterwards`, '');
    const how =
      report.push.productsBy === 'bulk'
        ? ` in one bulk operation${report.catalogPush ? ` (run ${report.catalogPush.runId}, ${report.catalogPush.state}; follow it with GET /admin/onboarding)` : ''}`
        : '';
    lines.push(`- products ${verb}: **${report.push.products}**${how}`, `- customers ${verb}: **${report.push.customers}**`);
    for (const s of report.push.skipped) lines.push(`- not pushed (${SKIP_WORDS[s.reason] ?? s.reason}): ${s.count}`);
    lines.push('');
  }
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
