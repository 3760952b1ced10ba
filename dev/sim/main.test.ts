import assert from 'node:assert/strict';
import { parseArgs } from './main.js';

describe('sim standalone options', () => {
  it('has documented defaults', () => {
    assert.deepEqual(parseArgs([]), { port: 8081, host: '127.0.0.1', appSubscriptions: [] });
  });

  it('reads every option', () => {
    const o = parseArgs([
      '--port',
      '0',
      '--host',
      '0.0.0.0',
      '--token',
      't',
      '--secret',
      's',
      '--shop',
      'x.myshopify.com',
      '--plan',
      'plus',
      '--seed',
      '9',
      '--state',
      '/tmp/s.json',
      '--no-demo-catalog',
      '--webhook-version',
      '2026-07',
      '--app-webhook',
      'shop/redact=http://h:1/p?a=b',
    ]);
    assert.deepEqual(o, {
      port: 0,
      host: '0.0.0.0',
      accessToken: 't',
      apiSecret: 's',
      shopDomain: 'x.myshopify.com',
      plan: 'plus',
      seed: 9,
      stateFile: '/tmp/s.json',
      demoCatalog: false,
      webhookApiVersion: '2026-07',
      appSubscriptions: [{ topic: 'shop/redact', uri: 'http://h:1/p?a=b' }],
    });
  });

  it('names a bad option', () => {
    assert.throws(() => parseArgs(['--plan', 'gold']), /--plan must be standard, advanced, plus or enterprise \(got "gold"\)/);
    assert.throws(() => parseArgs(['--port', '70000']), /--port must be 0-65535/);
    assert.throws(() => parseArgs(['--verbose']), /unknown option --verbose/);
    assert.throws(() => parseArgs(['--port']), /--port needs a value/);
  });
});
