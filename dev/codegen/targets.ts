/**
 * The generated files and how each is made (docs/architecture.md, "Generated types"). The files
 * are committed, so the build needs no code generation; codegen.test.ts fails when one is stale.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTRACT_TYPES_FILE, generateContractTypes } from './contract-types.js';
import { generateShopifyOperations, SHOPIFY_OPERATIONS_FILE } from './shopify-operations.js';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface GeneratedFile {
  /** Path relative to the project root. */
  file: string;
  /** What the file is made from, for messages. */
  source: string;
  generate(): Promise<string>;
}

export const GENERATED_FILES: readonly GeneratedFile[] = [
  {
    file: SHOPIFY_OPERATIONS_FILE,
    source: "sidecar/shopify/graphql/*.graphql and Shopify's pinned Admin schema",
    generate: generateShopifyOperations,
  },
  { file: CONTRACT_TYPES_FILE, source: 'contract/schemas/*.schema.json', generate: generateContractTypes },
];
