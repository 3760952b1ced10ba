/**
 * Shopify's JSON, parsed exactly: integers beyond 2^53 (Shopify's numeric IDs exceed it) are kept
 * as their digits in a string, since JSON.parse would round them silently. Used by the webhook
 * intake (http/webhooks/verify.ts) and by whoever reads a stored payload back (the privacy flow).
 */
import { parse as parseLossless } from 'lossless-json';

export function parseShopifyJson(text: string): unknown {
  return parseLossless(text, null, (value: string) => {
    if (/^-?\d+$/.test(value)) {
      const asNumber = Number(value);
      return Number.isSafeInteger(asNumber) ? asNumber : value;
    }
    return Number(value);
  });
}
