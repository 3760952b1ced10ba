/**
 * A static estimate of a GraphQL document's cost in Shopify's points, reserved in the shared
 * budget (./budget.ts) before the first answer for that document; afterwards the client uses the
 * previous `requestedQueryCost`. Pure.
 */
import { Kind, OperationTypeNode, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';

/** Shopify refuses any single query above 1000 points (MAX_COST_EXCEEDED). */
export const MAX_QUERY_COST = 1000;

/**
 * Shopify's documented defaults: objects 1, scalars and enums 0, connections 2 + first × child
 * cost, mutations 10. Capped at 1000, the most a single query may cost.
 */
export function estimateCost(ast: DocumentNode, variables: Record<string, unknown>): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of ast.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const costOf = (set: SelectionSetNode | undefined, depth: number): number => selectionCost(set, depth, fragments, variables);
  let cost = 0;
  for (const def of ast.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    if (def.operation === OperationTypeNode.MUTATION) {
      for (const sel of def.selectionSet.selections) {
        cost += 10 + (sel.kind === Kind.FIELD ? costOf(sel.selectionSet, 1) : 0);
      }
    } else {
      cost += costOf(def.selectionSet, 0);
    }
  }
  return Math.max(1, Math.min(MAX_QUERY_COST, cost));
}

function selectionCost(
  set: SelectionSetNode | undefined,
  depth: number,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  if (!set || depth > 20) return 0;
  let total = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (!sel.selectionSet) continue;
      const size = pageSize(sel.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last')?.value, variables);
      const children = selectionCost(sel.selectionSet, depth + 1, fragments, variables);
      total += size === undefined ? 1 + children : 2 + size * children;
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      total += selectionCost(sel.selectionSet, depth + 1, fragments, variables);
    } else {
      total += selectionCost(fragments.get(sel.name.value)?.selectionSet, depth + 1, fragments, variables);
    }
    if (total >= MAX_QUERY_COST) return MAX_QUERY_COST;
  }
  return total;
}

/** A connection's `first`/`last`: a literal, or a numeric variable; undefined when unknown. */
function pageSize(value: ValueNode | undefined, variables: Record<string, unknown>): number | undefined {
  if (!value) return undefined;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value];
    return typeof v === 'number' ? v : undefined;
  }
  return undefined;
}
