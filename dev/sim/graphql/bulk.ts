/**
 * Bulk operations as Shopify 2026-10 documents them (docs/simulator.md, "Bulk operations"):
 * `stagedUploadsCreate` (resource BULK_MUTATION_VARIABLES) → PUT of the JSONL variables file →
 * `bulkOperationRunMutation` runs the mutation once per line; `bulkOperationRunQuery` exports a
 * query's connections as JSONL (nested nodes carry `__parentId`). Both run in the background
 * (CREATED → RUNNING → COMPLETED, on the simulator's clock), are polled with `bulkOperation(id)`
 * or the deprecated `currentBulkOperation`, announce `bulk_operations/finish`, and leave their
 * result at `url` (served under /_sim-files). What a bulk operation runs is not charged to the
 * cost bucket (bulk operations have no rate limit); the calls that start and poll it are.
 *
 * Limits kept: at most 5 bulk operations of the app running at once (2026-01+, LIMIT_REACHED), a
 * query needs one to five connections nested at most two deep, a nested connection's parent must
 * select `id`, and a mutation document must hold exactly one mutation field.
 */
import { randomUUID } from 'node:crypto';
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  execute,
  getNamedType,
  isObjectType,
  parse,
  validate,
  visit,
  type DocumentNode,
  type FieldNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  type OperationDefinitionNode,
} from 'graphql';
import express, { type Router } from 'express';
import { loadAdminSchema } from '../../testing/shopify-schema.js';
import { gid, parseGid } from '../ids.js';
import { nextId, nowIso } from '../domain/context.js';
import type { SimState } from '../state.js';
import type { GqlContext } from './context.js';

type Args = Record<string, unknown>;

/** The simulator's own resolvers (./execute.ts), given at creation: execute.ts builds these. */
export interface Resolvers {
  field: GraphQLFieldResolver<unknown, GqlContext, Record<string, unknown>>;
  type: GraphQLTypeResolver<unknown, GqlContext>;
}

/** Bulk operations of the app that may run at once (2026-01 and later). */
export const MAX_RUNNING_BULK_OPERATIONS = 5;
/** Lines of a bulk mutation, or pages of a bulk query, processed per tick of the clock. */
const LINES_PER_TICK = 200;
const PAGE_SIZE = 250;

export interface BulkOperation {
  id: number;
  type: 'QUERY' | 'MUTATION';
  status: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED';
  query: string;
  createdAt: string;
  completedAt: string | null;
  errorCode: string | null;
  objectCount: number;
  rootObjectCount: number;
  clientIdentifier: string | null;
  /** The result file, one JSON document per line. */
  lines: string[];
}

interface BulkStore {
  operations: BulkOperation[];
  /** Staged upload key → the uploaded file's text (undefined until the PUT arrives). */
  uploads: Map<string, string | undefined>;
}

/** One store per state: a reset or a loaded state starts without bulk operations. */
const stores = new WeakMap<SimState, BulkStore>();

export function bulkStore(state: SimState): BulkStore {
  let store = stores.get(state);
  if (!store) stores.set(state, (store = { operations: [], uploads: new Map() }));
  return store;
}

/** Base URL of the simulator as the request reached it (for upload and result URLs). */
let lastBaseUrl = 'http://127.0.0.1';
export function setBulkBaseUrl(url: string): void {
  lastBaseUrl = url;
}

function operationView(op: BulkOperation | undefined) {
  if (!op) return null;
  const done = op.status === 'COMPLETED';
  const size = op.lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  return {
    __typename: 'BulkOperation',
    id: gid('BulkOperation', op.id),
    type: op.type,
    status: op.status,
    query: op.query,
    createdAt: op.createdAt,
    completedAt: op.completedAt,
    errorCode: op.errorCode,
    objectCount: String(op.objectCount),
    rootObjectCount: String(op.rootObjectCount),
    fileSize: done && op.lines.length > 0 ? String(size) : null,
    // Shopify answers null for an operation that produced no data.
    url: done && op.lines.length > 0 ? `${lastBaseUrl}/_sim-files/bulk/${op.id}.jsonl` : null,
    partialDataUrl: null,
  };
}

const userError = (message: string, code: string, field: string[] | null = null) => ({ field, message, code });

function running(store: BulkStore): number {
  return store.operations.filter((o) => o.status === 'CREATED' || o.status === 'RUNNING').length;
}

function finish(ctx: GqlContext, op: BulkOperation): void {
  op.status = 'COMPLETED';
  op.completedAt = nowIso(ctx.dom);
  ctx.dom.emit([
    {
      topic: 'bulk_operations/finish',
      payload: {
        admin_graphql_api_id: gid('BulkOperation', op.id),
        completed_at: op.completedAt,
        created_at: op.createdAt,
        error_code: null,
        status: 'completed',
        type: op.type.toLowerCase(),
      },
    },
  ]);
}

function newOperation(ctx: GqlContext, type: BulkOperation['type'], query: string, clientIdentifier: string | null): BulkOperation {
  const op: BulkOperation = {
    id: nextId(ctx.dom),
    type,
    status: 'CREATED',
    query,
    createdAt: nowIso(ctx.dom),
    completedAt: null,
    errorCode: null,
    objectCount: 0,
    rootObjectCount: 0,
    clientIdentifier,
    lines: [],
  };
  bulkStore(ctx.dom.state).operations.push(op);
  return op;
}

/** Parses and validates a document of the expected kind; the error message, or the operation. */
function checkDocument(
  schema: GraphQLSchema,
  text: string,
  kind: OperationTypeNode,
): { document: DocumentNode; operation: OperationDefinitionNode } | string {
  let document: DocumentNode;
  try {
    document = parse(text);
  } catch (error) {
    return (error as GraphQLError).message;
  }
  const errors = validate(schema, document);
  if (errors.length > 0) return errors.map((e) => e.message).join('; ');
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || operations[0]!.operation !== kind) return `Expected exactly one ${kind} operation`;
  return { document, operation: operations[0]! };
}

function runMutationLines(
  r: Resolvers,
  ctx: GqlContext,
  op: BulkOperation,
  schema: GraphQLSchema,
  document: DocumentNode,
  lines: string[],
): void {
  let next = 0;
  const tick = () => {
    op.status = 'RUNNING';
    const end = Math.min(lines.length, next + LINES_PER_TICK);
    for (; next < end; next += 1) {
      const variables = JSON.parse(lines[next]!) as Args;
      const result = execute({
        schema,
        document,
        variableValues: variables,
        contextValue: ctx,
        fieldResolver: r.field,
        typeResolver: r.type,
      });
      if (result instanceof Promise) throw new Error('simulator resolvers must be synchronous');
      const line: Args = { data: result.data ?? null, __lineNumber: next };
      if (result.errors?.length) line.errors = result.errors.map((e) => e.toJSON());
      op.lines.push(JSON.stringify(line));
      op.objectCount += 1;
      op.rootObjectCount += 1;
    }
    if (next < lines.length) ctx.dom.clock.schedule(0, tick);
    else finish(ctx, op);
  };
  ctx.dom.clock.schedule(0, tick);
}

type BulkResolver = (source: unknown, args: Args, ctx: GqlContext) => unknown;

/** The bulk mutations, executing what they run with the simulator's resolvers. */
export const bulkMutationResolvers = (resolvers: Resolvers): Record<string, BulkResolver> => ({
  stagedUploadsCreate(_s, args, ctx) {
    const inputs = args.input as Array<{ resource: string; filename: string; mimeType: string }>;
    const uploads = bulkStore(ctx.dom.state).uploads;
    const stagedTargets = inputs.map((input) => {
      if (input.resource !== 'BULK_MUTATION_VARIABLES')
        throw new GraphQLError(`not simulated: staged upload of ${input.resource}`, { extensions: { code: 'NOT_SIMULATED' } });
      const key = `tmp/sim/bulk/${randomUUID()}/${input.filename}`;
      uploads.set(key, undefined);
      const url = `${lastBaseUrl}/_sim-files/staged/${key}`;
      return {
        url,
        resourceUrl: url,
        parameters: [
          { name: 'key', value: key },
          { name: 'Content-Type', value: input.mimeType },
        ],
      };
    });
    return { stagedTargets, userErrors: [] };
  },

  bulkOperationRunMutation(_s, args, ctx) {
    const store = bulkStore(ctx.dom.state);
    const fail = (message: string, code: string, field: string[] | null = null) => ({
      bulkOperation: null,
      userErrors: [userError(message, code, field)],
    });
    if (running(store) >= MAX_RUNNING_BULK_OPERATIONS)
      return fail('Bulk operations limit reached. Please try again later.', 'LIMIT_REACHED');
    const schema = loadAdminSchema(ctx.apiVersion);
    const checked = checkDocument(schema, String(args.mutation), OperationTypeNode.MUTATION);
    if (typeof checked === 'string') return fail(`Invalid mutation: ${checked}`, 'INVALID_MUTATION', ['mutation']);
    const roots = checked.operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD);
    if (roots.length !== 1) return fail('The mutation must contain exactly one mutation field.', 'INVALID_MUTATION', ['mutation']);
    const path = String(args.stagedUploadPath);
    const text = store.uploads.get(path);
    if (text === undefined) return fail('The JSONL file could not be found.', 'NO_SUCH_FILE', ['stagedUploadPath']);
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    for (const line of lines) {
      try {
        const value: unknown = JSON.parse(line);
        if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
      } catch {
        return fail('Unexpected file structure - expected JSONL', 'INVALID_STAGED_UPLOAD_FILE', ['stagedUploadPath']);
      }
    }
    const op = newOperation(ctx, 'MUTATION', String(args.mutation), (args.clientIdentifier as string | null) ?? null);
    runMutationLines(resolvers, ctx, op, schema, checked.document, lines);
    return { bulkOperation: operationView(op), userErrors: [] };
  },

  bulkOperationRunQuery(_s, args, ctx) {
    const store = bulkStore(ctx.dom.state);
    const fail = (message: string, code: string) => ({ bulkOperation: null, userErrors: [userError(message, code, ['query'])] });
    if (running(store) >= MAX_RUNNING_BULK_OPERATIONS)
      return fail('Bulk operations limit reached. Please try again later.', 'LIMIT_REACHED');
    const schema = loadAdminSchema(ctx.apiVersion);
    const checked = checkDocument(schema, String(args.query), OperationTypeNode.QUERY);
    if (typeof checked === 'string') return fail(`Invalid bulk query: ${checked}`, 'INVALID');
    const shape = queryShape(schema, checked.operation);
    if (typeof shape === 'string') return fail(shape, 'INVALID');
    const op = newOperation(ctx, 'QUERY', String(args.query), null);
    runQueryPages(resolvers, ctx, op, schema, checked.document, shape);
    return { bulkOperation: operationView(op), userErrors: [] };
  },
});

export const bulkQueryResolvers: Record<string, BulkResolver> = {
  bulkOperation(_s, args, ctx) {
    const id = parseGid(args.id, 'BulkOperation');
    return operationView(bulkStore(ctx.dom.state).operations.find((o) => o.id === id));
  },
  currentBulkOperation(_s, args, ctx) {
    const type = (args.type as string | undefined) ?? 'QUERY';
    return operationView(
      bulkStore(ctx.dom.state)
        .operations.filter((o) => o.type === type)
        .at(-1),
    );
  },
};

// ---------------------------------------------------------------------------------------------
// Bulk queries: the root connection is paged by the simulator; each node becomes a line, and the
// nodes of a connection nested in it become lines of their own with `__parentId`.

interface QueryShape {
  /** Response key of the root connection field. */
  rootKey: string;
  /** Response keys of connections nested in the root's nodes. */
  nested: string[];
}

/** The node type of a connection field of `parent`, or undefined when the field is no connection. */
function connectionNodeType(schema: GraphQLSchema, parent: string, field: FieldNode): string | undefined {
  const type = schema.getType(parent);
  if (!isObjectType(type)) return undefined;
  const def = type.getFields()[field.name.value];
  if (!def || !def.args.some((a) => a.name === 'first')) return undefined;
  const named = getNamedType(def.type).name;
  return named.endsWith('Connection') ? named.slice(0, -'Connection'.length) : undefined;
}

function nodeSelection(field: FieldNode): readonly FieldNode[] {
  const out: FieldNode[] = [];
  for (const s of field.selectionSet?.selections ?? []) {
    if (s.kind !== Kind.FIELD) continue;
    if (s.name.value === 'nodes') out.push(...(s.selectionSet?.selections.filter((x): x is FieldNode => x.kind === Kind.FIELD) ?? []));
    if (s.name.value === 'edges')
      for (const e of s.selectionSet?.selections ?? [])
        if (e.kind === Kind.FIELD && e.name.value === 'node')
          out.push(...(e.selectionSet?.selections.filter((x): x is FieldNode => x.kind === Kind.FIELD) ?? []));
  }
  return out;
}

/** The root connection and its nested connections, or why Shopify refuses the query. */
function queryShape(schema: GraphQLSchema, operation: OperationDefinitionNode): QueryShape | string {
  const roots = operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
  const root = roots[0];
  const rootType = root && roots.length === 1 ? connectionNodeType(schema, schema.getQueryType()!.name, root) : undefined;
  if (!root || !rootType) return 'Bulk queries must contain exactly one top-level connection field.';
  const nodeFields = nodeSelection(root);
  const nested = nodeFields.filter((f) => connectionNodeType(schema, rootType, f) !== undefined);
  if (nested.length + 1 > 5) return 'Bulk queries cannot contain more than 5 connections.';
  for (const n of nested) {
    const innerType = connectionNodeType(schema, rootType, n)!;
    if (nodeSelection(n).some((f) => connectionNodeType(schema, innerType, f) !== undefined))
      return 'Bulk queries cannot contain connections nested more than 2 levels deep.';
  }
  if (nested.length > 0 && !nodeFields.some((f) => f.name.value === 'id' && !f.alias))
    return "The parent 'node' field for a nested connection must select the 'id' field.";
  return { rootKey: root.alias?.value ?? root.name.value, nested: nested.map((n) => n.alias?.value ?? n.name.value) };
}

const PAGE_INFO = (parse('{ __bulkPage: pageInfo { hasNextPage endCursor } }').definitions[0] as OperationDefinitionNode).selectionSet
  .selections[0] as FieldNode;

function pagedDocument(document: DocumentNode, after: string | null): DocumentNode {
  const arg = (name: string, value: { kind: Kind.INT; value: string } | { kind: Kind.STRING; value: string }) => ({
    kind: Kind.ARGUMENT as const,
    name: { kind: Kind.NAME as const, value: name },
    value,
  });
  let depth = 0;
  return visit(document, {
    Field: {
      enter(node) {
        if (node.name.value === 'nodes' || node.name.value === 'edges' || !node.selectionSet) return undefined;
        const isRoot = depth === 0;
        depth += 1;
        // Connection fields are recognised by their `nodes`/`edges` selection (validated before).
        const connection = node.selectionSet.selections.some(
          (s) => s.kind === Kind.FIELD && (s.name.value === 'nodes' || s.name.value === 'edges'),
        );
        if (!connection) return undefined;
        const args = (node.arguments ?? []).filter((a) => !['first', 'last', 'after', 'before'].includes(a.name.value));
        args.push(arg('first', { kind: Kind.INT, value: String(PAGE_SIZE) }));
        const selections = [...node.selectionSet.selections];
        if (isRoot) {
          if (after) args.push(arg('after', { kind: Kind.STRING, value: after }));
          selections.push(PAGE_INFO);
        }
        return { ...node, arguments: args, selectionSet: { ...node.selectionSet, selections } };
      },
      leave(node) {
        if (node.name.value !== 'nodes' && node.name.value !== 'edges' && node.selectionSet) depth -= 1;
      },
    },
  });
}

function nodesOf(connection: unknown): Args[] {
  if (!connection || typeof connection !== 'object') return [];
  const c = connection as { nodes?: Args[]; edges?: Array<{ node: Args }> };
  return c.nodes ?? c.edges?.map((e) => e.node) ?? [];
}

function runQueryPages(
  r: Resolvers,
  ctx: GqlContext,
  op: BulkOperation,
  schema: GraphQLSchema,
  document: DocumentNode,
  shape: QueryShape,
): void {
  let after: string | null = null;
  const tick = () => {
    op.status = 'RUNNING';
    const result = execute({
      schema,
      document: pagedDocument(document, after),
      contextValue: ctx,
      fieldResolver: r.field,
      typeResolver: r.type,
    });
    if (result instanceof Promise) throw new Error('simulator resolvers must be synchronous');
    if (result.errors?.length || !result.data) {
      op.status = 'FAILED';
      op.errorCode = 'INTERNAL_SERVER_ERROR';
      op.completedAt = nowIso(ctx.dom);
      return;
    }
    const root = result.data[shape.rootKey] as Args & { __bulkPage: { hasNextPage: boolean; endCursor: string | null } };
    for (const node of nodesOf(root)) {
      const own = Object.fromEntries(Object.entries(node).filter(([k]) => !shape.nested.includes(k)));
      op.lines.push(JSON.stringify(own));
      op.objectCount += 1;
      op.rootObjectCount += 1;
      for (const key of shape.nested) {
        for (const child of nodesOf(node[key])) {
          op.lines.push(JSON.stringify({ ...child, __parentId: node.id }));
          op.objectCount += 1;
        }
      }
    }
    const page = root.__bulkPage;
    if (page.hasNextPage && page.endCursor) {
      after = page.endCursor;
      ctx.dom.clock.schedule(0, tick);
    } else finish(ctx, op);
  };
  ctx.dom.clock.schedule(0, tick);
}

/** The staged upload target (PUT, as StagedUploadInput.httpMethod allows) and the result files. */
export function bulkFilesRouter(state: () => SimState): Router {
  const router = express.Router();
  router.put(/^\/staged\/(.+)$/, express.text({ type: () => true, limit: '100mb' }), (req, res) => {
    const key = (req.params as Record<string, string>)[0]!;
    const uploads = bulkStore(state()).uploads;
    if (!uploads.has(key)) {
      res.status(403).send('<Error><Code>AccessDenied</Code></Error>');
      return;
    }
    uploads.set(key, typeof req.body === 'string' ? req.body : '');
    res.status(200).end();
  });
  router.get('/bulk/:file', (req, res) => {
    const id = Number(/^(\d+)\.jsonl$/.exec(String(req.params.file))?.[1]);
    const op = bulkStore(state()).operations.find((o) => o.id === id && o.status === 'COMPLETED');
    if (!op) {
      res.status(404).end();
      return;
    }
    res.type('application/jsonl').send(op.lines.map((l) => `${l}\n`).join(''));
  });
  return router;
}
