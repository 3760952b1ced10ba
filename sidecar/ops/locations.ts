/**
 * The shop's locations (admin API GET /admin/api/shopify/locations), for Odoo's location mapping:
 * a manager picks a warehouse per location instead of typing GIDs.
 */
import type { LocationsQuery, ShopifyClient } from '../shopify/index.js';

export type ShopLocation = Pick<LocationsQuery['locations']['nodes'][number], 'id' | 'name' | 'isActive'>;

export async function listLocations(shopify: ShopifyClient): Promise<ShopLocation[]> {
  const out: ShopLocation[] = [];
  let after: string | null = null;
  for (;;) {
    const page: LocationsQuery = await shopify.request('Locations', { first: 50, after }, { lane: 'catalog' });
    out.push(...page.locations.nodes.map((l) => ({ id: l.id, name: l.name, isActive: l.isActive })));
    if (!page.locations.pageInfo.hasNextPage) return out;
    after = page.locations.pageInfo.endCursor;
  }
}
