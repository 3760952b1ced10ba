/**
 * The Odoo client: an OdooCaller over a swappable transport (JSON-RPC for Odoo 17/18, JSON-2 for
 * 19+, or `auto`: by the server's version), with one log line per failed call and a hook for call
 * latency metrics.
 */
import type { Logger } from '../observability/logger.js';
import { OdooError } from './errors.js';
import {
  createAutoTransport,
  createJson2Transport,
  createJsonRpcTransport,
  type OdooProtocolSetting,
  type OdooTransport,
  type TransportOptions,
} from './transport.js';
import type { OdooCaller } from './types.js';

export interface OdooClientOptions {
  url: string;
  db: string;
  user: string;
  apiKey: string;
  protocol: OdooProtocolSetting;
  requestTimeoutMs: number;
  logger?: Logger;
  fetch?: typeof fetch;
  /** Called after every call with its duration and outcome (metrics). */
  onCall?: (event: { model: string; method: string; seconds: number; outcome: 'ok' | OdooError['kind'] }) => void;
  /** Tests inject a transport directly. */
  transport?: OdooTransport;
}

function createTransport(protocol: OdooProtocolSetting, options: TransportOptions, logger?: Logger): OdooTransport {
  if (protocol === 'json2') return createJson2Transport(options);
  if (protocol === 'jsonrpc') return createJsonRpcTransport(options);
  return createAutoTransport(options, (choice) =>
    logger?.info('odoo transport chosen', { odooVersion: choice.version, protocol: choice.protocol }),
  );
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
  const transport = options.transport ?? createTransport(options.protocol, transportOptions, options.logger);
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
