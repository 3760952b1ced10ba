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

/** The environment the tests run in (e.g. a real Odoo's ODOO_* variables): development code reads it here only. */
export function processEnv(): Readonly<Record<string, string | undefined>> {
  return process.env;
}
