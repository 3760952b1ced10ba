/**
 * The Odoo client: an OdooCaller over a swappable transport (JSON-RPC for Odoo 17/18, JSON-2 for
 * 19+), with one log line per failed call and a hook for call latency metrics.
 */
import type { Logger } from '../observability/logger.js';
import { OdooError } from './errors.js';
import { createJson2Transport, createJsonRpcTransport, type OdooTransport } from './transport.js';
import type { OdooCaller } from './types.js';

export interface OdooClientOptions {
  url: string;
  db: string;
  user: string;
  apiKey: string;
  protocol: 'jsonrpc' | 'json2';
  requestTimeoutMs: number;
  logger?: Logger;
  fetch?: typeof fetch;
  /** Called after every call with its duration and outcome (metrics). */
  onCall?: (event: { model: string; method: string; seconds: number; outcome: 'ok' | OdooError['kind'] }) => void;
  /** Tests inject a transport directly. */
  transport?: OdooTransport;
}

export function createOdooClient(options: OdooClientOptions): OdooCaller {
  const transportOptions = {
    url: options.url,
    db: options.db,
    user: options.user,
    apiKey: options.apiKey,
    timeoutMs: options.requestTimeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const transport =
    options.transport ?? (options.protocol === 'json2' ? createJson2Transport(transportOptions) : createJsonRpcTransport(transportOptions));
  return Object.freeze({
    async executeKw<T>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<T> {
      const started = performance.now();
      try {
        const result = (await transport.call(model, method, args, kwargs)) as T;
        options.onCall?.({ model, method, seconds: (performance.now() - started) / 1000, outcome: 'ok' });
        return result;
      } catch (error) {
        const kind = error instanceof OdooError ? error.kind : 'retryable';
        options.onCall?.({ model, method, seconds: (performance.now() - started) / 1000, outcome: kind });
        options.logger?.warn('odoo call failed', { model, method, kind, error });
        throw error;
      }
    },
  });
}
