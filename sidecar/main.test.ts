import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { childEnv, testEnv } from '../dev/testing/env.js';

const root = path.resolve(import.meta.dirname, '..');

function runMain(env: Record<string, string | undefined>) {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return spawnSync(process.execPath, ['--import', 'tsx', 'sidecar/main.ts'], {
    cwd: root,
    // Only PATH from this process: the sidecar must see the test's variables and nothing else.
    env: { PATH: childEnv().PATH ?? '', ...clean },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('process start', () => {
  it('stops with exit code 1 and one line naming the variable when the config is invalid', () => {
    const result = runMain(testEnv({ SHOPIFY_API_VERSION: '2026-13' }));
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'config: SHOPIFY_API_VERSION must be YYYY-MM or "unstable" (got "2026-13")\n');
    assert.equal(result.stdout, '');
  });

  it('refuses an unknown PROCESS_ROLE at start with one line naming the variable', () => {
    const result = runMain(testEnv({ PROCESS_ROLE: 'worker' }));
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'config: PROCESS_ROLE must be one of all, intake, workers (got "worker")\n');
    assert.equal(result.stdout, '');
  });

  it('does not echo secrets when a secret variable is malformed', () => {
    const result = runMain(testEnv({ DATABASE_URL: 'mysql://root:hunter2-password@db/x' }));
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'config: DATABASE_URL must be a postgres:// or postgresql:// URL\n');
    assert.ok(!result.stderr.includes('hunter2'));
  });
});
