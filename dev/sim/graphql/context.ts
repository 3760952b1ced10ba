/** What resolvers see: the domain, the API version of the request, subscription management. */
import type { GraphQLResolveInfo } from 'graphql';
import type { DomainContext } from '../domain/context.js';
import type { IdempotencyStore } from './idempotency.js';

export interface GqlContext {
  dom: DomainContext;
  apiVersion: string;
  /** Version that serializes webhooks (WebhookSubscription.apiVersion). */
  webhookApiVersion: string;
  supportedVersions: { handle: string; supported: boolean }[];
  idempotency: IdempotencyStore;
}

/** A view property: a value, or a function of the field's arguments. */
export type Lazy<T = unknown> = T | ((args: Record<string, unknown>, ctx: GqlContext, info: GraphQLResolveInfo) => T);
export type View = { __typename: string } & Record<string, Lazy>;
