/**
 * A child process for sidecar/queue/boss-db.test.ts: opens a pg-boss database adapter (pg-boss's
 * own, or the sidecar's ResilientBossDb), starts LISTEN, has PostgreSQL terminate the listening
 * session (57P01, as in a restart or failover) and closes the listener right after, up to `rounds`
 * times, stopping once an error went unheard. Counts the errors nobody heard (uncaught exceptions,
 * which would end a process without this handler) and prints `{"uncaught": n}`.
 *
 *   node --import tsx dev/testing/listen-race.ts <pg-boss|resilient> <database url> <rounds>
 */
import pg from 'pg';
import Db from 'pg-boss/dist/db.js';
import { ResilientBossDb } from '../../sidecar/queue/boss-db.js';

const [kind, url, roundsArg] = process.argv.slice(2);
if ((kind !== 'pg-boss' && kind !== 'resilient') || !url) throw new Error('usage: listen-race.ts <pg-boss|resilient> <url> <rounds>');
const APP = `listen-race-${process.pid}`;
let uncaught = 0;
process.on('uncaughtException', () => {
  uncaught += 1;
});

const admin = new pg.Client({ connectionString: url });
await admin.connect();
for (let round = 0; round < Number(roundsArg ?? 10) && uncaught === 0; round++) {
  const options = { connectionString: url, max: 2, application_name: APP };
  const db = kind === 'pg-boss' ? new Db(options) : new ResilientBossDb(options);
  db.on('error', () => undefined);
  await db.open();
  const handle = await db.listen(
    'listen_race',
    () => undefined,
    () => undefined,
  );
  // Once this returns, the server has signalled the session; its 57P01 reaches the client later.
  await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [APP]);
  await handle.close();
  await db.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
}
await admin.end();
process.stdout.write(`${JSON.stringify({ uncaught })}\n`);
process.exit(0);
