/**
 * Shopify webhook verification (pure). Checks run in a fixed order — size → HMAC → headers →
 * shop → JSON — and return a result with a reason instead of throwing; `statusFor` is the one
 * place that maps reasons to HTTP statuses (the shape of Shopify's own shopify-app-js validation).
 *
 * HMAC: base64(HMAC-SHA256(app secret, raw body)) in X-Shopify-Hmac-Sha256, compared in
 * constant time. During secret rotation every configured secret is tried.
 *
 * Shopify signs the body only: the headers (shop domain, topic, webhook id) are not signed, so a
 * captured delivery can be replayed with other headers. The shop domain must be the configured
 * shop (`unknown_shop` otherwise); the topic is used for routing only, and what a topic makes the
 * sidecar do is decided from the entity's state read from Shopify (docs/flows.md, "What a
 * delivery is trusted with").
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseShopifyJson } from '../../inbox/json.js';

export interface WebhookDelivery {
  /** The exact bytes the HMAC was verified on. */
  rawBody: Buffer;
  webhookId: string;
  topic: string;
  shopDomain: string;
  apiVersion: string | undefined;
  eventId: string | undefined;
  triggeredAt: string | undefined;
  payload: Record<string, unknown>;
}

export type RejectionReason = 'body_too_large' | 'missing_hmac' | 'invalid_hmac' | 'missing_header' | 'unknown_shop' | 'malformed_json';

export type VerificationResult =
  { ok: true; delivery: WebhookDelivery } | { ok: false; reason: RejectionReason; detail: string; webhookId?: string };

export function statusFor(reason: RejectionReason): number {
  switch (reason) {
    case 'body_too_large':
      return 413;
    case 'missing_hmac':
    case 'invalid_hmac':
      return 401;
    case 'unknown_shop':
      return 403;
    case 'missing_header':
    case 'malformed_json':
      return 400;
  }
}

export function computeHmac(secret: string, rawBody: Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

export function hmacMatches(secrets: readonly string[], rawBody: Buffer, received: string): boolean {
  const receivedBytes = Buffer.from(received, 'base64');
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(computeHmac(secret, rawBody), 'base64');
    // Compare every secret (no early exit) so timing does not reveal which one matched.
    if (expected.length === receivedBytes.length && timingSafeEqual(expected, receivedBytes)) matched = true;
  }
  return matched;
}

/** Parses JSON keeping integers beyond 2^53 exact (inbox/json.ts). */
export { parseShopifyJson };

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  const single = Array.isArray(value) ? value[0] : value;
  return single === undefined || single.trim() === '' ? undefined : single.trim();
}

export function verifyWebhook(input: {
  rawBody: Buffer;
  headers: Headers;
  secrets: readonly string[];
  maxBytes: number;
  /** The configured shop's permanent domain: a delivery naming another shop is refused. */
  shopDomain: string;
}): VerificationResult {
  const { rawBody, headers } = input;
  if (rawBody.length > input.maxBytes) {
    return { ok: false, reason: 'body_too_large', detail: `body of ${rawBody.length} bytes exceeds the ${input.maxBytes}-byte limit` };
  }
  const hmac = header(headers, 'x-shopify-hmac-sha256');
  if (!hmac) return { ok: false, reason: 'missing_hmac', detail: 'X-Shopify-Hmac-Sha256 header is missing' };
  if (!hmacMatches(input.secrets, rawBody, hmac)) {
    return { ok: false, reason: 'invalid_hmac', detail: 'X-Shopify-Hmac-Sha256 does not match the body' };
  }
  const webhookId = header(headers, 'x-shopify-webhook-id');
  for (const required of ['x-shopify-webhook-id', 'x-shopify-topic', 'x-shopify-shop-domain']) {
    if (!header(headers, required)) {
      return { ok: false, reason: 'missing_header', detail: `${required} header is missing`, ...(webhookId ? { webhookId } : {}) };
    }
  }
  const shopDomain = header(headers, 'x-shopify-shop-domain')!.toLowerCase();
  if (shopDomain !== input.shopDomain.toLowerCase()) {
    return {
      ok: false,
      reason: 'unknown_shop',
      detail: `X-Shopify-Shop-Domain names a shop other than the configured one (got "${shopDomain.slice(0, 100)}")`,
      webhookId: webhookId!,
    };
  }
  let payload: unknown;
  try {
    payload = parseShopifyJson(rawBody.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: 'malformed_json', detail: `body is not valid JSON (${(error as Error).message})`, webhookId: webhookId! };
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return { ok: false, reason: 'malformed_json', detail: 'body is not a JSON object', webhookId: webhookId! };
  }
  return {
    ok: true,
    delivery: {
      rawBody,
      webhookId: webhookId!,
      topic: header(headers, 'x-shopify-topic')!,
      shopDomain,
      apiVersion: header(headers, 'x-shopify-api-version'),
      eventId: header(headers, 'x-shopify-event-id'),
      triggeredAt: header(headers, 'x-shopify-triggered-at'),
      payload: payload as Record<string, unknown>,
    },
  };
}
