/** Job ids: deterministic ones dedupe a re-sent webhook or outbox event onto its existing job. */
import { createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A uuid for `id`: itself if it is one, else a name-based uuid of it (version 5 layout), so the
 * same outbox event or webhook always maps to the same job id. With `sequence`, a version 8 uuid
 * whose first 48 bits are the sequence, so ids sort in sequence order (Postgres compares uuids
 * bytewise) and the rest is the hash of `id`.
 */
export function deterministicJobId(id: string, sequence?: number | bigint): string {
  if (sequence === undefined && UUID.test(id)) return id.toLowerCase();
  const hash = createHash('sha1').update(`shopify-odoo-sync:job:${id}`).digest().subarray(0, 16);
  if (sequence === undefined) {
    hash[6] = (hash[6]! & 0x0f) | 0x50;
  } else {
    const value = BigInt(sequence);
    if (value < 0n || value >= 1n << 48n) throw new RangeError(`queue: sequence out of range (got ${value})`);
    hash.writeUIntBE(Number(value), 0, 6);
    hash[6] = (hash[6]! & 0x0f) | 0x80;
  }
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
