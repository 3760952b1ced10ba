/**
 * The start-up contract check (docs/contract.md, "Versioning"): the addon says which contract it
 * speaks; a version this sidecar cannot work with (rules/contract-version.ts) is a configuration
 * error. The sidecar also says which contract it speaks, so the addon applies the same rule from
 * its side and refuses a sidecar it cannot serve. Used at start, by /readyz and by `doctor`.
 */
import { CONTRACT_VERSION, compatibleContractVersions } from '../rules/contract-version.js';
import { SIDECAR_VERSION } from '../version.js';
import type { OdooCaller } from './types.js';

export async function checkContract(odoo: OdooCaller): Promise<{ contractVersion: string; addonVersion: string }> {
  const answer = await odoo.executeKw<{ contract_version: string; addon_version: string }>('shopify.sync.api', 'contract_version', [
    { sidecar_version: SIDECAR_VERSION, contract_version: CONTRACT_VERSION },
  ]);
  const addon = String(answer.contract_version);
  if (!compatibleContractVersions(addon, CONTRACT_VERSION)) {
    throw new Error(`odoo addon speaks contract ${addon}, this sidecar speaks ${CONTRACT_VERSION}: upgrade the older side`);
  }
  return { contractVersion: answer.contract_version, addonVersion: answer.addon_version };
}
