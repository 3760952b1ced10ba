/**
 * One scenario per shared rule (contract/rules/README.md), through the contract, that fails when
 * the target and the sidecar's rule (sidecar/rules/) disagree: money (a decimal beyond the
 * document currency's is refused, naming the field — the third of EUR, the fourth of KWD; a
 * trailing zero is not), email (matching normalises
 * spaces and case; a string without @ matches nothing), GID (a malformed or wrong-type GID is
 * refused, naming the field) and the contract version (a sidecar speaking another major is
 * refused).
 */
import assert from 'node:assert/strict';
import { createOdooContract, type OdooContract } from '../../sidecar/odoo/contract.js';
import { OdooPermanentError } from '../../sidecar/odoo/errors.js';
import { compatibleContractVersions, CONTRACT_VERSION } from '../../sidecar/rules/contract-version.js';
import { normaliseEmail } from '../../sidecar/rules/email.js';
import { isGid } from '../../sidecar/rules/gid.js';
import { MoneyError, toCents, toMinor } from '../../sidecar/rules/money.js';
import { customerDoc, emailOf, gidOf, nextId, orderDoc } from './fixtures.js';
import { ContractViolation } from './schemas.js';
import { rejects, simpleProduct, VALIDATION } from './support.js';
import type { MerchantDriver, SuiteContext, WarehouseView } from './target.js';

export interface RuleScenarioTarget {
  contract: OdooContract;
  merchant: MerchantDriver;
  currency: string;
  warehouses: WarehouseView[];
}

export function defineSharedRuleScenarios(ctx: SuiteContext, current: () => RuleScenarioTarget): void {
  /** An order of one stocked 10.00 product, whose first line's unit price is then set to `price`. */
  async function orderPricedAt(price: string) {
    const { merchant: m, currency, warehouses } = current();
    const p = await simpleProduct(m);
    await m.setStock(p.product_id, warehouses[0]!.id, 5);
    const doc = orderDoc({ currency, customer: null, lines: [{ sku: p.sku, quantity: 1, price: '10.00' }] });
    return { ...doc, lines: [{ ...doc.lines[0]!, price_unit: price }] };
  }

  describe('money', () => {
    it('refuses an amount whose third decimal is not zero, naming the field, and creates nothing', async () => {
      const { contract, merchant: m } = current();
      // The sidecar's rule refuses it too: the two sides agree.
      assert.throws(() => toCents('10.005', 'price_unit'), MoneyError);
      const doc = await orderPricedAt('10.005');
      await rejects(contract.applyOrder(doc), {
        cls: OdooPermanentError,
        odooName: VALIDATION,
        message: /line 1 price_unit\b.*10\.005.*more than two decimals/,
      });
      assert.deepEqual(await m.readSaleOrders(doc.order_gid), [], 'a refused order creates no sales order');
    });

    it("reads an amount at its document currency's decimals: a KWD fils passes the money rule, a fourth KWD decimal does not", async () => {
      const { contract, merchant: m, currency } = current();
      assert.equal(toMinor('10.005', 3), 10005n);
      assert.throws(() => toMinor('10.0005', 3, 'price_unit'), MoneyError);
      const kwd = { ...(await orderPricedAt('10.0005')), currency: 'KWD', presentment_currency: 'KWD' };
      await rejects(contract.applyOrder(kwd), {
        cls: OdooPermanentError,
        odooName: VALIDATION,
        message: /line 1 price_unit\b.*10\.0005.*more than 3 decimals/,
      });
      // Three decimals are KWD's own: the document gets past the money rule to the currency policy
      // (this target's company is in another currency).
      const fils = { ...(await orderPricedAt('10.005')), currency: 'KWD', presentment_currency: 'KWD' };
      await rejects(contract.applyOrder(fils), {
        cls: OdooPermanentError,
        odooName: VALIDATION,
        message: new RegExp(`shop currency KWD differs from the company currency ${currency}`),
      });
      assert.deepEqual(await m.readSaleOrders(fils.order_gid), [], 'a refused order creates no sales order');
    });

    it('accepts a third decimal that is zero as the same amount', async () => {
      const { contract } = current();
      assert.equal(toCents('10.000'), 1000n);
      const result = await contract.applyOrder(await orderPricedAt('10.000'));
      assert.deepEqual([result.status, result.amount_total], ['created', '10.00']);
    });
  });

  describe('email', () => {
    it('matches a partner whatever the spaces and capitals around and in the email', async () => {
      const { contract, merchant: m } = current();
      const email = emailOf('grace.rule');
      const existing = await m.createCustomer({ name: 'Grace Rule', email });
      const spaced = `  ${email.toUpperCase()}  `;
      assert.equal(normaliseEmail(spaced), email);
      assert.deepEqual(await contract.upsertCustomer(customerDoc({ email: spaced })), { status: 'linked', partner_id: existing });
    });

    it('matches no partner by an email without @, even one holding the same text', async () => {
      const { contract, merchant: m } = current();
      const notAnEmail = `grace.rule.${nextId()}.example.com`;
      assert.equal(normaliseEmail(notAnEmail), null);
      const existing = await m.createCustomer({ name: 'No At', email: notAnEmail });
      const result = await contract.upsertCustomer(customerDoc({ email: notAnEmail }));
      assert.equal(result.status, 'created');
      assert.notEqual(result.partner_id, existing);
    });
  });

  describe('GID', () => {
    // The schemas refuse these documents before they reach the target; the unvalidated caller
    // checks that the target refuses them by itself, as the sidecar's GID rule does.
    const malformed = 'gid://shopify/Order/12ab';
    const wrongType = 'gid://shopify/Customer/1';

    it('refuses a malformed GID, naming the field', async () => {
      assert.equal(isGid(malformed), false);
      const doc = { order_gid: malformed, cancelled_at: '2026-11-01T10:00:00Z', reason: null };
      await assert.rejects(current().contract.cancelOrder(doc), ContractViolation, 'the schema refuses it as well');
      await rejects(createOdooContract(ctx.unvalidatedCaller()).cancelOrder(doc), {
        cls: OdooPermanentError,
        odooName: VALIDATION,
        message: /\border_gid\b.*12ab.*not a Shopify GID/,
      });
    });

    it('refuses a GID of another type, naming the field', async () => {
      assert.equal(isGid(wrongType, 'Order'), false);
      const refund = {
        refund_gid: gidOf('Refund'),
        order_gid: wrongType,
        created_at: '2026-11-01T10:00:00Z',
        note: null,
        lines: [],
        shipping: { amount: '0.00', tax: '0.00' },
        adjustments: [],
        total: '0.00',
      };
      await rejects(createOdooContract(ctx.unvalidatedCaller()).applyRefund(refund), {
        cls: OdooPermanentError,
        odooName: VALIDATION,
        message: /\border_gid\b.*Customer\/1.*not a Order GID/,
      });
    });
  });

  describe('contract version', () => {
    it('answers a contract version this sidecar speaks', async () => {
      const { contract_version } = await current().contract.contractVersion({ sidecar_version: '0.1.0' });
      assert.ok(compatibleContractVersions(contract_version, CONTRACT_VERSION), `${contract_version} vs ${CONTRACT_VERSION}`);
    });

    it('refuses a sidecar that speaks a contract it does not, naming it; accepts another minor of its own', async () => {
      const { contract } = current();
      assert.equal(compatibleContractVersions(CONTRACT_VERSION, '2.0'), false);
      await rejects(contract.contractVersion({ sidecar_version: '0.1.0', contract_version: '2.0' }), {
        cls: OdooPermanentError,
        odooName: VALIDATION,
        message: /^contract_version: .*'2\.0'/,
      });
      const minor = `${CONTRACT_VERSION.split('.')[0]}.9`;
      assert.equal(compatibleContractVersions(CONTRACT_VERSION, minor), true);
      const { contract_version } = await contract.contractVersion({ sidecar_version: '0.1.0', contract_version: minor });
      assert.ok(compatibleContractVersions(contract_version, minor));
    });

    it("records the sidecar's own release whatever it is: only the contract version is checked", async () => {
      const { contract_version } = await current().contract.contractVersion({ sidecar_version: '99.0.0' });
      assert.ok(compatibleContractVersions(contract_version, CONTRACT_VERSION));
    });
  });
}
