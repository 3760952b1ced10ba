/**
 * Runs an async function over a list, at most `limit` calls at a time (the inventory push's
 * batches, the bulk catalog push's results written to Odoo). What bounds Shopify's spending is the shared cost
 * budget each call reserves from (sidecar/shopify/budget.ts); the limit bounds the load on Odoo,
 * the database pool and the process.
 *
 * A failure stops the start of new calls; the calls already running are awaited (never left
 * running after the caller has moved on), and then the first failure is thrown, as a sequential
 * loop would have thrown it. `onError` sees every failure, also the ones after the first.
 */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
  onError?: (error: unknown, item: T, index: number) => void,
): Promise<void> {
  if (!(Number.isInteger(limit) && limit >= 1)) throw new TypeError(`eachLimited: limit must be a whole number >= 1 (got ${limit})`);
  let next = 0;
  let failed = false;
  let first: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        await fn(items[index]!, index);
      } catch (error) {
        failed = true;
        first ??= { error };
        onError?.(error, items[index]!, index);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (first) throw first.error;
}
