/**
 * Shopify's JSON, parsed exactly: integers beyond 2^53 (Shopify's numeric IDs exceed it) are kept
 * as their digits in a string, since JSON.parse would round them silently. Used by the webhook
 * intake (http/webhooks/verify.ts) and by whoever reads a stored payload back (the privacy flow).
 *
 * The webhook intake parses every delivery, and lossless-json (a parser in JavaScript) was the
 * largest part of its CPU under a burst (docs/operations.md, "Webhook burst"). So the text is
 * given to the native JSON.parse with each integer beyond 2^53 outside a string first put in
 * quotes; a document whose keys do not all survive (a key twice, which lossless-json refuses when
 * the values differ) is parsed by lossless-json instead, so both give the same answer.
 */
import { parse as parseLossless } from 'lossless-json';

export function parseShopifyJson(text: string): unknown {
  // Without an escaped quote, every quote ends or starts a string: the plain patterns are exact (and faster).
  const patterns = text.includes('\\"') ? ESCAPE_AWARE : PLAIN;
  const quoted = quoteUnsafeIntegers(text, patterns.quote);
  let fast: unknown;
  try {
    fast = JSON.parse(quoted);
  } catch {
    return parseExactly(text);
  }
  return countKeys(fast) === (text.match(patterns.keyEnd)?.length ?? 0) ? fast : parseExactly(text);
}

function parseExactly(text: string): unknown {
  return parseLossless(text, null, (value: string) => {
    if (/^-?\d+$/.test(value)) {
      const asNumber = Number(value);
      return Number.isSafeInteger(asNumber) ? asNumber : value;
    }
    return Number(value);
  });
}

/** An integer of 16 digits or more (below that every integer is safe), not the start of a decimal. */
const LONG_INTEGER = /-?\d{16,}(?![\d.eE])/g;
/**
 * `quote`: a quote that ends or starts a string, i.e. not escaped (after an even run of
 * backslashes); `keyEnd`: the end of an object key, such a quote and a colon (inside a string
 * a quote is escaped).
 */
const ESCAPE_AWARE = { quote: /(?<!\\)(?:\\\\)*"/g, keyEnd: /(?<!\\)(?:\\\\)*"\s*:/g };
const PLAIN = { quote: /"/g, keyEnd: /"\s*:/g };

/** `text` with every unsafe integer outside strings in quotes (its digits, as parseExactly gives). */
function quoteUnsafeIntegers(text: string, quote: RegExp): string {
  let out = '';
  let copied = 0;
  let quotes = 0;
  for (const match of text.matchAll(LONG_INTEGER)) {
    const at = match.index;
    // Outside a string when an even number of string quotes come before it.
    quotes += text.slice(copied, at).match(quote)?.length ?? 0;
    if (quotes % 2 === 0 && !Number.isSafeInteger(Number(match[0]))) {
      out += `${text.slice(copied, at)}"${match[0]}"`;
    } else {
      out += text.slice(copied, at + match[0].length);
    }
    copied = at + match[0].length;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Every key of every object in a parsed document. */
function countKeys(value: unknown): number {
  let n = 0;
  if (Array.isArray(value)) {
    for (const v of value) n += countKeys(v);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) n += 1 + countKeys(v);
  }
  return n;
}
