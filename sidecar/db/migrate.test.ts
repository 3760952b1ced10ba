import assert from 'node:assert/strict';
import { createPool } from './pool.js';
import { listMigrations, migrate } from './migrate.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';

describe('migrations', () => {
  it('applies every migration once, even when several replicas start together', async () => {
    const pool = createPool(await testDatabase('migrate_concurrent'), 5);
    try {
      const results = await Promise.all([migrate(pool, 'app'), migrate(pool, 'app'), migrate(pool, 'app')]);
      const applied = results.flat();
      assert.deepEqual(
        applied,
        listMigrations().map((m) => m.name),
      );
      const rows = await pool.query('SELECT count(*)::int AS n FROM app.schema_migrations');
      assert.equal(rows.rows[0].n, listMigrations().length);
      assert.deepEqual(await migrate(pool, 'app'), []);
    } finally {
      await pool.end();
    }
  });
});
