/**
 * The outbox area of the contract (the addon's models/shopify_sync_api_outbox.py): pull_events
 * leases pending events (and expired leases) to the sidecar, one per type and key of the
 * coalesced types, and ack_events marks them done.
 */
import type { ContractParams, ContractResult } from '../../../sidecar/odoo/contract.js';
import { COALESCED_TYPES, type DoubleCore } from '../core.js';
import { validationError } from '../errors.js';
import type { OutboxRow } from '../state.js';

export function pullEvents(core: DoubleCore, doc: ContractParams<'pull_events'>): ContractResult<'pull_events'> {
  const limit = doc.limit ?? 100;
  const leaseSeconds = doc.lease_seconds ?? 60;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw validationError('pull_events: limit must be an integer from 1 to 1000');
  if (typeof leaseSeconds !== 'number' || !Number.isInteger(leaseSeconds) || leaseSeconds < 1 || leaseSeconds > 3600)
    throw validationError('pull_events: lease_seconds must be an integer from 1 to 3600');
  core.state.lastSidecarContact = core.nowIso();
  const { leased, absorbed } = leaseDue(core, limit);
  const now = core.now();
  for (const e of leased) {
    e.state = 'leased';
    e.leased_until = now + leaseSeconds * 1000;
    e.attempts += 1;
  }
  for (const e of absorbed) {
    e.state = 'done';
    e.leased_until = 0;
  }
  return {
    events: leased.map(({ uuid, type, model, res_id, key, payload, created_at, attempts }) => ({
      uuid,
      type,
      model,
      res_id,
      key,
      payload,
      created_at,
      attempts,
    })),
  };
}

/**
 * The addon's `_lease` (models/shopify_sync_event.py): pending events and expired leases, oldest
 * first, until `limit` events are leased. Of a coalesced type one event per (type, key) is
 * leased; the other rows of that pair on the page, and its pending rows beyond it, are absorbed
 * (marked done): the sidecar re-reads the current state after the lease, which covers them.
 */
function leaseDue(core: DoubleCore, limit: number): { leased: OutboxRow[]; absorbed: Set<OutboxRow> } {
  const now = core.now();
  const pair = (e: OutboxRow) => JSON.stringify([e.type, e.key]);
  const leased: OutboxRow[] = [];
  const kept = new Set<string>();
  const absorbed = new Set<OutboxRow>();
  for (const e of core.state.outbox) {
    if (leased.length >= limit) break;
    if (e.state !== 'pending' && !(e.state === 'leased' && e.leased_until < now)) continue;
    if (COALESCED_TYPES.has(e.type)) {
      if (kept.has(pair(e))) {
        absorbed.add(e);
        continue;
      }
      kept.add(pair(e));
    }
    leased.push(e);
  }
  for (const e of core.state.outbox) if (e.state === 'pending' && kept.has(pair(e)) && !leased.includes(e)) absorbed.add(e);
  return { leased, absorbed };
}

export function ackEvents(core: DoubleCore, doc: ContractParams<'ack_events'>): ContractResult<'ack_events'> {
  const uuids: unknown = doc.uuids;
  if (!Array.isArray(uuids) || !uuids.every((u) => typeof u === 'string'))
    throw validationError('ack_events: uuids must be a list of strings');
  const wanted = new Set(uuids);
  let acknowledged = 0;
  for (const e of core.state.outbox) {
    if (e.state !== 'done' && wanted.has(e.uuid)) {
      e.state = 'done';
      e.leased_until = 0;
      acknowledged += 1;
    }
  }
  return { acknowledged };
}
