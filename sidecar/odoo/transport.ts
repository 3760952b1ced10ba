/**
 * Odoo transports. JSON-RPC (`/jsonrpc`, Odoo 17/18, via the `json-rpc-2.0` library) is the one
 * used today; JSON-2 (`/json/2/<model>/<method>`, Odoo 19+, where JSON-RPC is deprecated) is the
 * seam for the future. Both authenticate with the integration user's API key and turn every wire
 * error into a typed OdooError (./errors.ts).
 */
import { JSONRPCClient } from 'json-rpc-2.0';
import {
  errorFromHttpStatus,
  errorFromOdooFault,
  OdooConfigurationError,
  OdooError,
  OdooRetryableError,
  type OdooFault,
} from './errors.js';

export interface OdooTransport {
  call(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>): Promise<unknown>;
}

export interface TransportOptions {
  url: string;
  db: string;
  user: string;
  apiKey: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** POSTs JSON with a timeout; network failures and timeouts become retryable errors. */
async function postJson(
  fetchFn: typeof fetch,
  url: string,
  body: unknown,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : `connection failed (${(error as Error).message})`;
    throw new OdooRetryableError(`odoo ${new URL(url).pathname}: ${reason}`, { cause: error });
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed };
}

export function createJsonRpcTransport(options: TransportOptions): OdooTransport {
  const fetchFn = options.fetch ?? fetch;
  const endpoint = `${options.url}/jsonrpc`;
  // json-rpc-2.0 turns an exception thrown while sending into a generic error answer; keep the
  // typed OdooError per request id so callers still see its kind.
  const transportErrors = new Map<number, OdooError>();
  const client = new JSONRPCClient(async (request: { id: number }) => {
    try {
      const { status, body } = await postJson(fetchFn, endpoint, request, options.timeoutMs);
      if (status !== 200) throw errorFromHttpStatus(status, 'odoo /jsonrpc');
      if (!body || typeof body !== 'object') throw new OdooRetryableError('odoo /jsonrpc: answer is not JSON');
      const answer = body as Record<string, unknown>;
      // Odoo omits `result` when a method returns None; json-rpc-2.0 needs one of result/error.
      if (!('result' in answer) && !('error' in answer)) answer.result = null;
      client.receive(answer as never);
    } catch (error) {
      if (error instanceof OdooError) transportErrors.set(request.id, error);
      throw error;
    }
  });
  let counter = 0;
  let uid: Promise<number> | undefined;

  const rpc = async (service: string, method: string, args: unknown[], context: string): Promise<unknown> => {
    const id = ++counter;
    const response = await client.requestAdvanced({ jsonrpc: '2.0', id, method: 'call', params: { service, method, args } });
    const transportError = transportErrors.get(id);
    transportErrors.delete(id);
    if (transportError) throw transportError;
    if ('error' in response && response.error) {
      const error = response.error;
      const fault = (error as { data?: OdooFault }).data;
      if (!fault) throw new OdooRetryableError(`${context}: ${error.message}`);
      throw errorFromOdooFault(fault, context);
    }
    return (response as { result?: unknown }).result ?? null;
  };

  const login = async (): Promise<number> => {
    const result = await rpc('common', 'authenticate', [options.db, options.user, options.apiKey, {}], 'odoo login');
    if (typeof result !== 'number' || result <= 0) {
      throw new OdooConfigurationError(
        `odoo login: authentication failed for user "${options.user}" on database "${options.db}" (check ODOO_USER and ODOO_API_KEY)`,
      );
    }
    return result;
  };

  return {
    async call(model, method, args, kwargs) {
      uid ??= login().catch((error: unknown) => {
        uid = undefined; // a failed login is tried again on the next call
        throw error;
      });
      const userId = await uid;
      return rpc('object', 'execute_kw', [options.db, userId, options.apiKey, model, method, args, kwargs], `odoo ${model}.${method}`);
    },
  };
}

/**
 * Odoo 19+ JSON-2: named arguments only. Contract methods take one positional document, sent as
 * the named argument `document`; record methods pass `ids` in kwargs.
 */
export function createJson2Transport(options: TransportOptions): OdooTransport {
  const fetchFn = options.fetch ?? fetch;
  return {
    async call(model, method, args, kwargs) {
      const context = `odoo ${model}.${method}`;
      if (args.length > 1)
        throw new OdooError('permanent', `${context}: JSON-2 takes named arguments only (got ${args.length} positional)`);
      const body = args.length === 1 ? { document: args[0], ...kwargs } : { ...kwargs };
      const { status, body: answer } = await postJson(fetchFn, `${options.url}/json/2/${model}/${method}`, body, options.timeoutMs, {
        authorization: `bearer ${options.apiKey}`,
        'x-odoo-database': options.db,
      });
      if (status === 200) return answer;
      if (answer && typeof answer === 'object' && 'name' in answer) throw errorFromOdooFault(answer as OdooFault, context, status);
      throw errorFromHttpStatus(status, context);
    },
  };
}
