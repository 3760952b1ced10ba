/**
 * Fault injection, deterministic for a given seed. Each fault is a rate in [0, 1]: 0 = off,
 * 1 = always (a switch), anything between = that share of requests or deliveries, drawn from a
 * seeded PRNG (mulberry32) so a test run is reproducible.
 */
export interface FaultConfig {
  /** Share of Admin API requests answered with `apiErrorStatus` (default 503). */
  apiErrorRate: number;
  apiErrorStatus: number;
  /** Share of Admin API requests that never get an answer: the connection is dropped after `apiTimeoutMs`. */
  apiTimeoutRate: number;
  apiTimeoutMs: number;
  /** true: the request is executed before the answer is lost (the write happened); false: it is not executed. */
  apiTimeoutAfterExecute: boolean;
  /** The next N GraphQL requests are answered THROTTLED whatever the bucket holds. */
  throttleNext: number;
  /** Share of GraphQL requests answered THROTTLED whatever the bucket holds. */
  throttleRate: number;
  /** API versions answered with X-Shopify-API-Deprecated-Reason. */
  deprecatedVersions: string[];
  webhookDuplicateRate: number;
  /** A reordered delivery is held back and sent right after the next one (or after `webhookReorderHoldMs`). */
  webhookReorderRate: number;
  webhookReorderHoldMs: number;
  webhookDelayRate: number;
  webhookDelayMs: number;
  webhookDropRate: number;
}

export const DEFAULT_FAULTS: FaultConfig = Object.freeze({
  apiErrorRate: 0,
  apiErrorStatus: 503,
  apiTimeoutRate: 0,
  apiTimeoutMs: 30_000,
  apiTimeoutAfterExecute: true,
  throttleNext: 0,
  throttleRate: 0,
  deprecatedVersions: [],
  webhookDuplicateRate: 0,
  webhookReorderRate: 0,
  webhookReorderHoldMs: 10_000,
  webhookDelayRate: 0,
  webhookDelayMs: 60_000,
  webhookDropRate: 0,
});

const RATE_KEYS = [
  'apiErrorRate',
  'throttleRate',
  'apiTimeoutRate',
  'webhookDuplicateRate',
  'webhookReorderRate',
  'webhookDelayRate',
  'webhookDropRate',
] as const;
const NUMBER_KEYS = ['apiErrorStatus', 'apiTimeoutMs', 'throttleNext', 'webhookReorderHoldMs', 'webhookDelayMs'] as const;

export class FaultError extends Error {}

/** Validates a partial fault configuration from the control API. */
export function parseFaults(input: unknown): Partial<FaultConfig> {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new FaultError('faults: expected a JSON object');
  const out: Partial<FaultConfig> = {};
  for (const [key, value] of Object.entries(input)) {
    if ((RATE_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || value < 0 || value > 1)
        throw new FaultError(`faults: ${key} must be a number between 0 and 1 (got ${JSON.stringify(value)})`);
      (out as Record<string, unknown>)[key] = value;
    } else if ((NUMBER_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
        throw new FaultError(`faults: ${key} must be a non-negative integer (got ${JSON.stringify(value)})`);
      if (key === 'apiErrorStatus' && (value < 500 || value > 599))
        throw new FaultError(`faults: apiErrorStatus must be 5xx (got ${value})`);
      (out as Record<string, unknown>)[key] = value;
    } else if (key === 'apiTimeoutAfterExecute') {
      if (typeof value !== 'boolean') throw new FaultError('faults: apiTimeoutAfterExecute must be a boolean');
      out.apiTimeoutAfterExecute = value;
    } else if (key === 'deprecatedVersions') {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
        throw new FaultError('faults: deprecatedVersions must be a list of versions');
      out.deprecatedVersions = value;
    } else {
      throw new FaultError(`faults: unknown fault "${key}"`);
    }
  }
  return out;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  config: FaultConfig = { ...DEFAULT_FAULTS, deprecatedVersions: [] };
  private random: () => number;
  private ids: () => number;

  constructor(private seed = 1) {
    this.random = mulberry32(seed);
    this.ids = mulberry32(seed ^ 0x5eed);
  }

  set(partial: Partial<FaultConfig>): FaultConfig {
    this.config = { ...this.config, ...partial };
    return this.config;
  }

  /**
   * Switches every fault off and nothing else: the id stream goes on, because Shopify never
   * reuses a webhook id and a receiver's inbox would take a repeated one for a duplicate.
   */
  off(): FaultConfig {
    this.config = { ...DEFAULT_FAULTS, deprecatedVersions: [] };
    return this.config;
  }

  reset(seed = this.seed): void {
    this.seed = seed;
    this.config = { ...DEFAULT_FAULTS, deprecatedVersions: [] };
    this.random = mulberry32(seed);
    this.ids = mulberry32(seed ^ 0x5eed);
  }

  /** True with probability `rate`; never draws for 0 or 1, so switches do not shift the sequence. */
  roll(rate: number): boolean {
    if (rate <= 0) return false;
    if (rate >= 1) return true;
    return this.random() < rate;
  }

  /** Consumes one forced THROTTLED answer, if any are pending. */
  takeForcedThrottle(): boolean {
    if (this.config.throttleNext <= 0) return false;
    this.config.throttleNext -= 1;
    return true;
  }

  /** Deterministic ids (webhook and event ids) from the same seed. */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.ids() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}
