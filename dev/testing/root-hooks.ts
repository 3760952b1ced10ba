/**
 * Mocha root hooks: one throwaway PostgreSQL for the whole run (see ./postgres.ts).
 * Tests get an isolated database with `testDatabase('name_of_test')`.
 */
import { testDatabaseUrl } from './env.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from './postgres.js';

let server: ThrowawayPostgres | undefined;

export async function testDatabase(name: string): Promise<string> {
  if (!server) throw new Error('testDatabase() called outside mocha (root hooks not loaded)');
  return server.createDatabase(name);
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    server = await startThrowawayPostgres(testDatabaseUrl());
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await server?.stop();
    server = undefined;
  },
};
