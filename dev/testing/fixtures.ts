/** Shopify's published sample webhook payloads (copied from the project brief's fixtures). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEBHOOK_FIXTURE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'shopify-webhooks');

/** Topic of a fixture file: `orders-create.json` → `orders/create`. */
export function webhookFixtures(): { topic: string; raw: Buffer }[] {
  return fs
    .readdirSync(WEBHOOK_FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ topic: f.replace(/\.json$/, '').replace('-', '/'), raw: fs.readFileSync(path.join(WEBHOOK_FIXTURE_DIR, f)) }));
}

export function webhookFixture(topic: string): Buffer {
  return fs.readFileSync(path.join(WEBHOOK_FIXTURE_DIR, `${topic.replace('/', '-')}.json`));
}
