/**
 * Serves the Odoo double as a fake Odoo JSON-RPC endpoint (`POST /jsonrpc`), so the real
 * JSON-RPC client (and the demo's sidecar process) can talk to it over HTTP exactly as to Odoo
 * 18: `common.authenticate` returns a uid or `false`; `object.execute_kw` checks the key on every
 * call; errors are Odoo's shape `{"error":{"code":200,"message":"Odoo Server Error","data":
 * {"name","message","arguments","context","debug"}}}` with HTTP 200;
 * a method returning None has no `result` key.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OdooDouble } from './double.js';
import { OdooFaultError } from './errors.js';

export interface OdooDoubleServerOptions {
  db: string;
  login: string;
  apiKey: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  host?: string;
}

export interface OdooDoubleServer {
  url: string;
  close(): Promise<void>;
}

const UID = 2;
/** What Odoo 18's common.version and /web/webclient/version_info answer (odoo/service/common.py). */
const VERSION_INFO = { server_version: '18.0', server_version_info: [18, 0, 0, 'final', 0, ''], server_serie: '18.0', protocol_version: 1 };
const fault = (name: string, message: string) => ({
  code: 200,
  message: 'Odoo Server Error',
  data: { name, debug: '', message, arguments: [message], context: {} },
});

export async function serveOdooDouble(odoo: OdooDouble, options: OdooDoubleServerOptions): Promise<OdooDoubleServer> {
  const answer = (params: { service?: string; method?: string; args?: unknown[] }): { result?: unknown; error?: unknown } => {
    const args = params.args ?? [];
    if (params.service === 'common' && (params.method === 'authenticate' || params.method === 'login')) {
      const [db, login, key] = args;
      // Bad credentials answer `false`, not an error (odoo/service/common.py).
      return { result: db === options.db && login === options.login && key === options.apiKey ? UID : false };
    }
    if (params.service === 'common' && params.method === 'version') {
      return { result: VERSION_INFO };
    }
    if (params.service === 'object' && (params.method === 'execute_kw' || params.method === 'execute')) {
      const [db, uid, key, model, method, callArgs, kwargs] = args as [
        string,
        number,
        string,
        string,
        string,
        unknown[],
        Record<string, unknown> | undefined,
      ];
      if (db !== options.db || uid !== UID || key !== options.apiKey)
        return { error: fault('odoo.exceptions.AccessDenied', 'Access Denied') };
      try {
        const result = odoo.dispatch(model, method, callArgs ?? [], kwargs ?? {});
        return result === null || result === undefined ? {} : { result };
      } catch (error) {
        if (error instanceof OdooFaultError) return { error: fault(error.fault.name, error.fault.message) };
        const name = error instanceof Error ? error.name : 'Exception';
        return { error: fault(`builtins.${name}`, error instanceof Error ? error.message : String(error)) };
      }
    }
    return { error: fault('werkzeug.exceptions.NotFound', `unknown service ${String(params.service)}.${String(params.method)}`) };
  };

  const server = http.createServer((req, res) => {
    // /web/webclient/version_info: the JSON route the sidecar reads the version from before
    // logging in (ODOO_PROTOCOL=auto picks the transport by it).
    const route = req.url === '/web/webclient/version_info' ? 'version' : req.url === '/jsonrpc' ? 'jsonrpc' : null;
    if (req.method !== 'POST' || route === null) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let request: { id?: unknown; params?: { service?: string; method?: string; args?: unknown[] } };
      try {
        request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof request;
      } catch {
        res.writeHead(400).end();
        return;
      }
      const reply = route === 'version' ? { result: VERSION_INFO } : answer(request.params ?? {});
      const body = { jsonrpc: '2.0', id: request.id ?? null, ...reply };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
