/**
 * The conformance suite against a real Odoo (17, 18 or 19) with shopify_sync installed, over the
 * transport ODOO_PROTOCOL names (default auto: JSON-2 on Odoo 19, JSON-RPC before). Runs when ODOO_URL,
 * ODOO_DB, ODOO_USER and ODOO_API_KEY (the integration user) are set; the merchant side logs in
 * as ODOO_ADMIN_USER / ODOO_ADMIN_PASSWORD (default admin / admin, Odoo's demo administrator).
 * Every scenario uses fresh GIDs, SKUs and emails, so one database serves many runs; settings
 * (import policy, safety stock, tax mapping) are rewritten by each scenario.
 */
import { createOdooClient } from '../../sidecar/odoo/client.js';
import { realOdooFromEnv } from '../testing/env.js';
import { createOdooContract } from '../../sidecar/odoo/contract.js';
import type { OdooCaller } from '../../sidecar/odoo/types.js';
import { createRealMerchant } from './real-driver.js';
import { createValidatingCaller, loadContractValidator } from './schemas.js';
import { defineConformanceScenarios } from './suite.js';
import type { ConformanceTarget } from './target.js';

const real = realOdooFromEnv();
const configured = real !== null;

describe('Odoo contract conformance: real Odoo with shopify_sync', function () {
  this.timeout(120_000);
  const validator = loadContractValidator();
  let target: ConformanceTarget;
  let caller: OdooCaller;
  let unvalidated: OdooCaller;

  before(function () {
    if (!configured) {
      this.skip();
      return;
    }
    if (!real) return;
    const common = { url: real.url, db: real.db, requestTimeoutMs: 60_000 };
    // The contract over the sidecar's transport (ODOO_PROTOCOL, default auto: JSON-2 on Odoo 19);
    // the merchant's side over JSON-RPC, as Odoo's web client would (dev/testing/env.ts).
    unvalidated = createOdooClient({ ...common, protocol: real.protocol, user: real.user, apiKey: real.apiKey });
    caller = createValidatingCaller(unvalidated, validator);
    const adminLogin = real.adminUser;
    const admin = createOdooClient({ ...common, protocol: 'jsonrpc', user: adminLogin, apiKey: real.adminPassword });
    target = { contract: createOdooContract(caller), merchant: createRealMerchant({ admin, adminLogin }) };
  });

  if (!configured) {
    it('real Odoo not configured: set ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY', function () {
      this.skip();
    });
    return;
  }
  defineConformanceScenarios({
    target: () => target,
    caller: () => caller,
    unvalidatedCaller: () => unvalidated,
    validator: () => validator,
  });
});
