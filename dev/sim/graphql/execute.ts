/**
 * One Admin GraphQL request, end to end: parse and validate against Shopify's published schema
 * for the version (graphql-js errors for unknown fields or wrong argument types), price it
 * (cost.ts), refuse it above the single-query limit or when the bucket is short (Shopify's exact
 * MAX_COST_EXCEEDED and THROTTLED shapes), execute it with the simulator's resolvers, charge the
 * actual cost and report `extensions.cost`.
 */
import {
  GraphQLError,
  Kind,
  execute,
  getOperationAST,
  getVariableValues,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type GraphQLTypeResolver,
} from 'graphql';
import type { LeakyBucket } from '../bucket.js';
import { actualQueryCost, requestedQueryCost, SINGLE_QUERY_MAX_COST } from '../cost.js';
import { bulkMutationResolvers, bulkQueryResolvers } from './bulk.js';
import type { GqlContext } from './context.js';
import { mutationResolvers } from './mutations.js';
import { queryResolvers } from './queries.js';

export interface GraphqlRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export interface GraphqlResponse {
  status: number;
  body: Record<string, unknown>;
}

/**
 * The mutations whose description in the served schema documents `@idempotent` ("the idempotency
 * key is required and must be provided using the `@idempotent` directive"); on any other mutation
 * Shopify refuses the directive. Read from the schema, so each version answers as Shopify does.
 */
const idempotentMutationsBySchema = new WeakMap<GraphQLSchema, ReadonlySet<string>>();
export function idempotentMutations(schema: GraphQLSchema): ReadonlySet<string> {
  let names = idempotentMutationsBySchema.get(schema);
  if (!names) {
    const fields = Object.values(schema.getMutationType()?.getFields() ?? {});
    names = new Set(fields.filter((f) => /`@idempotent` directive/.test(f.description ?? '')).map((f) => f.name));
    idempotentMutationsBySchema.set(schema, names);
  }
  return names;
}

/**
 * Root fields come from the resolver tables; every other field is read from the parent view. A
 * field that neither defines is reported, never answered with a silent null.
 */
export const simulatorFieldResolver: GraphQLFieldResolver<unknown, GqlContext, Record<string, unknown>> = (source, args, ctx, info) => {
  if (info.parentType === info.schema.getQueryType()) {
    const resolver = queryResolvers[info.fieldName] ?? bulkQueryResolvers[info.fieldName];
    if (!resolver)
      throw new GraphQLError(`not simulated: ${info.parentType.name}.${info.fieldName}`, { extensions: { code: 'NOT_SIMULATED' } });
    return resolver(source, args, ctx);
  }
  if (info.parentType === info.schema.getMutationType()) {
    if (
      info.fieldNodes[0]?.directives?.some((d) => d.name.value === 'idempotent') &&
      !idempotentMutations(info.schema).has(info.fieldName)
    ) {
      throw new GraphQLError(`The @idempotent directive is not supported on ${info.fieldName}.`, { extensions: { code: 'BAD_REQUEST' } });
    }
    const resolver = mutationResolvers[info.fieldName] ?? bulkMutations[info.fieldName];
    if (!resolver)
      throw new GraphQLError(`not simulated: ${info.parentType.name}.${info.fieldName}`, { extensions: { code: 'NOT_SIMULATED' } });
    return resolver(source, args, ctx, info);
  }
  if (source !== null && typeof source === 'object' && info.fieldName in source) {
    const value = (source as Record<string, unknown>)[info.fieldName];
    return typeof value === 'function' ? (value as (a: unknown, c: unknown, i: unknown) => unknown)(args, ctx, info) : value;
  }
  throw new GraphQLError(`not simulated: ${info.parentType.name}.${info.fieldName}`, { extensions: { code: 'NOT_SIMULATED' } });
};

export const simulatorTypeResolver: GraphQLTypeResolver<unknown, GqlContext> = (value) => {
  if (value !== null && typeof value === 'object' && typeof (value as { __typename?: unknown }).__typename === 'string') {
    return (value as { __typename: string }).__typename;
  }
  return undefined;
};

/** Bulk operations run their documents with the same resolvers (./bulk.ts). */
const bulkMutations = bulkMutationResolvers({
  field: (source, args, ctx, info) => simulatorFieldResolver(source, args, ctx, info),
  type: (value, ctx, info, type) => simulatorTypeResolver(value, ctx, info, type),
});

function errorBody(errors: readonly GraphQLError[]): Record<string, unknown> {
  return { errors: errors.map((e) => e.toJSON()) };
}

/** A document's text parsed and validated against one schema: its AST, or why it was refused. */
interface Checked {
  document?: DocumentNode;
  errors: readonly GraphQLError[];
}

const checkedDocuments = new WeakMap<GraphQLSchema, Map<string, Checked>>();
/** Distinct document texts remembered per schema (a client sends the same few again and again). */
const MAX_CHECKED = 500;

/**
 * `parse` and `validate` are pure functions of the schema and the text, and a client sends the
 * same documents over and over (the inventory push: one read and one write text, 120 times each,
 * each validation walking Shopify's 5,000 type names): each distinct text is checked once. The
 * answers are the same; only the repeated work is gone.
 */
function parsedAndValidated(schema: GraphQLSchema, text: string): Checked {
  let cache = checkedDocuments.get(schema);
  if (!cache) checkedDocuments.set(schema, (cache = new Map<string, Checked>()));
  const known = cache.get(text);
  if (known) return known;
  let checked: Checked;
  try {
    const document = parse(text);
    checked = { document, errors: validate(schema, document) };
  } catch (error) {
    checked = { errors: [error as GraphQLError] };
  }
  if (cache.size >= MAX_CHECKED) cache.delete(cache.keys().next().value!);
  cache.set(text, checked);
  return checked;
}

export interface ExecuteOptions {
  schema: GraphQLSchema;
  request: GraphqlRequest;
  context: GqlContext;
  bucket: LeakyBucket;
  /** A forced THROTTLED answer (fault), whatever the bucket holds. */
  forceThrottle: () => boolean;
}

export function executeAdminGraphql(options: ExecuteOptions): GraphqlResponse {
  const { schema, request, context, bucket } = options;
  if (typeof request.query !== 'string' || request.query.trim() === '') {
    return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
  }
  const checked = parsedAndValidated(schema, request.query);
  if (checked.errors.length > 0) return { status: 200, body: errorBody(checked.errors) };
  const document = checked.document!;
  const operationName = typeof request.operationName === 'string' ? request.operationName : undefined;
  const operation = getOperationAST(document, operationName);
  if (!operation) return { status: 200, body: errorBody([new GraphQLError('Unknown or ambiguous operation name')]) };
  const rawVariables = (request.variables && typeof request.variables === 'object' ? request.variables : {}) as Record<string, unknown>;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables);
  if (coerced.errors) return { status: 200, body: errorBody(coerced.errors) };
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
  const costRequest = { schema, operation, fragments, variables: coerced.coerced };

  const requested = requestedQueryCost(costRequest);
  if (requested > SINGLE_QUERY_MAX_COST) {
    return {
      status: 200,
      body: {
        errors: [
          {
            message:
              `Query cost is ${requested}, which exceeds the single query max cost limit (${SINGLE_QUERY_MAX_COST}).\n\n` +
              'See https://shopify.dev/docs/api/usage/rate-limits for more information on how the\ncost of a query is calculated.\n\n' +
              'To query larger amounts of data with fewer limits, bulk operations should be used instead.\n' +
              'See https://shopify.dev/docs/api/usage/bulk-operations/queries for usage details.\n',
            extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: SINGLE_QUERY_MAX_COST },
          },
        ],
      },
    };
  }
  if (options.forceThrottle() || !bucket.tryTake(requested)) {
    return {
      status: 200,
      body: {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() } },
      },
    };
  }
  const result = execute({
    schema,
    document,
    variableValues: rawVariables,
    operationName,
    contextValue: context,
    fieldResolver: simulatorFieldResolver,
    typeResolver: simulatorTypeResolver,
  });
  if (result instanceof Promise) throw new Error('simulator resolvers must be synchronous');
  const actual = result.data ? actualQueryCost(costRequest, result.data) : requested;
  bucket.refund(requested - Math.min(actual, requested));
  const body: Record<string, unknown> = {};
  if (result.errors?.length) body.errors = result.errors.map((e) => e.toJSON());
  body.data = result.data ?? null;
  body.extensions = { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() } };
  return { status: 200, body };
}
