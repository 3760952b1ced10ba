/**
 * The Shopify simulator in a process of its own, for the full-sync bench (./sim-control.ts forks
 * it): `createSimulator` with the options of the first IPC message, listening on a free port of
 * 127.0.0.1, announced by `{ ready: url }`; then each `{ id, op, args }` message runs one of the
 * bench's operations (`simOperations`) and is answered `{ id, value }` or `{ id, error }`. With
 * `latencyMs` in the first message, each HTTP request waits that long before the simulator sees it
 * (a network round trip, for the bench's `--full-latency-ms`). When the
 * IPC channel closes (the bench closed it, ended or died), the server closes and the process ends.
 */
import type { AddressInfo } from 'node:net';
import { createSimulator } from '../sim/server.js';
import { simOperations, type FromChild, type SimOperations, type ToChild } from './sim-control.js';

const send = (m: FromChild) => process.send?.(m);

let closing: Promise<void> | undefined;
let close = (): Promise<void> => Promise.resolve();
process.on('disconnect', () => {
  closing ??= close().finally(() => process.exit(0));
});

let ops: SimOperations | undefined;
process.on('message', (m: ToChild) => {
  if ('start' in m) {
    const sim = createSimulator(m.start);
    ops = simOperations(sim, true);
    close = () => sim.close();
    const latencyMs = m.latencyMs ?? 0;
    sim.listen(0).then(
      (server) => {
        if (latencyMs > 0) {
          const handlers = server.listeners('request') as ((...a: unknown[]) => void)[];
          server.removeAllListeners('request');
          server.on('request', (...a: unknown[]) => setTimeout(() => handlers.forEach((h) => h(...a)), latencyMs));
        }
        send({ ready: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      },
      (error: Error) => send({ failed: error.message }),
    );
    return;
  }
  const run = () => Promise.resolve().then(() => (ops![m.op] as (...a: unknown[]) => unknown)(...m.args));
  run().then(
    (value) => send({ id: m.id, value }),
    (error: Error) => send({ id: m.id, error: `${m.op}: ${error.message}` }),
  );
});
