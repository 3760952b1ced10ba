/**
 * The outbox area of the contract (the addon's models/shopify_sync_api_outbox.py): pull_events
 * leases pending events (and expired leases) to the sidecar, ack_events marks them done.
 */
import type { ContractParams, ContractResult } from '../../../sidecar/odoo/contract.js';
import type { DoubleCore } from '../core.js';
import { validationError } from '../errors.js';

export function pullEvents(core: DoubleCore, doc: ContractParams<'pull_events'>): ContractResult<'pull_events'> {
  const limit = doc.limit ?? 100;
  const lease = doc.lease_seconds ?? 60;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw validationError('pull_events: limit must be an integer from 1 to 1000');
  if (typeof lease !== 'number' || !Number.isInteger(lease) || lease < 1 || lease > 3600)
    throw validationError('pull_events: lease_seconds must be an integer from 1 to 3600');
  core.state.lastSidecarContact = core.nowIso();
  const now = core.now();
  const due = core.state.outbox.filter((e) => e.state === 'pending' || (e.state === 'leased' && e.leased_until < now)).slice(0, limit);
  for (const e of due) {
    e.state = 'leased';
    e.leased_until = now + lease * 1000;
    e.attempts += 1;
  }
  return {
    events: due.map(({ uuid, type, model, res_id, key, payload, created_at, attempts }) => ({
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
