/**
 * The sidecar ⟷ addon contract version (docs/contract.md, "Versioning"). Pure; imports nothing
 * from the project. Both sides check it at start; the addon's copy of the rule and of the current
 * version is `odoo_addon/shopify_sync/lib/contract.py` (contract/rules/contract-version.cases.json).
 */

/** The contract this sidecar speaks. */
export const CONTRACT_VERSION = '1.9';

const VERSION = /^(\d+)\.(\d+)$/;

/** MAJOR.MINOR versions work together when their majors are equal; anything else does not. */
export function compatibleContractVersions(a: string, b: string): boolean {
  const x = VERSION.exec(a);
  const y = VERSION.exec(b);
  return x !== null && y !== null && Number(x[1]) === Number(y[1]);
}
