/**
 * Shopify global IDs. The simulator uses small numeric IDs (Shopify's real ones exceed 2^53) but
 * always exposes them as GIDs, `gid://shopify/<Type>/<n>`, as the Admin API does. Pure.
 */
export function gid(type: string, id: number | string): string {
  return `gid://shopify/${type}/${id}`;
}

/** The numeric part of a GID of the expected type, or undefined when it is not one. */
export function parseGid(value: unknown, type: string): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(\?.*)?$/.exec(value);
  if (!match || match[1] !== type) return undefined;
  return Number(match[2]);
}

export function inventoryLevelGid(locationId: number, inventoryItemId: number): string {
  return `gid://shopify/InventoryLevel/${locationId}?inventory_item_id=${inventoryItemId}`;
}

export function parseInventoryLevelGid(value: string): { locationId: number; inventoryItemId: number } | undefined {
  const match = /^gid:\/\/shopify\/InventoryLevel\/(\d+)\?inventory_item_id=(\d+)$/.exec(value);
  if (!match) return undefined;
  return { locationId: Number(match[1]), inventoryItemId: Number(match[2]) };
}
