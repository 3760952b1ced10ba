import assert from 'node:assert/strict';
import { classifyError, ConfigurationError, PermanentError, RetryableError, type ErrorKind } from './errors.js';
import { OdooConfigurationError, OdooPermanentError, OdooRetryableError } from '../odoo/errors.js';
import { ShopifyAuthError, ShopifyThrottledError, ShopifyUserErrors } from '../shopify/errors.js';

function withProps(message: string, props: Record<string, unknown>): Error {
  return Object.assign(new Error(message), props);
}

describe('classifyError', () => {
  const cases: [string, unknown, ErrorKind, string][] = [
    ['a PermanentError', new PermanentError('userErrors: SKU taken'), 'permanent', 'PermanentError: userErrors: SKU taken'],
    ['a RetryableError', new RetryableError('THROTTLED'), 'retryable', 'RetryableError: THROTTLED'],
    ['a ConfigurationError', new ConfigurationError('Odoo AccessDenied'), 'configuration', 'ConfigurationError: Odoo AccessDenied'],
    ['a connection reset', withProps('read ECONNRESET', { code: 'ECONNRESET' }), 'retryable', 'Error: read ECONNRESET'],
    [
      'a Postgres serialization failure',
      withProps('could not serialize access', { code: '40001' }),
      'retryable',
      'Error: could not serialize access',
    ],
    ['a Postgres deadlock', withProps('deadlock detected', { code: '40P01' }), 'retryable', 'Error: deadlock detected'],
    ['an HTTP 429', withProps('Too Many Requests', { status: 429 }), 'retryable', 'Error: Too Many Requests'],
    ['an HTTP 502', withProps('Bad Gateway', { status: 502 }), 'retryable', 'Error: Bad Gateway'],
    ['an HTTP 401', withProps('Unauthorized', { status: 401 }), 'configuration', 'Error: Unauthorized'],
    ['an HTTP 403', withProps('Forbidden', { statusCode: 403 }), 'configuration', 'Error: Forbidden'],
    ['an HTTP 422', withProps('Unprocessable', { status: 422 }), 'permanent', 'Error: Unprocessable'],
    [
      'an aborted request',
      withProps('This operation was aborted', { name: 'AbortError' }),
      'retryable',
      'AbortError: This operation was aborted',
    ],
    [
      'an Odoo ValidationError',
      withProps('Odoo Server Error', { data: { name: 'odoo.exceptions.ValidationError' } }),
      'permanent',
      'Error: Odoo Server Error',
    ],
    [
      'an Odoo UserError',
      withProps('Odoo Server Error', { data: { name: 'odoo.exceptions.UserError' } }),
      'permanent',
      'Error: Odoo Server Error',
    ],
    [
      'an Odoo AccessDenied',
      withProps('Access Denied', { data: { name: 'odoo.exceptions.AccessDenied' } }),
      'configuration',
      'Error: Access Denied',
    ],
    [
      'an Odoo serialization failure',
      withProps('could not serialize', { data: { name: 'psycopg2.errors.SerializationFailure' } }),
      'retryable',
      'Error: could not serialize',
    ],
    ['a Shopify THROTTLED error', withProps('Throttled', { code: 'THROTTLED' }), 'retryable', 'Error: Throttled'],
    ['an unknown error', new TypeError('x is undefined'), 'retryable', 'TypeError: x is undefined'],
    ['a thrown string', 'boom', 'retryable', 'boom'],
  ];
  for (const [what, error, kind, reason] of cases) {
    it(`classifies ${what} as ${kind}`, () => {
      assert.deepEqual(classifyError(error), { kind, reason });
    });
  }

  it('keeps the cause and details of a typed error', () => {
    const cause = new Error('HTTP 422');
    const error = new PermanentError('Shopify userErrors', { cause, details: { userErrors: [{ message: 'bad' }] } });
    assert.equal(error.cause, cause);
    assert.deepEqual(error.details, { userErrors: [{ message: 'bad' }] });
    assert.ok(error instanceof Error);
  });
});

describe("classifyError with the clients' own error types", () => {
  it('uses the kind of an Odoo client error', () => {
    assert.equal(classifyError(new OdooPermanentError('odoo x: ValidationError: bad')).kind, 'permanent');
    assert.equal(classifyError(new OdooConfigurationError('odoo login failed')).kind, 'configuration');
    assert.equal(classifyError(new OdooRetryableError('odoo /jsonrpc: HTTP 502')).kind, 'retryable');
  });

  it('maps Shopify errors by their retryable flag, auth failures to configuration', () => {
    assert.equal(
      classifyError(new ShopifyUserErrors('productSet', [{ field: ['input', 'title'], message: 'Title is blank' }])).kind,
      'permanent',
    );
    assert.equal(classifyError(new ShopifyThrottledError('throttled', { status: 200 })).kind, 'retryable');
    assert.equal(classifyError(new ShopifyAuthError('token rejected')).kind, 'configuration');
  });
});
