/**
 * Shopify native idempotency (`@idempotent(key:)`, mandatory since API 2026-04 for the
 * mutations listed below; docs/architecture.md, decision 5).
 *
 * Keys are deterministic: the same logical operation (flow + entity + content or outbox event id)
 * always yields the same key, so a retry after a timeout or a crash is deduplicated by Shopify.
 * A new key is needed only after IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED: pass a new `attempt`.
 * Pure: no I/O.
 */
import crypto from 'node:crypto';
import { Kind, OperationTypeNode, parse, print, visit, type DocumentNode, type FieldNode, type OperationDefinitionNode } from 'graphql';

/**
 * Mutations whose 2026-10 description says `@idempotent` is required from 2026-04 (the
 * published schema's descriptions; idempotency.test.ts compares this list with them). Enforced
 * at runtime by Shopify even though the schema does not mark the directive as required.
 */
export const IDEMPOTENT_MUTATIONS: ReadonlySet<string> = new Set([
  'refundCreate',
  'inventorySetQuantities',
  'inventoryAdjustQuantities',
  'inventoryActivate',
  'inventoryMoveQuantities',
  'inventorySetOnHandQuantities',
  'inventoryShipmentAddItems',
  'inventoryShipmentCreate',
  'inventoryShipmentCreateInTransit',
  'inventoryShipmentReceive',
  'inventoryTransferCreate',
  'inventoryTransferCreateAsReadyToShip',
  'inventoryTransferDuplicate',
  'inventoryTransferSetItems',
  'locationActivate',
  'locationDeactivate',
]);

/** The variable the client binds the key to. */
export const IDEMPOTENCY_VARIABLE = 'idempotencyKey';

/** Fixed namespace of this project for UUIDv5 keys (RFC 9562 §5.5); never change it. */
const KEY_NAMESPACE = '4f1d2c3e-8a7b-5c6d-9e0f-1a2b3c4d5e6f';

export interface IdempotencyKeyParts {
  /** The flow, e.g. "inventory", "refunds". */
  flow: string;
  /** The entity the write is about, e.g. "gid://shopify/InventoryItem/1@gid://shopify/Location/2". */
  entity: string;
  /** What makes this write distinct: the outbox event id, or a hash of the content written. */
  version: string;
  /** Bumped only after IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED, which asks for a fresh key. */
  attempt?: number;
}

/** A UUIDv5 of the parts: equal parts give an equal key, on every replica and every retry. */
export function idempotencyKey(parts: IdempotencyKeyParts): string {
  for (const [name, value] of [
    ['flow', parts.flow],
    ['entity', parts.entity],
    ['version', parts.version],
  ] as const) {
    if (typeof value !== 'string' || value === '') throw new TypeError(`idempotencyKey: ${name} must be a non-empty string`);
  }
  // JSON of an array is unambiguous: ("a:b","c") and ("a","b:c") differ.
  const name = JSON.stringify([parts.flow, parts.entity, parts.version, parts.attempt ?? 0]);
  return uuidV5(name, KEY_NAMESPACE);
}

/** Stable digest of a JSON value (keys sorted), for `version` when there is no event id. */
export function contentDigest(value: unknown): string {
  return crypto.createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = crypto.createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Top-level mutation fields of the document that require `@idempotent` and lack it. */
export function missingIdempotentDirectives(doc: DocumentNode): string[] {
  const missing: string[] = [];
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION || def.operation !== OperationTypeNode.MUTATION) continue;
    for (const sel of def.selectionSet.selections) {
      if (sel.kind !== Kind.FIELD || !IDEMPOTENT_MUTATIONS.has(sel.name.value)) continue;
      if (!sel.directives?.some((d) => d.name.value === 'idempotent')) missing.push(sel.name.value);
    }
  }
  return missing;
}

/**
 * Adds `@idempotent(key: $idempotencyKey)` to every top-level mutation field that requires it
 * and lacks it, and declares `$idempotencyKey: String!` on the operation. Other documents are
 * returned unchanged (same text).
 */
export function withIdempotentDirective(source: string): string {
  const doc = parse(source);
  if (missingIdempotentDirectives(doc).length === 0) return source;
  const updated = visit(doc, {
    OperationDefinition(op: OperationDefinitionNode) {
      if (op.operation !== OperationTypeNode.MUTATION) return undefined;
      const declared = op.variableDefinitions?.some((v) => v.variable.name.value === IDEMPOTENCY_VARIABLE);
      const selections = op.selectionSet.selections.map((sel) => {
        if (sel.kind !== Kind.FIELD || !IDEMPOTENT_MUTATIONS.has(sel.name.value)) return sel;
        if (sel.directives?.some((d) => d.name.value === 'idempotent')) return sel;
        const field: FieldNode = {
          ...sel,
          directives: [
            ...(sel.directives ?? []),
            {
              kind: Kind.DIRECTIVE,
              name: { kind: Kind.NAME, value: 'idempotent' },
              arguments: [
                {
                  kind: Kind.ARGUMENT,
                  name: { kind: Kind.NAME, value: 'key' },
                  value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: IDEMPOTENCY_VARIABLE } },
                },
              ],
            },
          ],
        };
        return field;
      });
      return {
        ...op,
        variableDefinitions: declared
          ? op.variableDefinitions
          : [
              ...(op.variableDefinitions ?? []),
              {
                kind: Kind.VARIABLE_DEFINITION,
                variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: IDEMPOTENCY_VARIABLE } },
                type: {
                  kind: Kind.NON_NULL_TYPE,
                  type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'String' } },
                },
              },
            ],
        selectionSet: { ...op.selectionSet, selections },
      };
    },
  });
  return print(updated);
}
