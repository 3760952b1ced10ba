/** Webhook subscriptions: API-created (webhookSubscriptionCreate) and app-configured (TOML-like). */
import type { WebhookSubscription } from '../state.js';
import { EMITTED_TOPICS, topicToEnum } from '../topics.js';
import { fail, nextId, nowIso, type DomainContext } from './context.js';

export interface SubscriptionInput {
  /** Enum form (ORDERS_CREATE) or REST form (orders/create). */
  topic: string;
  uri: string;
  format?: 'JSON' | 'XML';
  filter?: string | null;
  includeFields?: string[];
  name?: string | null;
  source: 'api' | 'app';
}

export function createSubscription(ctx: DomainContext, input: SubscriptionInput): WebhookSubscription {
  const topic = input.topic.includes('/') ? topicToEnum(input.topic) : input.topic;
  // App-configured subscriptions name REST topics; refuse one the simulator never sends (a typo would stay silent).
  if (input.source === 'app' && !EMITTED_TOPICS.some((t) => topicToEnum(t) === topic)) {
    fail(`The simulator does not send "${input.topic}"; topics: ${EMITTED_TOPICS.join(', ')}`, ['topic']);
  }
  if (!/^https?:\/\/[^\s]+$/.test(input.uri) && !/^pubsub:\/\//.test(input.uri) && !/^arn:aws:events:/.test(input.uri)) {
    fail('Address is invalid', ['webhookSubscription', 'callbackUrl']);
  }
  if (input.format === 'XML') fail('The simulator delivers JSON only', ['webhookSubscription', 'format']);
  if (ctx.state.subscriptions.some((s) => s.topic === topic && s.uri === input.uri && s.source === input.source)) {
    fail('Address for this topic has already been taken', ['webhookSubscription', 'callbackUrl']);
  }
  const now = nowIso(ctx);
  const subscription: WebhookSubscription = {
    id: nextId(ctx),
    topic,
    uri: input.uri,
    format: 'JSON',
    filter: input.filter ?? null,
    includeFields: input.includeFields ?? [],
    name: input.name ?? null,
    source: input.source,
    consecutiveFailures: 0,
    createdAt: now,
    updatedAt: now,
  };
  ctx.state.subscriptions.push(subscription);
  return subscription;
}

export function deleteSubscription(ctx: DomainContext, id: number): void {
  if (!ctx.state.subscriptions.some((s) => s.id === id)) fail('Webhook subscription does not exist', ['id']);
  ctx.state.subscriptions = ctx.state.subscriptions.filter((s) => s.id !== id);
}
