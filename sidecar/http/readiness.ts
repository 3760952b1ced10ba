/**
 * /readyz: the sidecar is ready when its database, queue, Odoo and Shopify answer. Each check
 * has a timeout, and results are cached briefly so frequent probes do not load Odoo or spend
 * Shopify API budget.
 */
import type { Clock } from '../clock.js';

export type ReadinessCheck = () => Promise<void>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string; checkedAt: string }>;
}

export function createReadiness(checks: Record<string, ReadinessCheck>, options: { clock: Clock; timeoutMs?: number; cacheMs?: number }) {
  const timeoutMs = options.timeoutMs ?? 3000;
  const cacheMs = options.cacheMs ?? 5000;
  const now = options.clock;
  let cached: { at: number; report: ReadinessReport } | undefined;

  async function run(name: string, check: ReadinessCheck): Promise<[string, ReadinessReport['checks'][string]]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([check(), timeout]);
      return [name, { ok: true, checkedAt: new Date(now()).toISOString() }];
    } catch (error) {
      return [name, { ok: false, error: (error as Error).message, checkedAt: new Date(now()).toISOString() }];
    } finally {
      clearTimeout(timer);
    }
  }

  return async function report(): Promise<ReadinessReport> {
    if (cached && now() - cached.at < cacheMs) return cached.report;
    const results = Object.fromEntries(await Promise.all(Object.entries(checks).map(([name, check]) => run(name, check))));
    const fresh = { ready: Object.values(results).every((r) => r.ok), checks: results };
    cached = { at: now(), report: fresh };
    return fresh;
  };
}
