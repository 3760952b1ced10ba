/** Public surface of the Shopify client (see each module's header). */
export { createShopifyClient, estimateCost, parseRetryAfter } from './client.js';
export type { ClientLogger, DeprecationCounts, RequestOptions, ShopifyClient, ShopifyClientOptions } from './client.js';
export { createShopifyBudget, DEFAULT_LANE_RESERVES, LANES } from './budget.js';
export type { BudgetOptions, BudgetSnapshot, Lane, QueryCost, Reservation, SettleOutcome, ShopifyBudget } from './budget.js';
export { createClientCredentialsTokenProvider, createStaticTokenProvider, createTokenProvider } from './auth.js';
export type { ClientCredentialsOptions, FetchLike, ShopifyTokenProvider } from './auth.js';
export {
  contentDigest,
  IDEMPOTENT_MUTATIONS,
  idempotencyKey,
  missingIdempotentDirectives,
  withIdempotentDirective,
} from './idempotency.js';
export type { IdempotencyKeyParts } from './idempotency.js';
export { checkApiVersion, supportEnd } from './versions.js';
export type { ApiVersionCheck, ApiVersionInfo, CheckApiVersionOptions } from './versions.js';
export { allDocuments, document, DOCUMENT_NAMES, loadDocuments } from './documents.js';
export type { DocumentName, ShopifyDocument } from './documents.js';
export * from './errors.js';
