import assert from 'node:assert/strict';
import { isCountryCode, isWebhookSubscriptionTopic } from './enums.js';

describe('shopify enums checked at run time', () => {
  it("takes a value of the pinned schema's CountryCode, and nothing else", () => {
    const table: Array<[string, boolean]> = [
      ['BE', true],
      ['US', true],
      ['XK', true], // Kosovo: a Shopify code that ISO 3166-1 does not assign
      ['be', false],
      ['XX', false],
      ['BEL', false],
      ['', false],
    ];
    for (const [code, known] of table) assert.equal(isCountryCode(code), known, code);
  });

  it("takes a value of the pinned schema's WebhookSubscriptionTopic, and nothing else", () => {
    const table: Array<[string, boolean]> = [
      ['ORDERS_CREATE', true],
      ['INVENTORY_LEVELS_UPDATE', true],
      ['orders/create', false],
      ['ORDERS_BOGUS', false],
    ];
    for (const [topic, known] of table) assert.equal(isWebhookSubscriptionTopic(topic), known, topic);
  });
});
