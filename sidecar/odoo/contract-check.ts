/**
 * The contract check both sides run at start (docs/contract.md, "Versioning"): the sidecar asks
 * the addon for its contract version; a different major version is a configuration error. Used
 * by the composition root (workers wait for it) and by `doctor`.
 */
import { SIDECAR_VERSION } from '../version.js';
import type { OdooCaller } from './types.js';

/** The major version of the sidecar ⟷ addon contract this build speaks (docs/contract.md). */
export const CONTRACT_MAJOR = 1;

/** Both sides check the contract at start: a different major version is a configuration error. */
export async function checkContract(odoo: OdooCaller): Promise<{ contractVersion: string; addonVersion: string }> {
  const answer = await odoo.executeKw<{ contract_version: string; addon_version: string }>('shopify.sync.api', 'contract_version', [
    { sidecar_version: SIDECAR_VERSION },
  ]);
  const major = Number(String(answer.contract_version).split('.')[0]);
  if (major !== CONTRACT_MAJOR) {
    throw new Error(
      `odoo addon speaks contract ${answer.contract_version}, this sidecar speaks ${CONTRACT_MAJOR}.x: upgrade the older side`,
    );
  }
  return { contractVersion: answer.contract_version, addonVersion: answer.addon_version };
}
