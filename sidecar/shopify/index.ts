/** Public surface of the Shopify client (see each module's header). */
export { createShopifyClient } from './client.js';
export type {
  ClientLogger,
  DeprecationCounts,
  OperationResult,
  OperationVariables,
  RequestOptions,
  ShopifyClient,
  ShopifyClientOptions,
} from './client.js';
export { parseRetryAfter } from './attempt.js';
export { estimateCost, MAX_QUERY_COST } from './cost.js';
export type * from './generated/operations.js';
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
export type { ApiVersionCheck, ApiVersionInfo, CheckApiVersionOptions, VersionCheckClient } from './versions.js';
export { allDocuments, document, DOCUMENT_NAMES, loadDocuments } from './documents.js';
export type { DocumentName, ShopifyDocument } from './documents.js';
export * from './errors.js';
export { isCountryCode, isWebhookSubscriptionTopic } from './enums.js';
