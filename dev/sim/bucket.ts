/**
 * The leaky bucket of Shopify's calculated query cost, one per shop (app + store pair).
 * `currentlyAvailable` refills at `restoreRate` points per second up to `maximumAvailable`.
 * Plans per Shopify's published API limits (restore rates) and observed bucket sizes.
 */
import type { Clock } from './clock.js';

export const PLANS = {
  standard: { maximumAvailable: 2000, restoreRate: 100 },
  advanced: { maximumAvailable: 4000, restoreRate: 200 },
  plus: { maximumAvailable: 20000, restoreRate: 1000 },
  enterprise: { maximumAvailable: 40000, restoreRate: 2000 },
} as const;

export type PlanName = keyof typeof PLANS;

export function isPlanName(value: unknown): value is PlanName {
  return typeof value === 'string' && Object.hasOwn(PLANS, value);
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export class LeakyBucket {
  private level: number;
  private updatedAt: number;
  maximumAvailable: number;
  restoreRate: number;

  constructor(
    private readonly clock: Clock,
    plan: PlanName = 'standard',
  ) {
    this.maximumAvailable = PLANS[plan].maximumAvailable;
    this.restoreRate = PLANS[plan].restoreRate;
    this.level = this.maximumAvailable;
    this.updatedAt = clock.now();
  }

  setPlan(plan: PlanName): void {
    this.refill();
    this.maximumAvailable = PLANS[plan].maximumAvailable;
    this.restoreRate = PLANS[plan].restoreRate;
    this.level = Math.min(this.level, this.maximumAvailable);
  }

  /** Points available now (fractional internally). */
  available(): number {
    this.refill();
    return this.level;
  }

  /** Sets the points available now (control API: "drain the bucket"). */
  setAvailable(points: number): void {
    this.refill();
    this.level = Math.max(0, Math.min(this.maximumAvailable, points));
  }

  /** Takes `points` if the bucket holds them; false (and nothing taken) otherwise. */
  tryTake(points: number): boolean {
    this.refill();
    if (points > this.level) return false;
    this.level -= points;
    return true;
  }

  /** Gives back the difference between requested and actual cost. */
  refund(points: number): void {
    this.refill();
    this.level = Math.min(this.maximumAvailable, this.level + Math.max(0, points));
  }

  status(): ThrottleStatus {
    return {
      maximumAvailable: this.maximumAvailable,
      currentlyAvailable: Math.floor(this.available()),
      restoreRate: this.restoreRate,
    };
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.level = Math.min(this.maximumAvailable, this.level + elapsed * this.restoreRate);
    this.updatedAt = now;
  }
}
