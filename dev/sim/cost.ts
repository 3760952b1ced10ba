/**
 * Query cost as Shopify documents it (shopify.dev/docs/api/usage/limits, "default cost"). Pure.
 *
 * - scalars and enums cost 0, objects 1; interfaces and unions the maximum over their possible
 *   types;
 * - a connection costs 2 plus `first` (or `last`) times the cost of one node;
 * - every root mutation field costs 10. Shopify's published rule is "mutation: 10"; the simulator
 *   does not add the payload's selection on top of it.
 *
 * The requested cost is computed from the document before execution; the actual cost walks the
 * returned data the same way, counting the nodes a connection really returned.
 */
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  OperationTypeNode,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export const MUTATION_COST = 10;
export const SINGLE_QUERY_MAX_COST = 1000;

type Data = Record<string, unknown> | null | undefined;

interface Walk {
  schema: GraphQLSchema;
  variables: Record<string, unknown>;
  fragments: Record<string, FragmentDefinitionNode>;
  actual: boolean;
}

export interface CostRequest {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  /** Coerced variable values. */
  variables: Record<string, unknown>;
}

export function requestedQueryCost(request: CostRequest): number {
  return operationCost(request, undefined, false);
}

export function actualQueryCost(request: CostRequest, data: Record<string, unknown> | null | undefined): number {
  return operationCost(request, data ?? null, true);
}

function operationCost(request: CostRequest, data: Data, actual: boolean): number {
  const walk: Walk = { schema: request.schema, variables: request.variables, fragments: request.fragments, actual };
  const mutation = request.operation.operation === OperationTypeNode.MUTATION;
  const root = mutation ? request.schema.getMutationType() : request.schema.getQueryType();
  if (!root) return 0;
  if (mutation) {
    return fieldsOf(walk, request.operation.selectionSet, root).filter((f) => f.name.value !== '__typename').length * MUTATION_COST;
  }
  return selectionCost(walk, request.operation.selectionSet, root, data);
}

function included(walk: Walk, node: { directives?: readonly unknown[] } & Parameters<typeof getDirectiveValues>[1]): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, walk.variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, walk.variables);
  return include?.if !== false;
}

function applies(walk: Walk, condition: string | undefined, type: GraphQLObjectType): boolean {
  if (!condition || condition === type.name) return true;
  const cond = walk.schema.getType(condition);
  return cond !== undefined && isAbstractType(cond) && walk.schema.isSubType(cond, type);
}

/** Field nodes selected on a concrete object type, fragments flattened. */
function fieldsOf(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLObjectType): FieldNode[] {
  const out: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (!included(walk, selection)) continue;
    if (selection.kind === Kind.FIELD) out.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (applies(walk, selection.typeCondition?.name.value, type)) out.push(...fieldsOf(walk, selection.selectionSet, type));
    } else {
      const fragment = walk.fragments[selection.name.value];
      if (fragment && applies(walk, fragment.typeCondition.name.value, type)) out.push(...fieldsOf(walk, fragment.selectionSet, type));
    }
  }
  return out;
}

function selectionCost(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLCompositeType, data: Data): number {
  if (isObjectType(type)) return objectSelectionCost(walk, selectionSet, type, data);
  const candidates = walk.schema.getPossibleTypes(type);
  const typename = data && typeof data.__typename === 'string' ? data.__typename : undefined;
  const concrete = typename ? candidates.find((t) => t.name === typename) : undefined;
  if (concrete) return objectSelectionCost(walk, selectionSet, concrete, data);
  return Math.max(0, ...candidates.map((t) => objectSelectionCost(walk, selectionSet, t, data)));
}

function objectSelectionCost(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLObjectType, data: Data): number {
  let total = 0;
  for (const node of fieldsOf(walk, selectionSet, type)) {
    const def = type.getFields()[node.name.value];
    if (!def) continue;
    const key = node.alias?.value ?? node.name.value;
    total += fieldCost(walk, node, def, walk.actual ? data?.[key] : undefined);
  }
  return total;
}

function isConnection(def: GraphQLField<unknown, unknown>): boolean {
  const named = getNamedType(def.type);
  return named.name.endsWith('Connection') && def.args.some((a) => a.name === 'first');
}

function fieldCost(walk: Walk, node: FieldNode, def: GraphQLField<unknown, unknown>, value: unknown): number {
  const named = getNamedType(def.type);
  if (isLeafType(named) || !node.selectionSet) return 0;
  if (!isCompositeType(named)) return 0;
  if (isConnection(def) && isObjectType(named)) {
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(def, node, walk.variables);
    } catch {
      args = {};
    }
    const size = Number(args.first ?? args.last ?? 0) || 0;
    return connectionCost(walk, node.selectionSet, named, size, value as Data);
  }
  let unwrapped = def.type;
  if (isNonNullType(unwrapped)) unwrapped = unwrapped.ofType;
  if (isListType(unwrapped)) {
    // A plain list of objects is priced as one object (Shopify prices lists by their element).
    const first = walk.actual && Array.isArray(value) ? (value[0] as Data) : undefined;
    return 1 + selectionCost(walk, node.selectionSet, named, first);
  }
  if (walk.actual && (value === null || value === undefined)) return 1;
  return 1 + selectionCost(walk, node.selectionSet, named, value as Data);
}

function connectionCost(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLObjectType, size: number, data: Data): number {
  const nodesField = type.getFields().nodes;
  if (!nodesField) return 2;
  const nodeType = getNamedType(nodesField.type) as GraphQLCompositeType;
  let best = 0;
  for (const field of fieldsOf(walk, selectionSet, type)) {
    const key = field.alias?.value ?? field.name.value;
    if (field.name.value === 'nodes' && field.selectionSet) {
      if (!walk.actual) best = Math.max(best, size * (1 + selectionCost(walk, field.selectionSet, nodeType, undefined)));
      else {
        const items = Array.isArray(data?.[key]) ? (data?.[key] as Data[]) : [];
        best = Math.max(
          best,
          items.reduce((sum, item) => sum + 1 + selectionCost(walk, field.selectionSet!, nodeType, item), 0),
        );
      }
    }
    if (field.name.value === 'edges' && field.selectionSet) {
      const edgeType = getNamedType(type.getFields().edges!.type) as GraphQLObjectType;
      for (const inner of fieldsOf(walk, field.selectionSet, edgeType)) {
        if (inner.name.value !== 'node' || !inner.selectionSet) continue;
        const innerKey = inner.alias?.value ?? inner.name.value;
        if (!walk.actual) best = Math.max(best, size * (1 + selectionCost(walk, inner.selectionSet, nodeType, undefined)));
        else {
          const edges = Array.isArray(data?.[key]) ? (data?.[key] as Data[]) : [];
          best = Math.max(
            best,
            edges.reduce(
              (sum, edge) => sum + 1 + selectionCost(walk, inner.selectionSet!, nodeType, (edge?.[innerKey] as Data) ?? null),
              0,
            ),
          );
        }
      }
    }
  }
  return 2 + best;
}
