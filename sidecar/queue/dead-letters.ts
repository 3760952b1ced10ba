/**
 * Dead letters: each flow queue's `<queue>.dlq` holds a copy of every job that failed for good
 * (docs/queues.md). On key_strict_fifo queues the failed source job keeps blocking its key, so
 * retrying re-queues the source job itself (it runs before its key's successors) and discarding
 * deletes it; both remove the copy from the DLQ in the same transaction.
 */
import type { Db, JobWithMetadata, PgBoss } from 'pg-boss';
import type { Logger } from '../observability/logger.js';
import { dlqName, type QueueName } from './names.js';
import type { DeadLetter, Envelope, FailureOutput, InspectedDeadLetter } from './types.js';

type DeadJob = JobWithMetadata<Envelope<unknown>>;

/** A DLQ job as operators see it: the source job's payload, key and failure. Pure. */
export function toDeadLetter(queue: QueueName, job: DeadJob): DeadLetter {
  const output = (job.sourceOutput ?? null) as Partial<FailureOutput> | null;
  return {
    id: job.id,
    queue,
    sourceJobId: job.sourceId,
    key: job.singletonKey,
    data: job.data?.payload,
    correlationId: job.data?.correlationId ?? null,
    kind: output?.kind ?? null,
    reason: output?.reason ?? null,
    attempts: job.sourceRetryCount === null ? null : job.sourceRetryCount + 1,
    deadLetteredAt: job.createdOn,
  };
}

async function findDeadJob(boss: PgBoss, queue: QueueName, id: string): Promise<DeadJob | null> {
  const [job] = await boss.findJobs<Envelope<unknown>>(dlqName(queue), { id });
  return job ?? null;
}

async function requireDeadJob(boss: PgBoss, queue: QueueName, id: string): Promise<DeadJob> {
  const job = await findDeadJob(boss, queue, id);
  if (!job) throw new Error(`queue: no dead letter ${id} in ${dlqName(queue)}`);
  return job;
}

/** Runs `fn` in one transaction on a connection of pg-boss's pool. */
async function inTransaction<R>(boss: PgBoss, fn: (db: Db) => Promise<R>): Promise<R> {
  const database = boss.getDb();
  if (!database.beginTransaction) throw new Error('queue: pg-boss database cannot open a transaction');
  const tx = await database.beginTransaction();
  try {
    const result = await fn(tx.db);
    await tx.commit();
    return result;
  } catch (error) {
    await tx.rollback();
    throw error;
  }
}

export async function listDeadLetters(boss: PgBoss, queue: QueueName, limit = 100): Promise<DeadLetter[]> {
  const jobs = await boss.findJobs<Envelope<unknown>>(dlqName(queue), { queued: true, limit });
  return jobs.map((job) => toDeadLetter(queue, job));
}

export async function inspectDeadLetter(boss: PgBoss, queue: QueueName, id: string): Promise<InspectedDeadLetter | null> {
  const job = await findDeadJob(boss, queue, id);
  if (!job) return null;
  const source = job.sourceId ? (await boss.findJobs(queue, { id: job.sourceId }))[0] : undefined;
  return { ...toDeadLetter(queue, job), sourceState: source?.state ?? null, output: job.sourceOutput };
}

export async function retryDeadLetter(boss: PgBoss, logger: Logger, queue: QueueName, id: string): Promise<'retried' | 'resent'> {
  const job = await requireDeadJob(boss, queue, id);
  return inTransaction(boss, async (db) => {
    // Re-queue the failed source job itself: it is its key's head, so it runs before the
    // successors it was blocking. pg-boss's retry() gives it one more attempt.
    // CommandResponse is declared empty in 12.38's types; at run time it carries `affected`.
    const retried = (job.sourceId ? await boss.retry(queue, job.sourceId, { db }) : { affected: 0 }) as { affected?: number };
    let outcome: 'retried' | 'resent' = 'retried';
    if (!retried.affected) {
      // The source job is gone (deleted after deleteAfterSeconds): send the payload again.
      await boss.send(queue, job.data as object, { db, ...(job.singletonKey ? { singletonKey: job.singletonKey } : {}) });
      outcome = 'resent';
    }
    await boss.deleteJob(dlqName(queue), id, { db });
    logger.info('queue: dead letter retried', { queue, deadLetterId: id, sourceJobId: job.sourceId, outcome });
    return outcome;
  });
}

export async function discardDeadLetter(boss: PgBoss, logger: Logger, queue: QueueName, id: string): Promise<void> {
  const job = await requireDeadJob(boss, queue, id);
  await inTransaction(boss, async (db) => {
    if (job.sourceId) {
      const [source] = await boss.findJobs(queue, { id: job.sourceId, db });
      if (source?.state === 'failed') await boss.deleteJob(queue, job.sourceId, { db });
    }
    await boss.deleteJob(dlqName(queue), id, { db });
  });
  logger.warn('queue: dead letter discarded', { queue, deadLetterId: id, sourceJobId: job.sourceId, key: job.singletonKey });
}
