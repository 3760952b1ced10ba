/**
 * Shopify's published Admin GraphQL schema for one API version, built from the introspection
 * data that `scripts/fetch-shopify-schemas.sh` extracts into var/shopify-schema/.
 * Used by the simulator (to execute the real schema) and by the test that validates every
 * `.graphql` document the sidecar sends.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';

const SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../var/shopify-schema');
const cache = new Map<string, GraphQLSchema>();

export function availableSchemaVersions(): string[] {
  if (!fs.existsSync(SCHEMA_DIR)) return [];
  return fs
    .readdirSync(SCHEMA_DIR)
    .map((f) => /^admin_(.+)\.json\.gz$/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort();
}

export function loadAdminSchema(version: string): GraphQLSchema {
  const cached = cache.get(version);
  if (cached) return cached;
  const file = path.join(SCHEMA_DIR, `admin_${version}.json.gz`);
  if (!fs.existsSync(file)) {
    throw new Error(`Shopify Admin schema ${version} not found at ${file}; run scripts/fetch-shopify-schemas.sh (make install does)`);
  }
  const parsed = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as { data: IntrospectionQuery };
  const schema = buildClientSchema(parsed.data);
  cache.set(version, schema);
  return schema;
}
