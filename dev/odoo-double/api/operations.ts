/**
 * The operations area of the contract (the addon's models/shopify_sync_api_operations.py):
 * contract_version, record_sync_result (bindings), and the operator methods bound_records,
 * request_resync, store_report and report_health. Same validation messages and results as the
 * addon.
 */
import type { BindingState, ContractParams, ContractResult } from '../../../sidecar/odoo/contract.js';
import { compatibleContractVersions, CONTRACT_VERSION } from '../../../sidecar/rules/contract-version.js';
import type { DoubleCore } from '../core.js';
import { pyList, pyRepr, pyTruthy, validationError } from '../errors.js';
import { gid } from '../values.js';
import type { Binding, Variant } from '../state.js';

export const DOUBLE_ADDON_VERSION = '18.0.1.6.1';
export const DOUBLE_ODOO_VERSION = '18.0';

const BINDING_MODELS = ['account.move', 'product.template', 'res.partner', 'sale.order', 'stock.picking'] as const;
const BINDING_STATES: readonly string[] = ['error', 'ignored', 'pending', 'synced'];
const RESYNC_MODELS: readonly string[] = ['product.template', 'product.product', 'res.partner', 'sale.order'];
const BOUND_MODELS: readonly string[] = ['product.template', 'res.partner', 'sale.order'];
const REPORT_KINDS: readonly string[] = ['integrity', 'reconciliation'];
const MAX_IDS = 5000;

/**
 * The versions, and the last sidecar contact. A sidecar that says which contract it speaks
 * (`contract_version`) is refused when the contract-version rule says the two do not work
 * together (sidecar/rules/contract-version.ts); its own release (`sidecar_version`) is only
 * recorded.
 */
export function contractVersion(core: DoubleCore, doc: ContractParams<'contract_version'>): ContractResult<'contract_version'> {
  const spoken: unknown = doc.contract_version;
  if (spoken !== undefined && spoken !== null && (typeof spoken !== 'string' || !compatibleContractVersions(CONTRACT_VERSION, spoken))) {
    throw validationError(
      `contract_version: the sidecar speaks contract ${pyRepr(spoken)}, this addon speaks ${CONTRACT_VERSION}; upgrade the older side`,
    );
  }
  core.state.lastSidecarContact = core.nowIso();
  core.state.lastSidecarVersion = pyTruthy(doc.sidecar_version) ? String(doc.sidecar_version) : 'unknown';
  return { contract_version: CONTRACT_VERSION, addon_version: DOUBLE_ADDON_VERSION, odoo_version: DOUBLE_ODOO_VERSION };
}

export function recordSyncResult(core: DoubleCore, doc: ContractParams<'record_sync_result'>): ContractResult<'record_sync_result'> {
  const model = doc.model;
  if (!BINDING_MODELS.includes(model))
    throw validationError(`record_sync_result: model must be one of ${pyList(BINDING_MODELS)}, got ${pyRepr(doc.model)}`);
  const state: BindingState = doc.state;
  if (!BINDING_STATES.includes(state))
    throw validationError(`record_sync_result: state must be one of ${pyList(BINDING_STATES)}, got ${pyRepr(doc.state)}`);
  // A GID that is given (not empty) must be a Shopify GID, of any type, as the addon checks it.
  const given: unknown = doc.shopify_gid;
  let shopifyGid = pyTruthy(given) ? gid(given, null, 'record_sync_result', 'shopify_gid') : null;
  const table: Map<number, { id: number; binding: Binding }> = {
    'product.template': core.state.templates,
    'res.partner': core.state.partners,
    'sale.order': core.state.saleOrders,
    'stock.picking': core.state.pickings,
    'account.move': core.state.creditNotes,
  }[model];
  const record = isInteger(doc.res_id) ? table.get(doc.res_id) : undefined;
  if (!record) throw validationError(`record_sync_result: ${model} ${pyRepr(doc.res_id)} does not exist`);
  const picking = model === 'stock.picking' ? core.picking(record.id) : undefined;
  if (picking && shopifyGid?.startsWith('gid://shopify/Return/')) {
    // A return made in Odoo, now also a Shopify return.
    picking.return_gid = shopifyGid;
    shopifyGid = null;
  } else if (picking && shopifyGid) {
    // A delivery's Shopify IDs are its fulfillments, kept as a list on the picking.
    if (!picking.fulfillment_gids.includes(shopifyGid)) picking.fulfillment_gids.push(shopifyGid);
    shopifyGid = null;
  }
  if (shopifyGid) {
    // unique(shopify_shop, shopify_gid): an IntegrityError, which Odoo turns into a ValidationError.
    const clash = [...table.values()].find((r) => r.id !== record.id && r.binding.shopify_gid === shopifyGid);
    if (clash) throw validationError('This Shopify ID is already bound to another record of this shop.');
  }
  // The variants' IDs are checked before anything is written: a refused child leaves the
  // template's result unwritten too (the addon's transaction is rolled back).
  const variantIds = (doc.children ?? []).map((child) => variantIdsOf(core, child, record.id, model));
  checkVariantIdsUnique(core, variantIds);
  core.setResult(record.binding, state, {
    message: typeof doc.message === 'string' ? doc.message : null,
    gid: shopifyGid,
    hash: typeof doc.content_hash === 'string' ? doc.content_hash : null,
  });
  for (const { variant, ids } of variantIds) {
    if (ids.shopify_gid) variant.binding.shopify_gid = ids.shopify_gid;
    if (ids.inventory_item_gid) variant.inventory_item_gid = ids.inventory_item_gid;
  }
  return { ok: true };
}

/** JSON integers only: a boolean is not an id. */
const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

type VariantIds = { variant: Variant; ids: { shopify_gid?: string; inventory_item_gid?: string } };

/** A child of a template's result: its variant (of that template) and the Shopify IDs given for it (each checked as a GID). */
function variantIdsOf(
  core: DoubleCore,
  child: NonNullable<ContractParams<'record_sync_result'>['children']>[number],
  templateId: number,
  model: string,
): VariantIds {
  if (child.model !== 'product.product') throw validationError('record_sync_result: children must be product.product');
  const variant = isInteger(child.res_id) ? core.state.variants.get(child.res_id) : undefined;
  if (!variant || variant.template_id !== templateId)
    throw validationError(`record_sync_result: variant ${pyRepr(child.res_id)} is not a variant of ${model} ${templateId}`);
  const ids: VariantIds['ids'] = {};
  for (const field of ['shopify_gid', 'inventory_item_gid'] as const) {
    const value: unknown = child[field];
    if (pyTruthy(value)) ids[field] = gid(value, null, `record_sync_result variant ${variant.id}`, field);
  }
  return { variant, ids };
}

/** Each Shopify variant and inventory item is bound to one variant only (the addon's unique constraints), in the order the addon writes them. */
function checkVariantIdsUnique(core: DoubleCore, planned: VariantIds[]): void {
  const owners = {
    shopify_gid: new Map([...core.state.variants.values()].map((v) => [v.binding.shopify_gid, v.id])),
    inventory_item_gid: new Map([...core.state.variants.values()].map((v) => [v.inventory_item_gid, v.id])),
  };
  for (const { variant, ids } of planned) {
    for (const field of ['shopify_gid', 'inventory_item_gid'] as const) {
      const value = ids[field];
      if (!value) continue;
      const owner = owners[field].get(value);
      if (owner !== undefined && owner !== variant.id) {
        throw validationError(
          field === 'shopify_gid'
            ? 'This Shopify variant is already bound to another product.'
            : 'This Shopify inventory item is already bound to another product.',
        );
      }
      owners[field].set(value, variant.id);
    }
  }
}

export function boundRecords(core: DoubleCore, doc: ContractParams<'bound_records'>): ContractResult<'bound_records'> {
  const model = doc.model;
  if (!BOUND_MODELS.includes(model))
    throw validationError(`bound_records: model must be one of ${pyList(BOUND_MODELS)}, got ${pyRepr(doc.model)}`);
  const s = core.state;
  const source =
    model === 'product.template'
      ? [...s.templates.values()].map((t) => ({ id: t.id, gid: t.binding.shopify_gid }))
      : model === 'res.partner'
        ? [...s.partners.values()].map((p) => ({ id: p.id, gid: p.binding.shopify_gid }))
        : [...s.saleOrders.values()].map((so) => ({ id: so.id, gid: so.binding.shopify_gid ?? so.order_gid }));
  return {
    records: source
      .filter((r): r is { id: number; gid: string } => Boolean(r.gid))
      .sort((a, b) => a.id - b.id)
      .map((r) => ({ id: r.id, shopify_gid: r.gid })),
  };
}

/**
 * The addon's push rule for contacts (res.partner `_shopify_push_verdict`), as far as the double
 * models contacts: erased ones never, bound or ticked ones always, others only with a confirmed
 * order (the double has no users, employees or vendors).
 */
function partnerVerdict(core: DoubleCore, id: number): string | null {
  const p = core.partner(id);
  if (p.erased) return 'erased';
  if (p.binding.shopify_gid || p.shopify_sync) return null;
  const family = new Set([id, ...[...core.state.partners.values()].filter((c) => c.parent_id === id).map((c) => c.id)]);
  const sold = [...core.state.saleOrders.values()].some((so) => so.state === 'sale' && family.has(so.partner_id));
  return sold ? null : 'no_sale';
}

export function requestResync(core: DoubleCore, doc: ContractParams<'request_resync'>): ContractResult<'request_resync'> {
  const model = doc.model;
  if (!RESYNC_MODELS.includes(model))
    throw validationError(`request_resync: model must be one of ${pyList(RESYNC_MODELS)}, got ${pyRepr(doc.model)}`);
  let ids: number[] | undefined;
  if (doc.ids !== undefined && doc.ids !== null) {
    const given: unknown = doc.ids;
    if (!Array.isArray(given) || !given.every((i) => Number.isInteger(i)))
      throw validationError('request_resync: ids must be a list of integers');
    if (given.length > MAX_IDS) throw validationError(`request_resync: at most ${MAX_IDS} ids per call`);
    ids = given as number[];
  }
  const s = core.state;
  const before = s.outbox.length;
  const exists = (id: number) =>
    model === 'product.template'
      ? s.templates.has(id)
      : model === 'product.product'
        ? s.variants.has(id)
        : model === 'res.partner'
          ? s.partners.has(id)
          : s.saleOrders.has(id);
  const missing = (ids ?? []).filter((i) => !exists(i)).sort((a, b) => a - b);
  // The full-resync wizard's populations when no ids are given.
  const templates = () => [...s.templates.values()].filter((t) => t.binding.shopify_gid || t.active).map((t) => t.id);
  let chosen = ids ? ids.filter(exists) : undefined;
  const skipped: { id: number; reason: string }[] = [];
  if (model === 'res.partner') {
    // The wizard's population when no ids are given: bound or ticked contacts.
    chosen ??= [...s.partners.values()].filter((p) => p.binding.shopify_gid || p.shopify_sync).map((p) => p.id);
    for (const id of chosen) {
      const reason = partnerVerdict(core, id);
      if (reason) skipped.push({ id, reason });
    }
    chosen = chosen.filter((id) => !skipped.some((s) => s.id === id));
  }
  const dryRun: unknown = doc.dry_run ?? false;
  if (typeof dryRun !== 'boolean') throw validationError('request_resync: dry_run must be true or false');
  if (dryRun) {
    const population =
      chosen ??
      (model === 'product.template'
        ? templates()
        : model === 'product.product'
          ? [...s.variants.values()].filter((v) => templates().includes(v.template_id))
          : [...s.saleOrders.values()].filter((so) => so.order_gid));
    return { queued: population.length, missing_ids: missing, skipped };
  }
  if (model === 'product.template') {
    for (const id of chosen ?? templates()) core.productChanged(id, 'resync', true);
  } else if (model === 'product.product') {
    const variants = chosen ?? [...s.variants.values()].filter((v) => templates().includes(v.template_id)).map((v) => v.id);
    for (const id of variants) for (const wh of s.warehouses.values()) core.stockChanged(id, wh.id);
  } else if (model === 'res.partner') {
    for (const id of chosen ?? []) core.customerChanged(id, 'resync', true);
  } else {
    for (const id of chosen ?? [...s.saleOrders.values()].filter((so) => so.order_gid).map((so) => so.id)) {
      const so = core.saleOrder(id);
      if (!so.order_gid) continue;
      core.emit('order.reimport', 'sale.order', so.id, `order:${so.order_gid}`, { sale_order_id: so.id, order_gid: so.order_gid });
      so.binding.state = 'pending';
    }
  }
  return { queued: s.outbox.length - before, missing_ids: missing, skipped };
}

export function storeReport(core: DoubleCore, doc: ContractParams<'store_report'>): ContractResult<'store_report'> {
  const kind = doc.kind;
  if (!REPORT_KINDS.includes(kind))
    throw validationError(`store_report: kind must be one of ${pyList(REPORT_KINDS)}, got ${pyRepr(doc.kind)}`);
  const summary: unknown = doc.summary;
  if (
    !summary ||
    typeof summary !== 'object' ||
    Array.isArray(summary) ||
    typeof (summary as { headline?: unknown }).headline !== 'string'
  ) {
    throw validationError('store_report: summary must be an object with a headline');
  }
  core.state.reports.set(kind, { created_at: core.nowIso(), summary: summary as Record<string, unknown> });
  return { ok: true };
}

/** What store_report kept (the addon's `shopify_sync.report.<kind>` parameter). */
export function storedReport(core: DoubleCore, kind: string) {
  return core.state.reports.get(kind);
}

/** report_health (models/shopify_sync_api_operations.py): the sidecar's active alerts for the overview. */
export function reportHealth(core: DoubleCore, doc: ContractParams<'report_health'>): ContractResult<'report_health'> {
  const extra = Object.keys(doc)
    .filter((k) => !['alerts', 'dlq_depth', 'checked_at'].includes(k))
    .sort();
  if (extra.length) throw validationError(`report_health: unknown fields ${pyList(extra)}`);
  const alerts: unknown = doc.alerts;
  const depth: unknown = doc.dlq_depth;
  const checked: unknown = doc.checked_at;
  if (!Array.isArray(alerts) || alerts.length > 100) throw validationError('report_health: alerts must be a list of at most 100');
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 0)
    throw validationError('report_health: dlq_depth must be a non-negative integer');
  const isoLike = (v: unknown): v is string =>
    typeof v === 'string' && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(v) && !Number.isNaN(Date.parse(v));
  if (!isoLike(checked)) throw validationError('report_health: checked_at must be an ISO 8601 timestamp');
  const clean = alerts.map((a: unknown) => {
    const alert = (a && typeof a === 'object' ? a : {}) as Record<string, unknown>;
    if (typeof alert.key !== 'string' || typeof alert.summary !== 'string') {
      throw validationError('report_health: each alert needs a key and a summary');
    }
    const since = alert.since ?? null;
    if (since !== null && !isoLike(since)) throw validationError("report_health: an alert's since must be an ISO 8601 timestamp");
    return { key: alert.key.slice(0, 200), summary: alert.summary.slice(0, 500), since };
  });
  core.state.sidecarHealth = { alerts: clean, dlq_depth: depth, checked_at: checked };
  core.state.lastSidecarContact = core.nowIso();
  return { ok: true };
}
