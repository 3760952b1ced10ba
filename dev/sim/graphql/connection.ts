/**
 * Relay connections as Shopify serves them (`edges`, `nodes`, `pageInfo`, opaque cursors) and the
 * subset of Shopify's search syntax the product uses (`updated_at:>'…'`, `sku:…`, `email:…`).
 * Pure.
 */
import { GraphQLError } from 'graphql';

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  reverse?: boolean | null;
}

type SortValue = number | string;

export function encodeCursor(id: number | string, value: SortValue = id): string {
  return Buffer.from(JSON.stringify({ last_id: id, last_value: value })).toString('base64');
}

function decodeCursor(cursor: string): [SortValue, number | string] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { last_id?: number | string; last_value?: SortValue };
    if (parsed.last_id === undefined) throw new Error('no id');
    return [parsed.last_value ?? parsed.last_id, parsed.last_id];
  } catch {
    throw new GraphQLError(`Invalid cursor for current pagination sort.`, { extensions: { code: 'BAD_REQUEST' } });
  }
}

function compareKeys(a: [SortValue, number | string], b: [SortValue, number | string]): number {
  for (let i = 0; i < 2; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}

/**
 * Shopify rejects a connection without `first` or `last`, and pages above 250. `items` come sorted
 * ascending by `sortValueOf` (then id); like Shopify's, a cursor carries the sort value and the id
 * of its node, so a node that moves (e.g. an order updated while paging by UPDATED_AT) does not
 * make the next page skip others.
 */
export function connection<T>(
  items: T[],
  args: ConnectionArgs,
  idOf: (item: T) => number | string,
  view: (item: T) => unknown,
  sortValueOf: (item: T) => SortValue = idOf,
) {
  const { first, last, after, before } = args;
  if ((first === undefined || first === null) && (last === undefined || last === null)) {
    throw new GraphQLError('you must provide one of first or last', { extensions: { code: 'BAD_REQUEST' } });
  }
  for (const n of [first, last]) {
    if (n !== undefined && n !== null && (n < 0 || n > 250)) {
      throw new GraphQLError(`The page size must be between 0 and 250 (got ${n})`, { extensions: { code: 'BAD_REQUEST' } });
    }
  }
  const direction = args.reverse ? -1 : 1;
  const key = (item: T): [SortValue, number | string] => [sortValueOf(item), idOf(item)];
  let list = args.reverse ? [...items].reverse() : items;
  if (after) {
    const cursor = decodeCursor(after);
    list = list.filter((item) => direction * compareKeys(key(item), cursor) > 0);
  }
  if (before) {
    const cursor = decodeCursor(before);
    list = list.filter((item) => direction * compareKeys(key(item), cursor) < 0);
  }
  let hasNextPage = false;
  let hasPreviousPage = Boolean(after);
  if (first !== undefined && first !== null) {
    hasNextPage = list.length > first;
    list = list.slice(0, first);
  }
  if (last !== undefined && last !== null) {
    hasPreviousPage = list.length > last;
    list = list.slice(Math.max(0, list.length - last));
  }
  const edges = list.map((item) => ({ cursor: encodeCursor(idOf(item), sortValueOf(item)), node: view(item) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

export interface SearchTerm {
  field: string | null;
  op: ':' | '>' | '>=' | '<' | '<=';
  value: string;
  negated: boolean;
}

/** Parses `field:value`, `field:>value`, quoted values, `-field:value`; `AND` is implied. */
export function parseSearch(query: string | null | undefined): SearchTerm[] {
  if (!query) return [];
  const tokens = query.match(/-?[\w.]+:(?:[<>]=?)?(?:'[^']*'|"[^"]*"|\S+)|'[^']*'|"[^"]*"|\S+/g) ?? [];
  const terms: SearchTerm[] = [];
  for (const token of tokens) {
    if (token === 'AND') continue;
    const m = /^(-?)([\w.]+):([<>]=?)?(.*)$/.exec(token);
    if (!m) {
      terms.push({ field: null, op: ':', value: unquote(token), negated: false });
      continue;
    }
    terms.push({ field: m[2]!, op: (m[3] as SearchTerm['op']) ?? ':', value: unquote(m[4] ?? ''), negated: m[1] === '-' });
  }
  return terms;
}

function unquote(value: string): string {
  return value.replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
}

/**
 * Filters items by the terms whose field has a getter; other fields are ignored, as Shopify
 * ignores unknown search fields. Values compare as dates when both parse as dates, as numbers when
 * both are numbers, else case-insensitively as text (`*` suffix = prefix match).
 */
export function applySearch<T>(items: T[], query: string | null | undefined, fields: Record<string, (item: T) => unknown>): T[] {
  const terms = parseSearch(query);
  return items.filter((item) =>
    terms.every((term) => {
      const getter = term.field ? fields[term.field] : fields.default;
      if (!getter) return true;
      const ok = matches(getter(item), term);
      return term.negated ? !ok : ok;
    }),
  );
}

function matches(actual: unknown, term: SearchTerm): boolean {
  if (Array.isArray(actual)) return actual.some((a) => matches(a, term));
  if (actual === null || actual === undefined) return false;
  const text =
    typeof actual === 'string' || typeof actual === 'number' || typeof actual === 'boolean' ? String(actual) : JSON.stringify(actual);
  if (term.op === ':') {
    if (term.value.endsWith('*')) return text.toLowerCase().startsWith(term.value.slice(0, -1).toLowerCase());
    return text.toLowerCase() === term.value.toLowerCase();
  }
  const a = Date.parse(text);
  const b = Date.parse(term.value);
  let cmp: number;
  if (!Number.isNaN(a) && !Number.isNaN(b) && /\d{4}-\d{2}-\d{2}/.test(term.value)) cmp = a - b;
  else if (!Number.isNaN(Number(text)) && !Number.isNaN(Number(term.value))) cmp = Number(text) - Number(term.value);
  else cmp = text.localeCompare(term.value);
  switch (term.op) {
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
    case '<':
      return cmp < 0;
    default:
      return cmp <= 0;
  }
}
