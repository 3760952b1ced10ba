/**
 * The network of `make chaos`: a TCP proxy in front of Odoo that an outage takes down (its
 * connections cut, new ones refused, as when Odoo's server stops), and the load balancer that
 * spreads Shopify's webhook deliveries over the live sidecar replicas (a replica that refuses the
 * connection is skipped, as a Kubernetes Service or a reverse proxy with health checks does).
 */
import http from 'node:http';
import net from 'node:net';

export interface OutageProxy {
  url: string;
  /** Cuts every connection and refuses new ones until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startOutageProxy(target: { host: string; port: number }, port: number): Promise<OutageProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });
  await listen();
  // up() while up changes nothing.
  const up = () => (server ? Promise.resolve() : listen());
  return { url: `http://127.0.0.1:${port}`, down: stop, up, close: stop };
}

export interface Balancer {
  url: string;
  close(): Promise<void>;
}

/** Round robin over `upstreams()` (ports); the next one is tried when a replica refuses the connection. */
export async function startBalancer(upstreams: () => number[]): Promise<Balancer> {
  let next = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const ports = upstreams();
      const tryAt = (i: number) => {
        if (i >= ports.length) {
          res.writeHead(502).end();
          return;
        }
        const port = ports[(next + i) % ports.length]!;
        const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', (error: NodeJS.ErrnoException) => {
          if (error.code === 'ECONNREFUSED' && !res.headersSent) tryAt(i + 1);
          else if (!res.headersSent) res.writeHead(502).end();
          else res.destroy();
        });
        upstream.end(body);
      };
      next += 1;
      tryAt(0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
