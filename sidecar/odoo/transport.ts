/**
 * Odoo transports (docs/architecture.md, "Odoo versions"). JSON-RPC (`/jsonrpc`, via the
 * `json-rpc-2.0` library) for Odoo 17 and 18; JSON-2 (`/json/2/<model>/<method>`, Odoo 19+,
 * where `/jsonrpc` is deprecated) for Odoo 19; `auto` asks the server its version once and takes
 * JSON-2 from 19 on. Both authenticate with the integration user's API key (JSON-RPC: in place of
 * the password; JSON-2: `Authorization: bearer`) and turn every wire error into the same typed
 * OdooError (./errors.ts).
 */
import { JSONRPCClient } from 'json-rpc-2.0';
import { SIDECAR_VERSION } from '../version.js';
import {
  errorFromHttpStatus,
  errorFromOdooFault,
  OdooConfigurationError,
  OdooError,
  OdooPermanentError,
  OdooRetryableError,
  type OdooFault,
} from './errors.js';

export type OdooProtocol = 'jsonrpc' | 'json2';
/** What configuration may choose: a protocol, or `auto` (by the server's version). */
export type OdooProtocolSetting = OdooProtocol | 'auto';

/** The first Odoo major with JSON-2 (and where `/jsonrpc` is deprecated). */
export const JSON2_SINCE_MAJOR = 19;

export function protocolForMajor(major: number): OdooProtocol {
  return major >= JSON2_SINCE_MAJOR ? 'json2' : 'jsonrpc';
}

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
 * Odoo 19+ JSON-2: `POST /json/2/<model>/<method>` with named arguments only, the API key as a
 * bearer token and the database in `X-Odoo-Database`; every call is its own transaction. Contract
 * methods take one positional document, sent as the named argument `document` (every public
 * method of shopify.sync.api is `method(self, document)`); `ids`, `context` and other named
 * arguments go in kwargs. Success is HTTP 200 with the bare result; an error is a 4xx/5xx whose
 * body is Odoo's serialised exception (`{name, message, arguments, context, debug}`), classified
 * by name as JSON-RPC's are, else by HTTP status.
 */
export function createJson2Transport(options: TransportOptions): OdooTransport {
  const fetchFn = options.fetch ?? fetch;
  const headers = {
    authorization: `bearer ${options.apiKey}`,
    'x-odoo-database': options.db,
    'user-agent': `shopify-odoo-sidecar/${SIDECAR_VERSION}`,
  };
  return {
    async call(model, method, args, kwargs) {
      const context = `odoo ${model}.${method}`;
      if (args.length > 1) throw new OdooPermanentError(`${context}: JSON-2 takes named arguments only (got ${args.length} positional)`);
      const body = args.length === 1 ? { document: args[0], ...kwargs } : { ...kwargs };
      const url = `${options.url}/json/2/${encodeURIComponent(model)}/${encodeURIComponent(method)}`;
      const { status, body: answer } = await postJson(fetchFn, url, body, options.timeoutMs, headers);
      if (status === 200) {
        if (answer === undefined) throw new OdooRetryableError(`${context}: HTTP 200 but the answer is not JSON`, { httpStatus: status });
        return answer;
      }
      if (answer && typeof answer === 'object' && 'name' in answer) throw errorFromOdooFault(answer as OdooFault, context, status);
      throw errorFromHttpStatus(status, context);
    },
  };
}

export interface OdooServerVersion {
  /** 17, 18, 19, … (a SaaS release "saas~18.3" counts as 18). */
  major: number;
  /** As Odoo says it, e.g. "19.0". */
  version: string;
}

/**
 * The server's version, without logging in: `/web/webclient/version_info`, a JSON-RPC route of
 * Odoo's web client in 17, 18 and 19 (not the deprecated `/jsonrpc` endpoint). Unreachable or
 * 5xx: retryable; an answer that is not Odoo's: configuration (ODOO_URL).
 */
export async function detectOdooVersion(options: Pick<TransportOptions, 'url' | 'timeoutMs' | 'fetch'>): Promise<OdooServerVersion> {
  const context = 'odoo /web/webclient/version_info';
  const request = { jsonrpc: '2.0', method: 'call', params: {}, id: 1 };
  const { status, body } = await postJson(options.fetch ?? fetch, `${options.url}/web/webclient/version_info`, request, options.timeoutMs);
  if (status !== 200) throw errorFromHttpStatus(status, context);
  const result = (body as { result?: { server_version?: unknown; server_version_info?: unknown[] } } | null)?.result;
  const first = result?.server_version_info?.[0];
  const major = Number((typeof first === 'number' || typeof first === 'string' ? String(first) : '').replace(/^saas~/, ''));
  if (!result || !Number.isInteger(major) || major <= 0) {
    throw new OdooConfigurationError(`${context}: the answer is not Odoo's version (check ODOO_URL)`, { httpStatus: status });
  }
  return { major, version: typeof result.server_version === 'string' ? result.server_version : String(major) };
}

/**
 * `ODOO_PROTOCOL=auto`: asks the server its version on the first call (detectOdooVersion) and
 * uses JSON-2 from Odoo 19, JSON-RPC before; `onChosen` hears the choice once. A failed detection
 * is tried again on the next call.
 */
export function createAutoTransport(
  options: TransportOptions,
  onChosen?: (choice: OdooServerVersion & { protocol: OdooProtocol }) => void,
): OdooTransport {
  let chosen: Promise<OdooTransport> | undefined;
  const choose = async (): Promise<OdooTransport> => {
    const server = await detectOdooVersion(options);
    const protocol = protocolForMajor(server.major);
    onChosen?.({ ...server, protocol });
    return protocol === 'json2' ? createJson2Transport(options) : createJsonRpcTransport(options);
  };
  return {
    async call(model, method, args, kwargs) {
      chosen ??= choose().catch((error: unknown) => {
        chosen = undefined;
        throw error;
      });
      return (await chosen).call(model, method, args, kwargs);
    },
  };
}
