/**
 * The privacy alert's source (docs/operations.md, "Privacy requests"): privacy requests not done
 * `privacyDueDays` before their due date, as Odoo lists them (open_privacy_requests), and
 * compliance deliveries the sidecar has not handled by then (which Odoo may never have seen).
 * When Odoo does not answer, the last list it gave stands, so an outage neither resolves nor
 * re-fires those alerts.
 */
import type pg from 'pg';
import { quoteIdent } from '../../db/migrate.js';
import type { Condition } from '../../observability/alerts.js';
import { privacyDueConditions, type OpenPrivacyRequest } from '../../observability/coverage.js';
import type { Logger } from '../../observability/logger.js';
import type { OdooContract } from '../../odoo/contract.js';

const DAY = 86_400_000;
const DUE_DAYS = 30;
const COMPLIANCE_TOPICS = ['customers/data_request', 'customers/redact', 'shop/redact'];

export function createPrivacyDueSource(deps: {
  contract: Pick<OdooContract, 'openPrivacyRequests'>;
  pool: Pick<pg.Pool, 'query'>;
  schema: string;
  logger: Logger;
  warnDays: number;
}): (at: number) => Promise<Condition[]> {
  let known: OpenPrivacyRequest[] = [];
  return async (at) => {
    const dueBefore = new Date(at + deps.warnDays * DAY).toISOString().slice(0, 10);
    try {
      known = (await deps.contract.openPrivacyRequests({ due_before: dueBefore })).requests;
    } catch (error) {
      deps.logger.warn('privacy requests: Odoo did not answer; the last list it gave stands', { error });
    }
    const { rows } = await deps.pool.query<{ webhook_id: string; topic: string; received_at: Date }>(
      `SELECT webhook_id, topic, received_at FROM ${quoteIdent(deps.schema)}.webhook_inbox
        WHERE topic = ANY($1::text[]) AND status IN ('queued', 'failed')
          AND received_at <= to_timestamp($2 / 1000.0) - make_interval(days => $3)
        ORDER BY received_at`,
      [COMPLIANCE_TOPICS, at, DUE_DAYS - deps.warnDays],
    );
    const unhandled = rows.map((r) => ({ webhookId: r.webhook_id, topic: r.topic, receivedAt: r.received_at }));
    return privacyDueConditions({ requests: known, unhandled, warnDays: deps.warnDays });
  };
}
