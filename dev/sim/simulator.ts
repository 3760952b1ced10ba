/**
 * The simulator's shape (built by ./server.ts, driven by the control API in ./control.ts): its
 * options and the handle tests and the control API work with. Types only, so the server and the
 * control API do not import each other.
 */
import type { Server } from 'node:http';
import type express from 'express';
import type { LeakyBucket, PlanName } from './bucket.js';
import type { Clock } from './clock.js';
import type { DomainContext } from './domain/context.js';
import type { Faults } from './faults.js';
import type { IdempotencyStore } from './graphql/idempotency.js';
import type { SimState } from './state.js';
import type { FetchLike, WebhookDispatcher } from './webhooks.js';

export interface SimulatorOptions {
  shopDomain?: string;
  /** Token expected in X-Shopify-Access-Token. */
  accessToken?: string;
  /** App client secret: the HMAC key of webhook deliveries. */
  apiSecret?: string;
  plan?: PlanName;
  /** The shop currency (ISO code, default EUR), e.g. a real Odoo's company currency in the demo. */
  currency?: string;
  clock?: Clock;
  /** Seed of the fault PRNG and of webhook/event ids. */
  seed?: number;
  /** Three demo SKUs stocked at both locations (default true). */
  demoCatalog?: boolean;
  /** Version used to serialize webhooks (X-Shopify-API-Version). */
  webhookApiVersion?: string;
  /** Shopify's retry schedule of failed deliveries (default 1, 2, 4 … 64, 113 minutes). */
  webhookRetryDelaysMs?: number[];
  webhookTimeoutMs?: number;
  /** Finished deliveries kept in the log (default 5000). */
  maxDeliveriesKept?: number;
  fetch?: FetchLike;
  /** App-configured (TOML-like) subscriptions, e.g. the compliance topics. Never removed after failures. */
  appSubscriptions?: { topic: string; uri: string }[];
  /** Load this state file at start. */
  stateFile?: string;
}

/** Admin API answers counted since start: errors injected, and THROTTLED ones by cause. */
export interface SimStats {
  requests: number;
  /** Answered with the injected 5xx (fault apiErrorRate). */
  apiErrors: number;
  /** THROTTLED by a fault (throttleNext, throttleRate). */
  forcedThrottles: number;
  /** THROTTLED because the request's cost did not fit the bucket: the client overspent. */
  bucketThrottles: number;
  /** Points charged (the sum of `actualQueryCost`): what the app spent of its bucket. */
  pointsCharged: number;
  /** The same by operation name (unnamed operations under `(anonymous)`). */
  pointsByOperation: Record<string, number>;
  /** The charged requests by operation name: with pointsByOperation, what one call costs. */
  callsByOperation: Record<string, number>;
}

export interface Simulator {
  app: express.Express;
  readonly stats: SimStats;
  readonly state: SimState;
  dom: DomainContext;
  bucket: LeakyBucket;
  faults: Faults;
  webhooks: WebhookDispatcher;
  idempotency: IdempotencyStore;
  options: Required<Pick<SimulatorOptions, 'shopDomain' | 'accessToken' | 'apiSecret' | 'webhookApiVersion'>>;
  control: {
    reset(): void;
    save(file: string): void;
    load(file: string): void;
    setState(state: SimState): void;
  };
  /** Resolves when no webhook delivery is running or due now. */
  idle(): Promise<void>;
  listen(port: number, host?: string): Promise<Server>;
  close(): Promise<void>;
}
