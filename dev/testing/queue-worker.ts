/**
 * A child process for the crash-recovery tests (sidecar/queue/recovery.test.ts): starts the queue
 * on `orders` and works it with a handler that never returns, printing `running <job id>` when a
 * job starts, so the test can SIGKILL this process while the job is active.
 *
 *   node --import tsx dev/testing/queue-worker.ts <database url> <schema>
 */
import { createLogger } from '../../sidecar/observability/logger.js';
import { createQueue } from '../../sidecar/queue/queue.js';
import { MemoryTransport } from './memory-transport.js';

const [url, schema] = process.argv.slice(2);
if (!url || !schema) throw new Error('usage: queue-worker.ts <database url> <schema>');
const queue = createQueue({
  connectionString: url,
  schema,
  logger: createLogger({ transports: [new MemoryTransport()] }),
  queues: ['orders'],
  retry: { limit: 3, delaySeconds: 30, delayMaxSeconds: 60 },
  pollingIntervalSeconds: 0.5,
});
await queue.start();
await queue.work('orders', async ({ jobId }) => {
  process.stdout.write(`running ${jobId}\n`);
  await new Promise(() => undefined);
});
process.stdout.write('ready\n');
