/**
 * A throwaway PostgreSQL in a process of its own (started by `startDetachedPostgres`, ./postgres.ts):
 * sends its URL to the parent, stops the server when the parent says `stop` or goes away.
 */
import { startThrowawayPostgres } from './postgres.js';

const server = await startThrowawayPostgres();
let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
}
process.on('message', (message) => {
  if (message === 'stop') void stop();
});
// The parent died without saying so: leave nothing running behind it.
process.on('disconnect', () => void stop());
process.send?.({ url: server.url });
