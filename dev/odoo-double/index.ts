/**
 * The in-process Odoo double: `createOdooDouble()` is an OdooCaller; `createDoubleMerchant()` its
 * UI side; `serveOdooDouble()` a fake `/jsonrpc` endpoint for the real JSON-RPC client.
 */
export { createOdooDouble, OdooDouble, type OdooDoubleOptions, DOUBLE_ADDON_VERSION, DOUBLE_ODOO_VERSION } from './double.js';
export { createDoubleMerchant, DoubleMerchant } from './merchant.js';
export { storedReport } from './api/operations.js';
export { serveOdooDouble, type OdooDoubleServer, type OdooDoubleServerOptions } from './http.js';
