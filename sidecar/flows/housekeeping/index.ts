/**
 * Housekeeping: the webhook inbox keeps personal data (names, addresses, emails in payloads) only
 * for WEBHOOK_INBOX_RETENTION_DAYS; the rows (ids, topic, outcome) stay 30 days for dedupe and
 * audit. Runs hourly on the `webhooks.purge` queue (singleton: one replica at a time).
 */
import { purgeInbox } from '../../http/webhooks/inbox.js';
import type { Flow, FlowContext } from '../context.js';

export const PURGE_CRON = '17 * * * *';

export async function purgeWebhookInbox(
  ctx: Pick<FlowContext, 'config' | 'pool' | 'logger'>,
): Promise<{ purged: number; deleted: number }> {
  const result = await purgeInbox(ctx.pool, ctx.config.database.appSchema, ctx.config.webhooks.inboxRetentionDays);
  ctx.logger.info('webhook inbox purged', { ...result, retentionDays: ctx.config.webhooks.inboxRetentionDays });
  return result;
}

export const housekeepingFlow: Flow = {
  name: 'housekeeping',
  async register(ctx) {
    await ctx.queue.work('webhooks.purge', async () => {
      await purgeWebhookInbox(ctx);
    });
    await ctx.queue.schedule('webhooks.purge', PURGE_CRON);
  },
};
