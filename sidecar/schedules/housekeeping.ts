/**
 * Housekeeping: the webhook inbox keeps personal data (names, addresses, emails in payloads) only
 * for WEBHOOK_INBOX_RETENTION_DAYS; the rows (ids, topic, outcome) stay 30 days for dedupe and
 * audit. Runs hourly on the `webhooks.purge` queue (singleton: one replica at a time).
 */
import { defineFlow } from '../flows/define-flow.js';
import type { RegistrationContext } from '../flows/context.js';
import { purgeInbox } from '../inbox/inbox.js';

export const PURGE_CRON = '17 * * * *';

export async function purgeWebhookInbox(
  ctx: Pick<RegistrationContext, 'config' | 'pool' | 'clock'>,
): Promise<{ purged: number; deleted: number }> {
  return purgeInbox(ctx.pool, ctx.config.database.appSchema, ctx.config.webhooks.inboxRetentionDays, 30, ctx.clock());
}

export const housekeepingSchedule = defineFlow<RegistrationContext>({
  name: 'housekeeping',
  queues: {
    'webhooks.purge': {
      schedule: () => PURGE_CRON,
      async handle(ctx) {
        const result = await purgeWebhookInbox(ctx);
        return {
          outcome: 'purged',
          message: 'webhook inbox purged',
          fields: { ...result, retentionDays: ctx.config.webhooks.inboxRetentionDays },
        };
      },
    },
  },
});
