/**
 * The MerchantDriver for a real Odoo (17, 18 or 19) with shopify_sync: what a user does in Odoo's
 * UI, done over JSON-RPC with an administrator's credentials through Odoo's public model methods
 * (product.template create, stock.quant `action_apply_inventory`, sale.order `action_confirm`,
 * stock.picking `button_validate`, account.move `action_post`, res.partner
 * `action_shopify_erase`, …). The contract itself is called as the integration user.
 *
 * Written in Odoo 18's field names; the few that differ are mapped by `odooFields` from the
 * server's own `fields_get` (as the addon's compat.py maps them: docs/architecture.md, "Odoo
 * versions").
 *
 * Settings are the addon's: ir.config_parameter `shopify_sync.import_policy` and
 * `shopify_sync.safety_stock`, and the models `shopify.tax.map` and `shopify.location.map`.
 */
import type { Gid, Money, SyncModel } from '../../sidecar/odoo/contract.js';
import type { OdooCaller } from '../../sidecar/odoo/types.js';
import { formatMinor, minorUnits } from '../../sidecar/rules/money.js';
import type {
  BindingView,
  FailureView,
  MerchantDriver,
  MerchantSettings,
  OrderInvoiceView,
  PaymentView,
  PartnerView,
  PickingView,
  PrivacyRequestView,
  ProductSpec,
  SaleOrderView,
  Tracking,
  WarehouseView,
} from './target.js';

type Row = Record<string, unknown> & { id: number };

const m2oId = (value: unknown): number | null => (Array.isArray(value) ? (value[0] as number) : null);
const orNull = <T>(value: T | false | undefined): T | null => (value === false || value === undefined ? null : value);
/** An amount of a record in its currency (`currency_id`, e.g. [3, "KWD"]), with that currency's decimals (JPY none, KWD 3). */
const moneyIn = (value: unknown, currency: unknown) => {
  const places = minorUnits(Array.isArray(currency) ? (currency[1] as string) : null);
  return formatMinor(BigInt(Math.round(Number(value) * 10 ** places)), places);
};
/** The second warehouse the suite maps when the database has only one mapped. */
const SECOND_LOCATION_GID = 'gid://shopify/Location/9000002';

export interface RealMerchantOptions {
  /** Called with the administrator's credentials (the merchant). */
  admin: OdooCaller;
  /** The administrator's login (added to the Shopify manager group to erase customers). */
  adminLogin: string;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The fields that differ between Odoo 17, 18 and 19, read from the server: a user's groups
 * (19: `group_ids`), storable products (17: `type` "product", 18+: `is_storable`) and a tax's
 * price-included setting (17: the boolean `price_include`, 18+: `price_include_override`) and a
 * sale order line's taxes (19: `tax_ids`), and the return wizard's action (17: `create_returns`,
 * 18+: `action_create_returns`).
 */
export interface OdooFieldNames {
  userGroups: 'groups_id' | 'group_ids';
  storable: Record<string, unknown>;
  priceIncluded: (included: boolean) => Record<string, unknown>;
  lineTaxes: 'tax_id' | 'tax_ids';
  createReturns: 'create_returns' | 'action_create_returns';
}

async function odooFields(odoo: OdooCaller): Promise<OdooFieldNames> {
  const names = async (model: string) =>
    new Set(Object.keys(await odoo.executeKw<Record<string, unknown>>(model, 'fields_get', [], { attributes: ['type'] })));
  const [users, products, taxes, lines] = await Promise.all([
    names('res.users'),
    names('product.template'),
    names('account.tax'),
    names('sale.order.line'),
  ]);
  return {
    userGroups: users.has('group_ids') ? 'group_ids' : 'groups_id',
    storable: products.has('is_storable') ? { type: 'consu', is_storable: true } : { type: 'product' },
    priceIncluded: taxes.has('price_include_override')
      ? (included) => ({ price_include_override: included ? 'tax_included' : 'tax_excluded' })
      : (included) => ({ price_include: included }),
    lineTaxes: lines.has('tax_ids') ? 'tax_ids' : 'tax_id',
    // 17.0's storable `type` "product" goes with its wizard's older action name.
    createReturns: products.has('is_storable') ? 'action_create_returns' : 'create_returns',
  };
}
const FAILURE_FIELDS = ['state', 'res_model', 'res_id', 'shopify_gid', 'shopify_name', 'amount', 'customer_name', 'attempts'];

export function createRealMerchant(options: RealMerchantOptions): MerchantDriver {
  const odoo = options.admin;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const kw = <T>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) =>
    odoo.executeKw<T>(model, method, args, kwargs);
  const searchRead = (model: string, domain: unknown[], fields: string[], extra: Record<string, unknown> = {}) =>
    kw<Row[]>(model, 'search_read', [domain], { fields, context: { active_test: false }, ...extra });
  const read = async (model: string, id: number, fields: string[]) => {
    const [row] = await kw<Row[]>(model, 'read', [[id], fields], { context: { active_test: false } });
    if (!row) throw new Error(`${model} ${id} does not exist`);
    return row;
  };
  const create = (model: string, values: Record<string, unknown>, context: Record<string, unknown> = {}) =>
    kw<number>(model, 'create', [values], { context });
  const write = (model: string, ids: number[], values: Record<string, unknown>, context: Record<string, unknown> = {}) =>
    kw<boolean>(model, 'write', [ids, values], { context });
  const call = (model: string, method: string, ids: number[], context: Record<string, unknown> = {}) =>
    kw<unknown>(model, method, [ids], { context });

  let fieldNames: Promise<OdooFieldNames> | undefined;
  const versionFields = () => (fieldNames ??= odooFields(odoo));

  let prepared: Promise<void> | undefined;
  /** Once: the admin may erase customers (manager group), and two warehouses are mapped. */
  const prepare = () =>
    (prepared ??= (async () => {
      const [group] = await searchRead(
        'ir.model.data',
        [
          ['module', '=', 'shopify_sync'],
          ['name', '=', 'group_shopify_manager'],
        ],
        ['res_id'],
      );
      if (!group) throw new Error('shopify_sync is not installed (no group_shopify_manager)');
      const [me] = await searchRead('res.users', [['login', '=', options.adminLogin]], ['id']);
      if (!me) throw new Error(`no Odoo user with login "${options.adminLogin}"`);
      await write('res.users', [me.id], { [(await versionFields()).userGroups]: [[4, group.res_id]] });
      const maps = await searchRead('shopify.location.map', [], ['location_gid', 'warehouse_id']);
      if (maps.length < 2) {
        const mapped = new Set(maps.map((row) => m2oId(row.warehouse_id)));
        let [spare] = (await searchRead('stock.warehouse', [], ['id'])).filter((w) => !mapped.has(w.id));
        spare ??= { id: await create('stock.warehouse', { name: 'Conformance second warehouse', code: 'CWH2' }) };
        await create('shopify.location.map', {
          location_gid: SECOND_LOCATION_GID,
          name: 'Conformance second location',
          warehouse_id: spare.id,
        });
      }
    })());

  /** Shopify > Overview: one record (data `shopify_sync.overview_main`), computed on read. */
  const overviewId = async () => {
    const [row] = await searchRead(
      'ir.model.data',
      [
        ['module', '=', 'shopify_sync'],
        ['name', '=', 'overview_main'],
      ],
      ['res_id'],
    );
    if (!row) throw new Error('shopify_sync has no overview record (overview_main)');
    return row.res_id as number;
  };

  const lotStock = async (warehouseId: number) => m2oId((await read('stock.warehouse', warehouseId, ['lot_stock_id'])).lot_stock_id)!;

  const validatePicking = async (pickingId: number, quantities?: Record<number, number>) => {
    // A move a refund before delivery cancelled takes no quantity (Odoo refuses to change it).
    const moves = await searchRead(
      'stock.move',
      [
        ['picking_id', '=', pickingId],
        ['state', '!=', 'cancel'],
      ],
      ['product_id', 'product_uom_qty'],
    );
    for (const move of moves) {
      const productId = m2oId(move.product_id)!;
      const qty = quantities?.[productId] ?? (move.product_uom_qty as number);
      await write('stock.move', [move.id], { quantity: qty, picked: true });
    }
    // skip_sms: the SMS wizard would replace validation for partners with a phone (money-and-privacy §0.13);
    // skip_backorder: validate now and create the backorder without the wizard.
    await call('stock.picking', 'button_validate', [pickingId], { skip_sms: true, skip_backorder: true });
    const state = (await read('stock.picking', pickingId, ['state'])).state;
    if (state !== 'done') throw new Error(`stock.picking ${pickingId} is ${String(state)} after button_validate`);
  };

  /** A bank journal by name, created when missing (codes are short and unique per company). */
  const journalNamed = async (name: string) => {
    const [found] = await searchRead('account.journal', [['name', '=', name]], ['id']);
    if (found) return found.id;
    const count = (await searchRead('account.journal', [], ['id'])).length;
    return create('account.journal', { name, code: `CJ${count + 1}`.slice(0, 5), type: 'bank' });
  };
  const companyId = async () => (await searchRead('res.company', [], ['id'], { order: 'id', limit: 1 }))[0]!.id;
  /** Invoice policy, gateway mapping and gift cards, as the settings and the mapping list set them. */
  const configureMoney = async (settings: MerchantSettings) => {
    const company = await companyId();
    if (settings.invoice_policy) await write('res.company', [company], { shopify_invoice_policy: settings.invoice_policy });
    if (settings.edit_removal_policy) await write('res.company', [company], { shopify_edit_removal_policy: settings.edit_removal_policy });
    if (settings.return_refund) await write('res.company', [company], { shopify_return_refund: settings.return_refund });
    if (settings.gateways) {
      const existing = await searchRead('shopify.payment.gateway', [['active', 'in', [true, false]]], ['id']);
      if (existing.length) await kw('shopify.payment.gateway', 'unlink', [existing.map((row) => row.id)]);
      for (const g of settings.gateways)
        await create('shopify.payment.gateway', { name: g.gateway, journal_id: await journalNamed(g.journal) });
    }
    if (settings.gift_card === null)
      await write('res.company', [company], { shopify_gift_card_account_id: false, shopify_gift_card_journal_id: false });
    if (settings.gift_card) {
      let [account] = await searchRead('account.account', [['name', '=', settings.gift_card.account]], ['id']);
      account ??= {
        id: await create('account.account', { name: settings.gift_card.account, code: 'CGIFT1', account_type: 'liability_current' }),
      };
      const journal = await journalNamed(settings.gift_card.journal);
      const methods = await searchRead(
        'account.payment.method.line',
        [
          ['journal_id', '=', journal],
          ['payment_type', '=', 'inbound'],
        ],
        ['id'],
      );
      await write(
        'account.payment.method.line',
        methods.map((row) => row.id),
        { payment_account_id: account.id },
      );
      await write('res.company', [company], { shopify_gift_card_account_id: account.id, shopify_gift_card_journal_id: journal });
    }
  };

  return {
    name: 'real-odoo',

    async readPayments(saleOrderId: number): Promise<PaymentView[]> {
      const rows = await searchRead(
        'account.payment',
        [['shopify_sale_order_id', '=', saleOrderId]],
        ['shopify_transaction_gid', 'payment_type', 'amount', 'journal_id', 'is_reconciled', 'currency_id'],
        { order: 'id' },
      );
      return rows.map((row) => ({
        transaction_gid: row.shopify_transaction_gid as string,
        payment_type: row.payment_type as PaymentView['payment_type'],
        amount: moneyIn(row.amount, row.currency_id),
        journal: (row.journal_id as [number, string])[1],
        reconciled: Boolean(row.is_reconciled),
      }));
    },

    async readOrderCreditNotes(saleOrderId: number) {
      // The addon's credit notes name the order (shopify_sale_order_id); one a person made in Odoo
      // for the order's lines names it through them, as the order's Invoices button counts it.
      const moves = await searchRead(
        'account.move',
        [
          '|',
          ['shopify_sale_order_id', '=', saleOrderId],
          ['invoice_line_ids.sale_line_ids.order_id', '=', saleOrderId],
          ['move_type', '=', 'out_refund'],
        ],
        ['amount_total', 'state', 'shopify_gid', 'shopify_edit_refund_ids', 'currency_id'],
        { order: 'id' },
      );
      const refundIds = moves.flatMap((m) => m.shopify_edit_refund_ids as number[]);
      const refunds = refundIds.length
        ? await searchRead('shopify.refund', [['id', 'in', refundIds]], ['shopify_gid'], { order: 'id' })
        : [];
      return moves.map((m) => ({
        id: m.id,
        amount_total: moneyIn(m.amount_total, m.currency_id),
        state: m.state as string,
        refund_gid: (m.shopify_gid as string | false) || null,
        edit_refund_gids: refunds.filter((r) => (m.shopify_edit_refund_ids as number[]).includes(r.id)).map((r) => r.shopify_gid as string),
      }));
    },
    async readOrderInvoices(saleOrderId: number): Promise<OrderInvoiceView[]> {
      const order = await read('sale.order', saleOrderId, ['invoice_ids', 'company_id']);
      const ids = order.invoice_ids as number[];
      if (!ids.length) return [];
      const company = await read('res.company', m2oId(order.company_id)!, ['shopify_gift_card_account_id']);
      const giftAccount = m2oId(company.shopify_gift_card_account_id);
      const moves = await searchRead(
        'account.move',
        [
          ['id', 'in', ids],
          ['move_type', '=', 'out_invoice'],
        ],
        ['state', 'amount_total', 'amount_residual', 'currency_id'],
        { order: 'id' },
      );
      const out: OrderInvoiceView[] = [];
      for (const move of moves) {
        const lines = giftAccount
          ? await searchRead(
              'account.move.line',
              [
                ['move_id', '=', move.id],
                ['account_id', '=', giftAccount],
                ['display_type', '=', 'product'],
              ],
              ['price_total'],
            )
          : [];
        const places = minorUnits((move.currency_id as [number, string])[1]);
        const gift = lines.reduce((sum, l) => sum + BigInt(Math.round(Number(l.price_total) * 10 ** places)), 0n);
        out.push({
          id: move.id,
          state: move.state as string,
          amount_total: moneyIn(move.amount_total, move.currency_id),
          amount_residual: moneyIn(move.amount_residual, move.currency_id),
          gift_card_amount: formatMinor(gift, places),
        });
      }
      return out;
    },

    async warehouses(): Promise<WarehouseView[]> {
      await prepare();
      const maps = await searchRead('shopify.location.map', [['active', '=', true]], ['location_gid', 'warehouse_id'], { order: 'id' });
      return maps.map((row) => ({ id: m2oId(row.warehouse_id)!, location_gid: row.location_gid as string }));
    },

    async configure(settings: MerchantSettings) {
      await prepare();
      if (settings.import_policy) await kw('ir.config_parameter', 'set_param', ['shopify_sync.import_policy', settings.import_policy]);
      if (settings.safety_stock !== undefined)
        await kw('ir.config_parameter', 'set_param', ['shopify_sync.safety_stock', String(settings.safety_stock)]);
      if (settings.fulfillment_policy)
        await kw('ir.config_parameter', 'set_param', ['shopify_sync.shopify_fulfillment_policy', settings.fulfillment_policy]);
      if (settings.tax_mapping) {
        const existing = await searchRead('shopify.tax.map', [], ['id']);
        if (existing.length) await kw('shopify.tax.map', 'unlink', [existing.map((row) => row.id)]);
        for (const mapping of settings.tax_mapping) {
          let [tax] = await searchRead(
            'account.tax',
            [
              ['name', '=', mapping.tax],
              ['type_tax_use', '=', 'sale'],
            ],
            ['id'],
          );
          tax ??= {
            id: await create('account.tax', {
              name: mapping.tax,
              amount: mapping.rate * 100,
              amount_type: 'percent',
              type_tax_use: 'sale',
              ...(await versionFields()).priceIncluded(mapping.price_include === true),
            }),
          };
          await create('shopify.tax.map', { title: mapping.title, rate: mapping.rate, tax_id: tax.id });
        }
      }
      if (settings.tax_rounding) {
        const companies = await searchRead('res.company', [], ['id']);
        await write(
          'res.company',
          companies.map((c) => c.id),
          { tax_calculation_rounding_method: settings.tax_rounding },
        );
      }
      if (settings.tax_source) await kw('ir.config_parameter', 'set_param', ['shopify_sync.tax_source', settings.tax_source]);
      if (settings.currency_policy)
        await kw('ir.config_parameter', 'set_param', ['shopify_sync.currency_policy', settings.currency_policy]);
      if (settings.presentment_policy)
        await kw('ir.config_parameter', 'set_param', ['shopify_sync.presentment_policy', settings.presentment_policy]);
      if (settings.tax_tolerance !== undefined)
        await kw('ir.config_parameter', 'set_param', ['shopify_sync.tax_tolerance', settings.tax_tolerance]);
      if (settings.price_digits !== undefined) {
        const precision = await searchRead('decimal.precision', [['name', '=', 'Product Price']], ['id']);
        await write(
          'decimal.precision',
          precision.map((p) => p.id),
          { digits: settings.price_digits },
        );
      }
      await configureMoney(settings);
    },

    async setCurrency(code: string, options: { rate: string; pricelist: boolean }) {
      const [currency] = await searchRead('res.currency', [['name', '=', code]], ['id'], { context: { active_test: false } });
      if (!currency) throw new Error(`Odoo has no currency ${code}`);
      await write('res.currency', [currency.id], { active: true });
      const [company] = await searchRead('res.company', [], ['id'], { order: 'id', limit: 1 });
      const rates = await searchRead('res.currency.rate', [['currency_id', '=', currency.id]], ['id']);
      if (rates.length) await kw('res.currency.rate', 'unlink', [rates.map((r) => r.id)]);
      await create('res.currency.rate', {
        currency_id: currency.id,
        company_id: company!.id,
        name: '2000-01-01',
        rate: Number(options.rate),
      });
      const pricelists = await searchRead('product.pricelist', [['currency_id', '=', currency.id]], ['id', 'active'], {
        context: { active_test: false },
      });
      if (options.pricelist && !pricelists.some((p) => p.active)) {
        if (pricelists.length) await write('product.pricelist', [pricelists[0]!.id], { active: true });
        else await create('product.pricelist', { name: `Shopify ${code}`, currency_id: currency.id });
      } else if (!options.pricelist && pricelists.length) {
        await write(
          'product.pricelist',
          pricelists.map((p) => p.id),
          { active: false },
        );
      }
    },

    async readOrderCurrency(saleOrderId: number) {
      const so = await read('sale.order', saleOrderId, ['currency_id', 'shopify_currency', 'amount_total']);
      return {
        currency: (so.currency_id as [number, string])[1],
        shopify_currency: orNull(so.shopify_currency as string | false),
        amount_total: moneyIn(so.amount_total, so.currency_id),
      };
    },

    async companyCurrency() {
      const [company] = await searchRead('res.company', [], ['currency_id'], { order: 'id', limit: 1 });
      return (company!.currency_id as [number, string])[1];
    },

    async createProduct(spec: ProductSpec) {
      const lines: unknown[] = [];
      const valueIds = new Map<string, number>();
      for (const option of spec.options ?? []) {
        let [attribute] = await searchRead('product.attribute', [['name', '=', option.name]], ['id']);
        attribute ??= { id: await create('product.attribute', { name: option.name, create_variant: 'always' }) };
        const ids: number[] = [];
        for (const v of option.values) {
          let [value] = await searchRead(
            'product.attribute.value',
            [
              ['attribute_id', '=', attribute.id],
              ['name', '=', v.value],
            ],
            ['id'],
          );
          value ??= { id: await create('product.attribute.value', { attribute_id: attribute.id, name: v.value }) };
          ids.push(value.id);
          valueIds.set(`${option.name}\u0000${v.value}`, value.id);
        }
        lines.push([0, 0, { attribute_id: attribute.id, value_ids: [[6, 0, ids]] }]);
      }
      const single = !spec.options?.length ? spec.variants[0] : undefined;
      const templateId = await create('product.template', {
        name: spec.name,
        description_sale: spec.description ?? false,
        list_price: Number(spec.price),
        ...(await versionFields()).storable,
        sale_ok: true,
        taxes_id: [[6, 0, []]],
        ...(lines.length ? { attribute_line_ids: lines } : {}),
        ...(single ? { default_code: single.sku ?? false, barcode: single.barcode ?? false } : {}),
      });
      const ptavs = await searchRead(
        'product.template.attribute.value',
        [['product_tmpl_id', '=', templateId]],
        ['product_attribute_value_id'],
      );
      const ptavOf = new Map(ptavs.map((row) => [m2oId(row.product_attribute_value_id)!, row.id]));
      for (const option of spec.options ?? []) {
        for (const v of option.values) {
          if (v.price_extra)
            await write('product.template.attribute.value', [ptavOf.get(valueIds.get(`${option.name}\u0000${v.value}`)!)!], {
              price_extra: Number(v.price_extra),
            });
        }
      }
      const products = await searchRead(
        'product.product',
        [['product_tmpl_id', '=', templateId]],
        ['product_template_attribute_value_ids'],
      );
      const variants: Record<string, number> = {};
      for (const v of spec.variants) {
        const wanted = Object.entries(v.option_values ?? {})
          .map(([option, value]) => ptavOf.get(valueIds.get(`${option}\u0000${value}`)!)!)
          .sort();
        const product = single
          ? products[0]
          : products.find((p) => [...(p.product_template_attribute_value_ids as number[])].sort().join() === wanted.join());
        if (!product) throw new Error(`no variant ${JSON.stringify(v.option_values)} in ${spec.name}`);
        if (!single) await write('product.product', [product.id], { default_code: v.sku ?? false, barcode: v.barcode ?? false });
        variants[v.sku ?? `#${product.id}`] = product.id;
      }
      return { template_id: templateId, variants };
    },

    async setProductPrice(templateId: number, price: Money) {
      await write('product.template', [templateId], { list_price: Number(price) });
    },

    async archiveProduct(templateId: number) {
      await call('product.template', 'action_archive', [templateId]);
    },

    async setStock(productId: number, warehouseId: number, quantity: number) {
      const locationId = await lotStock(warehouseId);
      const quantId = await create(
        'stock.quant',
        { product_id: productId, location_id: locationId, inventory_quantity: quantity },
        { inventory_mode: true },
      );
      await call('stock.quant', 'action_apply_inventory', [quantId], { inventory_mode: true });
    },

    async createSaleOrder(spec) {
      const partnerId = await create('res.partner', { name: 'Walk-in customer' });
      const orderId = await create('sale.order', {
        partner_id: partnerId,
        warehouse_id: spec.warehouse_id,
        order_line: spec.lines.map((l) => [0, 0, { product_id: l.product_id, product_uom_qty: l.quantity }]),
      });
      await call('sale.order', 'action_confirm', [orderId]);
      const [picking] = await searchRead('stock.picking', [['sale_id', '=', orderId]], ['id'], { order: 'id' });
      return { sale_order_id: orderId, picking_id: picking!.id };
    },

    async validateDelivery(pickingId: number, options: { quantities?: Record<number, number>; tracking?: Tracking } = {}) {
      if (options.tracking) await write('stock.picking', [pickingId], { carrier_tracking_ref: options.tracking.number ?? false });
      await validatePicking(pickingId, options.quantities);
      const [backorder] = await searchRead('stock.picking', [['backorder_id', '=', pickingId]], ['id']);
      return { backorder_id: backorder?.id ?? null };
    },

    async setTracking(pickingId: number, tracking: Tracking) {
      await write('stock.picking', [pickingId], { carrier_tracking_ref: tracking.number ?? false });
    },

    async validateReturn(pickingId: number) {
      await validatePicking(pickingId);
    },

    async processReturnWithoutRefund(pickingId: number) {
      await call('stock.picking', 'action_shopify_process_without_refund', [pickingId]);
    },

    async readReturnWaiting(pickingId: number) {
      return Boolean((await read('stock.picking', pickingId, ['shopify_return_waiting'])).shopify_return_waiting);
    },

    async returnDelivery(pickingId: number, quantities: Record<number, number>) {
      const context = { active_id: pickingId, active_ids: [pickingId], active_model: 'stock.picking' };
      const wizard = await create('stock.return.picking', {}, context);
      const lines = await searchRead('stock.return.picking.line', [['wizard_id', '=', wizard]], ['product_id']);
      for (const line of lines) await write('stock.return.picking.line', [line.id], { quantity: quantities[m2oId(line.product_id)!] ?? 0 });
      const action = (await call('stock.return.picking', (await versionFields()).createReturns, [wizard], context)) as { res_id: number };
      return { return_picking_id: action.res_id };
    },

    async postCreditNote(saleOrderId: number, amount: Money, reason: string) {
      const order = await read('sale.order', saleOrderId, ['partner_invoice_id', 'name', 'order_line']);
      const [line] = await searchRead(
        'sale.order.line',
        [
          ['order_id', '=', saleOrderId],
          ['display_type', '=', false],
        ],
        ['product_id'],
        { order: 'id', limit: 1 },
      );
      const moveId = await create('account.move', {
        move_type: 'out_refund',
        partner_id: m2oId(order.partner_invoice_id),
        invoice_origin: order.name,
        invoice_line_ids: [
          [
            0,
            0,
            {
              product_id: m2oId(line!.product_id),
              name: reason,
              quantity: 1,
              price_unit: Number(amount),
              tax_ids: [[6, 0, []]],
            },
          ],
        ],
      });
      await call('account.move', 'action_post', [moveId]);
      return { credit_note_id: moveId };
    },

    async creditOrderLines(saleOrderId: number, lines: Array<{ sku: string; quantity: number }>, reason: string) {
      const order = await read('sale.order', saleOrderId, ['partner_invoice_id', 'name', 'currency_id']);
      const vals: unknown[] = [];
      for (const { sku, quantity } of lines) {
        const [line] = await searchRead(
          'sale.order.line',
          [
            ['order_id', '=', saleOrderId],
            ['shopify_line_role', 'in', ['product', 'duty', 'fee']],
            ['product_id.default_code', '=', sku],
          ],
          ['product_id', 'price_unit', (await versionFields()).lineTaxes, 'name'],
          { limit: 1 },
        );
        if (!line) throw new Error(`${order.name as string} has no line with SKU ${sku}`);
        vals.push([
          0,
          0,
          {
            product_id: m2oId(line.product_id),
            name: `${reason}: ${line.name as string}`,
            quantity,
            price_unit: line.price_unit,
            tax_ids: [[6, 0, line[(await versionFields()).lineTaxes]]],
            sale_line_ids: [[6, 0, [line.id]]],
          },
        ]);
      }
      const moveId = await create('account.move', {
        move_type: 'out_refund',
        partner_id: m2oId(order.partner_invoice_id),
        invoice_origin: order.name,
        // In the order's currency, as a credit note made from its invoice is.
        currency_id: m2oId(order.currency_id),
        invoice_line_ids: vals,
      });
      await call('account.move', 'action_post', [moveId]);
      return { credit_note_id: moveId };
    },

    async invoiceOrder(saleOrderId: number) {
      const before = new Set(((await read('sale.order', saleOrderId, ['invoice_ids'])).invoice_ids as number[]) ?? []);
      const context = { active_model: 'sale.order', active_ids: [saleOrderId], active_id: saleOrderId };
      const wizard = await create('sale.advance.payment.inv', { advance_payment_method: 'delivered' }, context);
      await call('sale.advance.payment.inv', 'create_invoices', [wizard], context);
      const after = ((await read('sale.order', saleOrderId, ['invoice_ids'])).invoice_ids as number[]) ?? [];
      const moveId = after.find((id) => !before.has(id));
      if (!moveId) throw new Error(`invoicing sale order ${saleOrderId} made no invoice`);
      await call('account.move', 'action_post', [moveId]);
      const move = await read('account.move', moveId, ['move_type', 'amount_total', 'currency_id']);
      return {
        invoice_id: moveId,
        move_type: move.move_type as 'out_invoice' | 'out_refund',
        amount_total: moneyIn(move.amount_total, move.currency_id),
      };
    },

    async readCreditNoteLines(id: number) {
      const rows = await searchRead(
        'account.move.line',
        [
          ['move_id', '=', id],
          ['display_type', '=', 'product'],
        ],
        ['name', 'quantity', 'price_total', 'sale_line_ids', 'currency_id'],
        { order: 'sequence, id' },
      );
      const out = [];
      for (const row of rows) {
        const saleLines = row.sale_line_ids as number[];
        const role = saleLines.length ? (await read('sale.order.line', saleLines[0]!, ['shopify_line_role'])).shopify_line_role : null;
        out.push({
          name: row.name as string,
          quantity: row.quantity as number,
          price_total: moneyIn(row.price_total, row.currency_id),
          sale_line_role: orNull(role as string | false | null),
        });
      }
      return out;
    },

    async readInvoice(id: number) {
      const move = await read('account.move', id, ['amount_total', 'amount_residual', 'state', 'currency_id']);
      return {
        amount_total: moneyIn(move.amount_total, move.currency_id),
        amount_residual: moneyIn(move.amount_residual, move.currency_id),
        state: move.state as string,
      };
    },

    async readOrderLines(saleOrderId: number) {
      const order = await read('sale.order', saleOrderId, ['amount_total', 'invoice_status', 'currency_id']);
      const rows = await searchRead(
        'sale.order.line',
        [
          ['order_id', '=', saleOrderId],
          ['display_type', '=', false],
        ],
        ['shopify_line_role', 'product_id', 'product_uom_qty', 'qty_delivered', 'qty_invoiced', 'shopify_kept_qty', 'price_total'],
        { order: 'id' },
      );
      const lines = [];
      for (const row of rows) {
        const role = orNull(row.shopify_line_role as string | false);
        const sku =
          role === 'product'
            ? orNull((await read('product.product', m2oId(row.product_id)!, ['default_code'])).default_code as string | false)
            : null;
        lines.push({
          role,
          sku,
          quantity: row.product_uom_qty as number,
          qty_delivered: row.qty_delivered as number,
          qty_invoiced: row.qty_invoiced as number,
          kept_qty: row.shopify_kept_qty as number,
          price_total: moneyIn(row.price_total, order.currency_id),
        });
      }
      return { amount_total: moneyIn(order.amount_total, order.currency_id), invoice_status: order.invoice_status as string, lines };
    },

    async readRefunds(saleOrderId: number) {
      const rows = await searchRead(
        'shopify.refund',
        [['sale_order_id', '=', saleOrderId]],
        ['shopify_gid', 'state', 'amount_total', 'credit_note_id', 'origin', 'return_gid', 'edit_credit_note_ids', 'currency_id'],
        { order: 'id' },
      );
      return rows.map((r) => ({
        refund_gid: r.shopify_gid as string,
        state: r.state as string,
        amount_total: moneyIn(r.amount_total, r.currency_id),
        credit_note_id: m2oId(r.credit_note_id),
        origin: r.origin as string,
        return_gid: orNull(r.return_gid as string | false),
        edit_credit_note_ids: [...(r.edit_credit_note_ids as number[])].sort((a, b) => a - b),
      }));
    },

    async createCustomer(values) {
      return create('res.partner', { name: values.name, email: values.email ?? false, shopify_sync: values.sync ?? false });
    },

    async editCustomer(partnerId, values) {
      await write('res.partner', [partnerId], Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v ?? false])));
    },

    async archiveCustomer(partnerId) {
      await write('res.partner', [partnerId], { active: false });
    },

    async eraseCustomer(partnerId) {
      await call('res.partner', 'action_shopify_erase', [partnerId]);
    },

    async reimportOrder(saleOrderId: number) {
      await call('sale.order', 'action_shopify_reimport', [saleOrderId]);
    },

    async resyncProduct(templateId: number) {
      await call('product.template', 'action_shopify_resync', [templateId]);
    },

    async readSaleOrders(orderGid: Gid): Promise<SaleOrderView[]> {
      const orders = await searchRead(
        'sale.order',
        [['shopify_gid', '=', orderGid]],
        ['name', 'state', 'partner_id', 'partner_shipping_id', 'amount_total', 'currency_id'],
      );
      const views: SaleOrderView[] = [];
      for (const so of orders) {
        const ship = await read('res.partner', m2oId(so.partner_shipping_id)!, ['street', 'city', 'zip']);
        const lines = await searchRead(
          'sale.order.line',
          [
            ['order_id', '=', so.id],
            ['shopify_line_role', 'in', ['product', false]],
            ['display_type', '=', false],
            ['is_delivery', '=', false],
          ],
          ['product_id', 'product_uom_qty', 'qty_delivered'],
          { order: 'id' },
        );
        const skus = new Map<number, string | null>();
        for (const l of lines) {
          const id = m2oId(l.product_id)!;
          if (!skus.has(id)) skus.set(id, orNull((await read('product.product', id, ['default_code'])).default_code as string | false));
        }
        views.push({
          id: so.id,
          name: so.name as string,
          state: so.state as string,
          partner_id: m2oId(so.partner_id)!,
          shipping: {
            street: orNull(ship.street as string | false),
            city: orNull(ship.city as string | false),
            zip: orNull(ship.zip as string | false),
          },
          amount_total: moneyIn(so.amount_total, so.currency_id),
          lines: lines.map((l) => ({
            sku: skus.get(m2oId(l.product_id)!) ?? null,
            quantity: l.product_uom_qty as number,
            qty_delivered: l.qty_delivered as number,
          })),
        });
      }
      return views;
    },

    async readPickings(saleOrderId: number): Promise<PickingView[]> {
      const pickings = await searchRead('stock.picking', [['sale_id', '=', saleOrderId]], ['picking_type_code', 'state'], { order: 'id' });
      const views: PickingView[] = [];
      for (const p of pickings) {
        const moves = await searchRead('stock.move', [['picking_id', '=', p.id]], ['product_id', 'product_uom_qty']);
        views.push({
          id: p.id,
          picking_type: p.picking_type_code === 'incoming' ? 'incoming' : 'outgoing',
          state: p.state as string,
          moves: moves.map((mv) => ({ product_id: m2oId(mv.product_id)!, quantity: mv.product_uom_qty as number })),
        });
      }
      return views;
    },

    async readPartner(partnerId: number): Promise<PartnerView> {
      const p = await read('res.partner', partnerId, ['name', 'email', 'phone', 'street', 'city', 'active']);
      return {
        id: p.id,
        name: p.name as string,
        email: orNull(p.email as string | false),
        phone: orNull(p.phone as string | false),
        street: orNull(p.street as string | false),
        city: orNull(p.city as string | false),
        active: Boolean(p.active),
      };
    },

    async findPartnersByName(name: string) {
      return (
        await searchRead(
          'res.partner',
          [
            ['name', '=', name],
            ['parent_id', '=', false],
          ],
          ['id'],
        )
      ).map((row) => row.id);
    },

    async readCreditNote(id: number) {
      const move = await read('account.move', id, ['amount_total', 'state', 'currency_id']);
      return { amount_total: moneyIn(move.amount_total, move.currency_id), state: move.state as string };
    },

    async readSidecarHealth() {
      const id = await overviewId();
      const row = await read('shopify.sync.overview', id, [
        'sidecar_alert_count',
        'sidecar_dlq_depth',
        'sidecar_health_checked_at',
        'sidecar_alerts_html',
      ]);
      if (!row.sidecar_health_checked_at) return null;
      return {
        alert_count: row.sidecar_alert_count as number,
        dlq_depth: row.sidecar_dlq_depth as number,
        text: String(row.sidecar_alerts_html),
      };
    },

    async shopDomain(): Promise<string> {
      const shop = await kw<string | false>('ir.config_parameter', 'get_param', ['shopify_sync.shop_domain']);
      if (!shop) throw new Error('shopify_sync.shop_domain is not set in this Odoo');
      return shop;
    },

    async readPrivacyRequests(): Promise<PrivacyRequestView[]> {
      const fields = ['name', 'kind', 'state', 'received_at', 'due_date', 'done_by', 'customer_gid', 'waiting_reason', 'outcome'];
      const rows = await searchRead('shopify.privacy.request', [], [...fields, 'sidecar_outcome', 'shopify_status', 'shopify_message'], {
        order: 'id',
      });
      const views: PrivacyRequestView[] = [];
      for (const row of rows) {
        const todos = await searchRead(
          'mail.activity',
          // Open to-dos only: Odoo 19 keeps a done activity, archived (17 and 18 delete it), and
          // this driver reads with active_test off.
          [
            ['res_model', '=', 'shopify.privacy.request'],
            ['res_id', '=', row.id],
            ['active', '=', true],
          ],
          ['summary', 'date_deadline'],
          { order: 'id' },
        );
        const [json] = await searchRead(
          'ir.attachment',
          [
            ['res_model', '=', 'shopify.privacy.request'],
            ['res_id', '=', row.id],
            ['mimetype', '=', 'application/json'],
          ],
          ['datas'],
        );
        views.push({
          ...{ id: row.id, name: row.name as string, kind: row.kind as PrivacyRequestView['kind'] },
          ...{ state: row.state as PrivacyRequestView['state'], received_at: `${String(row.received_at).replace(' ', 'T')}Z` },
          ...{
            due_date: row.due_date as string,
            done_by: orNull(row.done_by as string | false),
            customer_gid: orNull(row.customer_gid as string | false),
          },
          ...{ waiting_reason: orNull(row.waiting_reason as string | false), outcome: orNull(row.outcome as string | false) },
          ...{ sidecar_outcome: orNull(row.sidecar_outcome as string | false) },
          ...{ shopify_status: orNull(row.shopify_status as PrivacyRequestView['shopify_status'] | false) },
          ...{ shopify_message: orNull(row.shopify_message as string | false) },
          activities: todos.map((t) => ({ summary: t.summary as string, deadline: t.date_deadline as string })),
          export: json ? (JSON.parse(Buffer.from(json.datas as string, 'base64').toString('utf8')) as Record<string, unknown>) : null,
        });
      }
      return views;
    },

    async recheckPrivacyRequest(requestId: number) {
      await call('shopify.privacy.request', 'action_recheck', [requestId]);
    },

    async readSidecarStatus() {
      const row = await read('shopify.sync.overview', await overviewId(), ['sidecar_status']);
      return (row.sidecar_status as Record<string, unknown> | false) || null;
    },

    async readFailures(): Promise<FailureView[]> {
      const rows = await searchRead('shopify.sync.failure', [], FAILURE_FIELDS, { order: 'id' });
      return rows.map((row) => ({
        id: row.id,
        state: row.state as FailureView['state'],
        res_model: (row.res_model as string | false) || null,
        res_id: (row.res_id as number | false) || null,
        shopify_gid: (row.shopify_gid as string | false) || null,
        shopify_name: (row.shopify_name as string | false) || null,
        amount: (row.amount as string | false) || null,
        customer_name: (row.customer_name as string | false) || null,
        attempts: row.attempts as number,
      }));
    },

    async readBinding(model: SyncModel, id: number): Promise<BindingView> {
      // A variant's own Shopify ID is shopify_variant_gid; its shopify_gid (and state) are its
      // template's, delegated through product.product's _inherits.
      const gidField = model === 'product.product' ? 'shopify_variant_gid' : 'shopify_gid';
      const row = await read(model, id, ['shopify_state', 'shopify_error', gidField, 'shopify_hash']);
      return {
        state: row.shopify_state as BindingView['state'],
        message: orNull(row.shopify_error as string | false),
        shopify_gid: orNull(row[gidField] as string | false),
        content_hash: orNull(row.shopify_hash as string | false),
      };
    },

    async sleep(seconds: number) {
      await sleep(seconds * 1000);
    },
  };
}
