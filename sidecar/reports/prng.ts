/**
 * Seeded sampling for the integrity check (pure): the same seed over the same population gives
 * the same sample, so a drift found on Monday can be re-checked after a fix.
 */

/** mulberry32: a small, well-known 32-bit PRNG; plenty for picking a sample. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A string seed ("2026-W48", "42") as a 32-bit number (FNV-1a). */
export function seedFrom(value: string | number): number {
  const text = String(value);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * `n` items of `items` chosen by a seeded partial Fisher–Yates shuffle. The population is sorted
 * by `id` first so the sample does not depend on the order Odoo or Shopify listed it in.
 * `n` undefined = the whole population (sorted).
 */
export function seededSample<T>(items: readonly T[], n: number | undefined, seed: number, id: (item: T) => string): T[] {
  const sorted = [...items].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
  if (n === undefined || n >= sorted.length) return sorted;
  const random = mulberry32(seed);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (sorted.length - i));
    [sorted[i], sorted[j]] = [sorted[j]!, sorted[i]!];
  }
  return sorted.slice(0, n);
}
