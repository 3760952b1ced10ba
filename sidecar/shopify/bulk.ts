/**
 * Shopify bulk operations (docs/operations.md, "Full catalog and inventory at the budget limit"):
 * work that would cost thousands of points in single calls runs inside Shopify instead, where
 * the cost bucket does not apply. Only the calls that start and poll an operation are charged
 * (10 points to start, 1 per poll).
 *
 * - `runBulkQuery(name)`: bulkOperationRunQuery with the named document of ./graphql, polled
 *   until it ends, its JSONL result downloaded and parsed (nested nodes carry `__parentId`).
 * - `runBulkMutation(name, lines)`: the variables of each line written as JSONL to a staged
 *   upload (stagedUploadsCreate, resource BULK_MUTATION_VARIABLES), bulkOperationRunMutation with
 *   the named mutation, polled, and the result lines returned by their `__lineNumber`.
 *
 * Polling backs off from `pollMs` to 5 s: a 10,000-line operation polls a few dozen times.
 */
import { RetryableError } from '../queue/errors.js';
import type { Lane } from './budget.js';
import type { ShopifyClient } from './client.js';
import { document, type DocumentName } from './documents.js';
import { ShopifyUserErrors } from './errors.js';

export interface BulkOptions {
  lane: Lane;
  /** First wait between polls (default 500 ms), doubled up to 5 s. */
  pollMs?: number;
  /** Longest wait for the operation to end (default 1 hour). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  clock?: () => number;
}

export interface BulkMutationLine<T> {
  /** The 0-based line of the variables file. */
  line: number;
  data: T | null;
  errors?: Array<{ message: string }>;
}

const MAX_POLL_MS = 5_000;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls bulkOperation(id) until it leaves CREATED/RUNNING; the result URL (null: no data). */
export async function waitForBulkOperation(shopify: ShopifyClient, id: string, options: BulkOptions): Promise<string | null> {
  const sleep = options.sleep ?? defaultSleep;
  const clock = options.clock ?? Date.now;
  const deadline = clock() + (options.timeoutMs ?? 3_600_000);
  let wait = options.pollMs ?? 500;
  for (;;) {
    const { bulkOperation: op } = await shopify.request('BulkOperationById', { id }, { lane: options.lane });
    if (!op) throw new RetryableError(`bulk operation ${id} not found`);
    if (op.status === 'COMPLETED') return op.url ?? null;
    if (op.status !== 'CREATED' && op.status !== 'RUNNING')
      throw new RetryableError(`bulk operation ${id} ended ${op.status}${op.errorCode ? ` (${op.errorCode})` : ''}`);
    if (clock() > deadline) throw new RetryableError(`bulk operation ${id} still ${op.status} after ${options.timeoutMs ?? 3_600_000} ms`);
    await sleep(wait);
    wait = Math.min(MAX_POLL_MS, wait * 2);
  }
}

async function download(url: string | null, options: BulkOptions): Promise<unknown[]> {
  if (!url) return [];
  const response = await (options.fetch ?? fetch)(url);
  if (!response.ok) throw new RetryableError(`bulk result download answered HTTP ${response.status}`);
  const text = await response.text();
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

function refuse(
  what: string,
  userErrors: ReadonlyArray<{ field?: readonly string[] | null; message: string; code?: string | null }>,
): never {
  throw new ShopifyUserErrors(
    what,
    userErrors.map((e) => ({ field: e.field ? [...e.field] : null, message: e.message, ...(e.code ? { code: e.code } : {}) })),
  );
}

/** Runs the named query document as a bulk query; its JSONL lines, parsed. */
export async function runBulkQuery(shopify: ShopifyClient, name: DocumentName, options: BulkOptions): Promise<unknown[]> {
  const started = await shopify.request('BulkOperationRunQuery', { query: document(name).source }, { lane: options.lane });
  const payload = started.bulkOperationRunQuery;
  if (!payload?.bulkOperation) refuse('bulkOperationRunQuery', payload?.userErrors ?? [{ message: 'no bulk operation returned' }]);
  return download(await waitForBulkOperation(shopify, payload.bulkOperation.id, options), options);
}

/** Writes the lines to a staged upload; its stagedUploadPath. */
async function stage(shopify: ShopifyClient, lines: readonly unknown[], options: BulkOptions): Promise<string> {
  const created = await shopify.request(
    'StagedUploadsCreate',
    { input: [{ resource: 'BULK_MUTATION_VARIABLES', filename: 'variables.jsonl', mimeType: 'text/jsonl', httpMethod: 'PUT' }] },
    { lane: options.lane, retrySafe: true },
  );
  const target = created.stagedUploadsCreate?.stagedTargets?.[0];
  if (!target?.url) refuse('stagedUploadsCreate', created.stagedUploadsCreate?.userErrors ?? [{ message: 'no staged target returned' }]);
  const params = new Map(target.parameters.map((p) => [p.name, p.value]));
  const key = params.get('key');
  if (!key) throw new RetryableError('stagedUploadsCreate returned no key parameter');
  params.delete('key');
  // A PUT target takes the other parameters as request headers (e.g. Content-Type).
  const response = await (options.fetch ?? fetch)(String(target.url), {
    method: 'PUT',
    headers: Object.fromEntries(params),
    body: lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
  });
  if (!response.ok) throw new RetryableError(`staged upload answered HTTP ${response.status}`);
  return key;
}

/**
 * Runs the named mutation document once per line of variables; the result of each line. The
 * operation is not idempotent: a caller retrying after an error must read back first (the
 * catalog's productSet upserts by handle or GID, so running it twice is harmless).
 */
export async function runBulkMutation<T>(
  shopify: ShopifyClient,
  name: DocumentName,
  lines: readonly Record<string, unknown>[],
  options: BulkOptions & {
    clientIdentifier?: string;
    /** Told the operation's id once Shopify accepted it, before the first poll (to resume a run). */
    onStarted?: (operationId: string) => Promise<void>;
  },
): Promise<BulkMutationLine<T>[]> {
  if (lines.length === 0) return [];
  const path = await stage(shopify, lines, options);
  const started = await shopify.request(
    'BulkOperationRunMutation',
    { mutation: document(name).source, stagedUploadPath: path, clientIdentifier: options.clientIdentifier ?? null },
    { lane: options.lane },
  );
  const payload = started.bulkOperationRunMutation;
  if (!payload?.bulkOperation) refuse('bulkOperationRunMutation', payload?.userErrors ?? [{ message: 'no bulk operation returned' }]);
  await options.onStarted?.(payload.bulkOperation.id);
  const results = await download(await waitForBulkOperation(shopify, payload.bulkOperation.id, options), options);
  return results
    .map((r) => r as { data?: T | null; errors?: Array<{ message: string }>; __lineNumber?: number })
    .map((r) => ({ line: Number(r.__lineNumber), data: r.data ?? null, ...(r.errors ? { errors: r.errors } : {}) }))
    .sort((a, b) => a.line - b.line);
}
