/** A complete, valid environment for tests; override single variables per test. */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://sync:db-password-123@127.0.0.1:5432/sync',
    ADMIN_TOKEN: 'admin-token-0123456789abcdef',
    SHOPIFY_SHOP_DOMAIN: 'test-shop.myshopify.com',
    SHOPIFY_ACCESS_TOKEN: 'shpat_test_access_token_value',
    SHOPIFY_WEBHOOK_SECRET: 'webhook-secret-current',
    ODOO_URL: 'http://127.0.0.1:8069',
    ODOO_DB: 'odoo',
    ODOO_USER: 'shopify-sync',
    ODOO_API_KEY: 'odoo-api-key-0123456789',
    ...overrides,
  };
}

/**
 * The real Odoo a development run talks to (the conformance suite's real target, scripts/
 * conformance-real-odoo.sh): ODOO_URL, ODOO_DB, ODOO_USER and ODOO_API_KEY (the integration
 * user), and the merchant's ODOO_ADMIN_USER / ODOO_ADMIN_PASSWORD (default admin / admin, Odoo's
 * demo administrator). Undefined when the integration user is not configured.
 */
export function realOdooEnv(env: Record<string, string | undefined> = process.env) {
  const { ODOO_URL: url, ODOO_DB: db, ODOO_USER: user, ODOO_API_KEY: apiKey } = env;
  if (!url || !db || !user || !apiKey) return undefined;
  return { url, db, user, apiKey, adminLogin: env.ODOO_ADMIN_USER ?? 'admin', adminPassword: env.ODOO_ADMIN_PASSWORD ?? 'admin' };
}
