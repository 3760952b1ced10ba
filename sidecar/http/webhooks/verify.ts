/**
 * Shopify webhook verification (pure). Checks run in a fixed order — size → HMAC → headers →
 * JSON — and return a result with a reason instead of throwing; `statusFor` is the one place
 * that maps reasons to HTTP statuses (the shape of Shopify's own shopify-app-js validation).
 *
 * HMAC: base64(HMAC-SHA256(app secret, raw body)) in X-Shopify-Hmac-Sha256, compared in
 * constant time. During secret rotation every configured secret is tried.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseShopifyJson } from '../../inbox/json.js';

export interface WebhookDelivery {
  webhookId: string;
  topic: string;
  shopDomain: string;
  apiVersion: string | undefined;
  eventId: string | undefined;
  triggeredAt: string | undefined;
  payload: Record<string, unknown>;
}

export type RejectionReason = 'body_too_large' | 'missing_hmac' | 'invalid_hmac' | 'missing_header' | 'malformed_json';

export type VerificationResult =
  { ok: true; delivery: WebhookDelivery } | { ok: false; reason: RejectionReason; detail: string; webhookId?: string };

export function statusFor(reason: RejectionReason): number {
  switch (reason) {
    case 'body_too_large':
      return 413;
    case 'missing_hmac':
    case 'invalid_hmac':
      return 401;
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
      webhookId: webhookId!,
      topic: header(headers, 'x-shopify-topic')!,
      shopDomain: header(headers, 'x-shopify-shop-domain')!,
      apiVersion: header(headers, 'x-shopify-api-version'),
      eventId: header(headers, 'x-shopify-event-id'),
      triggeredAt: header(headers, 'x-shopify-triggered-at'),
      payload: payload as Record<string, unknown>,
    },
  };
}
