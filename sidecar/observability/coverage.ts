/**
 * No topic without a worker, and no job waiting unseen (docs/operations.md, "Alerts"): which
 * queues are fed (a routed webhook topic or an Odoo outbox event type, sidecar/jobs.ts) but
 * worked by no registered flow, and the alert conditions for those, for queues whose oldest
 * waiting job is older than the threshold, and for privacy requests close to their due date.
 * Pure: the callers read the queues, the inbox and Odoo (app.ts wires them).
 */
import { OUTBOX_EVENT_QUEUES, WEBHOOK_TOPIC_QUEUES } from '../jobs.js';
import type { Condition } from './alerts.js';

export interface UnworkedQueue {
  queue: string;
  /** The webhook topics routed to it. */
  topics: string[];
  /** The outbox event types relayed to it. */
  events: string[];
}

/** Every fed queue no worker takes, in the order of jobs.ts's tables: data-driven, so a new flow just clears its queue. */
export function unworkedQueues(worked: Iterable<string>): UnworkedQueue[] {
  const have = new Set(worked);
  const fed = new Map<string, UnworkedQueue>();
  const entry = (queue: string) => fed.get(queue) ?? fed.set(queue, { queue, topics: [], events: [] }).get(queue)!;
  for (const [topic, queue] of Object.entries(WEBHOOK_TOPIC_QUEUES)) if (!have.has(queue)) entry(queue).topics.push(topic);
  for (const [event, queue] of Object.entries(OUTBOX_EVENT_QUEUES)) if (!have.has(queue)) entry(queue).events.push(event);
  return [...fed.values()];
}

/** One line naming each queue and what feeds it. */
export function describeUnworked(list: readonly UnworkedQueue[]): string {
  const one = (u: UnworkedQueue) => {
    const feeds = [u.topics.length ? `webhooks ${u.topics.join(', ')}` : '', u.events.length ? `outbox ${u.events.join(', ')}` : ''];
    return `${u.queue} (${feeds.filter(Boolean).join('; ')})`;
  };
  return `queues fed but worked by no registered flow: ${list.map(one).join(', ')}`;
}

export function unworkedConditions(list: readonly UnworkedQueue[]): Condition[] {
  return list.map((u) => ({
    key: `unworked_queue:${u.queue}`,
    kind: 'unworked_queue',
    subject: u.queue,
    value: u.topics.length + u.events.length,
    threshold: 0,
    summary: `${describeUnworked([u])}: its jobs wait and are deleted after 30 days`,
  }));
}

/** Queues whose oldest ready job has waited longer than `thresholdMinutes`. */
export function queueAgeConditions(ages: readonly { queue: string; seconds: number }[], thresholdMinutes: number): Condition[] {
  return ages
    .filter((a) => a.seconds > thresholdMinutes * 60)
    .map((a) => {
      const minutes = Math.floor(a.seconds / 60);
      return {
        key: `queue_age:${a.queue}`,
        kind: 'queue_age',
        subject: a.queue,
        value: minutes,
        threshold: thresholdMinutes,
        summary: `${a.queue} queue: the oldest waiting job has waited ${minutes} minutes (threshold ${thresholdMinutes})`,
      };
    });
}

export interface OpenPrivacyRequest {
  name: string;
  kind: string;
  state: string;
  due_date: string;
}

export interface UnhandledComplianceDelivery {
  webhookId: string;
  topic: string;
  receivedAt: Date;
}

/**
 * Privacy requests not done `warnDays` before their due date (Odoo's requests, and compliance
 * deliveries still not handled by the sidecar, due 30 days after they arrived).
 */
export function privacyDueConditions(input: {
  requests: readonly OpenPrivacyRequest[];
  unhandled: readonly UnhandledComplianceDelivery[];
  warnDays: number;
}): Condition[] {
  const fromOdoo = input.requests.map((r) => ({
    key: `privacy_due:${r.name}`,
    kind: 'privacy_due' as const,
    subject: r.name,
    value: 1,
    threshold: input.warnDays,
    summary: `privacy request ${r.name} (${r.kind}, ${r.state}) is due ${r.due_date} and not done (Shopify → Privacy requests)`,
  }));
  const fromInbox = input.unhandled.map((d) => {
    const due = new Date(d.receivedAt.getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
    return {
      key: `privacy_due:webhook:${d.webhookId}`,
      kind: 'privacy_due' as const,
      subject: d.webhookId,
      value: 1,
      threshold: input.warnDays,
      summary: `${d.topic} delivery ${d.webhookId} received ${d.receivedAt.toISOString().slice(0, 10)} is not handled yet; due ${due}`,
    };
  });
  return [...fromOdoo, ...fromInbox];
}
