/** The in-process Odoo double: `createOdooDouble()` is an OdooCaller; `createDoubleMerchant()` its UI side. */
export { createOdooDouble, OdooDouble, type OdooDoubleOptions, DOUBLE_ADDON_VERSION, DOUBLE_ODOO_VERSION } from './double.js';
export { createDoubleMerchant, DoubleMerchant } from './merchant.js';
