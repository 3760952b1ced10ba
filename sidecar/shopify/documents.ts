/**
 * Every GraphQL document the sidecar sends to Shopify, loaded once at start from ./graphql.
 *
 * One named operation per `<Name>.graphql` file; shared fragments live in `*.fragment.graphql`
 * files and are appended to each operation that spreads them (transitively). Nothing else in the
 * sidecar holds GraphQL text, so the schema-validation test covers everything sent (docs/architecture.md,
 * decision 9).
 * I/O only at module load (synchronous reads relative to this module via import.meta.url).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Kind,
  OperationTypeNode,
  parse,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { IDEMPOTENT_MUTATIONS } from './idempotency.js';

export const GRAPHQL_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'graphql');

export const DOCUMENT_NAMES = [
  'PublicApiVersions',
  'Shop',
  'Locations',
  'ProductSet',
  'ProductByIdentifier',
  'ProductVariantsBySku',
  'InventoryItemsLevels',
  'InventoryLevelsByItems',
  'InventorySetQuantities',
  'OrdersUpdatedSince',
  'OrderById',
  'OrderLineItems',
  'OrderShippingLines',
  'FulfillmentOrdersForOrder',
  'FulfillmentCreate',
  'FulfillmentTrackingInfoUpdate',
  'OrderFulfillments',
  'CustomerSet',
  'CustomerById',
  'CustomerByEmail',
  'CustomerUpdate',
  'CustomerRequestDataErasure',
  'WebhookSubscriptions',
  'WebhookSubscriptionCreate',
  'WebhookSubscriptionDelete',
  'OrdersCreatedSince',
  'OnboardingVariants',
  'OnboardingCustomers',
  'RefundById',
  'OrderRefunds',
  'OrderEditBalance',
  'OrderRefundable',
  'RefundCreate',
  'OrderReturns',
  'ReturnById',
  'OrderFailureSummary',
  'OrderByName',
  'ReturnableFulfillments',
  'ReturnCreate',
  'ReturnProcess',
  'OrderTransactions',
  'OrdersMoneySince',
  'StagedUploadsCreate',
  'BulkOperationRunMutation',
  'BulkOperationRunQuery',
  'BulkOperationById',
  'CatalogExport',
  'OnboardingVariantsBulk',
] as const;

export type DocumentName = (typeof DOCUMENT_NAMES)[number];

export interface ShopifyDocument {
  /** The operation name, equal to the file name. */
  readonly name: string;
  readonly operation: 'query' | 'mutation';
  /** Text sent on the wire: the operation followed by the fragments it uses. */
  readonly source: string;
  readonly ast: DocumentNode;
  /** Top-level mutation fields that must carry `@idempotent(key:)` (./idempotency.ts). */
  readonly idempotentFields: readonly string[];
  /** The file the operation came from (for error messages and the validation test). */
  readonly file: string;
}

/** Builds a ShopifyDocument from GraphQL text holding exactly one operation (plus fragments). */
export function toShopifyDocument(source: string, file = '<inline>'): ShopifyDocument {
  const ast = parse(source);
  const operations = ast.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) throw new Error(`${file}: expected exactly one operation, found ${operations.length}`);
  const op = operations[0]!;
  if (!op.name) throw new Error(`${file}: the operation must be named`);
  if (op.operation === OperationTypeNode.SUBSCRIPTION) throw new Error(`${file}: subscriptions are not supported`);
  const idempotentFields =
    op.operation === OperationTypeNode.MUTATION
      ? op.selectionSet.selections
          .filter((s) => s.kind === Kind.FIELD && IDEMPOTENT_MUTATIONS.has(s.name.value))
          .map((s) => (s.kind === Kind.FIELD ? s.name.value : ''))
      : [];
  return Object.freeze({ name: op.name.value, operation: op.operation, source, ast, idempotentFields, file });
}

/** Reads every operation and fragment file in `dir`; each operation gets the fragments it needs. */
export function loadDocuments(dir = GRAPHQL_DIR): ReadonlyMap<string, ShopifyDocument> {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort();
  const fragments = new Map<string, { node: FragmentDefinitionNode; text: string }>();
  for (const file of files.filter((f) => f.endsWith('.fragment.graphql'))) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const def of parse(text).definitions) {
      if (def.kind !== Kind.FRAGMENT_DEFINITION) throw new Error(`${file}: fragment files may hold fragments only`);
      const loc = def.loc;
      fragments.set(def.name.value, { node: def, text: loc ? text.slice(loc.start, loc.end) : '' });
    }
  }
  const documents = new Map<string, ShopifyDocument>();
  for (const file of files.filter((f) => !f.endsWith('.fragment.graphql'))) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const needed = fragmentsUsed(parse(text), fragments);
    const source = [text.trimEnd(), ...needed.map((n) => fragments.get(n)!.text)].join('\n\n') + '\n';
    const doc = toShopifyDocument(source, file);
    if (`${doc.name}.graphql` !== file) throw new Error(`${file}: operation is named ${doc.name}; name the file after it`);
    documents.set(doc.name, doc);
  }
  return documents;
}

/** Names of the fragments a document spreads, transitively, in first-use order. */
function fragmentsUsed(ast: DocumentNode, fragments: Map<string, { node: FragmentDefinitionNode }>): string[] {
  const seen: string[] = [];
  const walk = (node: DocumentNode | FragmentDefinitionNode): void => {
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        if (seen.includes(name)) return;
        const fragment = fragments.get(name);
        if (!fragment) return; // left to graphql validation: "Unknown fragment"
        seen.push(name);
        walk(fragment.node);
      },
    });
  };
  walk(ast);
  return seen;
}

const loaded = loadDocuments();
for (const name of DOCUMENT_NAMES) {
  if (!loaded.has(name)) throw new Error(`shopify/graphql/${name}.graphql is missing`);
}

/** The document sent for one named operation. */
export function document(name: DocumentName): ShopifyDocument {
  return loaded.get(name)!;
}

/** Every loaded document (used by the schema-validation test). */
export function allDocuments(): ShopifyDocument[] {
  return [...loaded.values()];
}
