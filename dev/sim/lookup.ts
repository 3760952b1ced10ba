/**
 * Indexed lookups of levels and inventory items, for catalogs of tens of thousands of levels (the
 * full inventory measure of `make bench`): the same answers as a `find` over the state's arrays.
 *
 * The index belongs to the array it was built from (a WeakMap keyed by the array), so an array
 * the simulator replaces (`levels = levels.filter(…)`, a reset, a loaded state) is indexed anew;
 * entries appended since are found by a scan of the new tail, and a hit is checked against the
 * key before it is returned. The simulator never removes elements in place.
 */
import type { SimState } from './state.js';

type Level = SimState['levels'][number];
type Item = SimState['inventoryItems'][number];

interface Index<T> {
  byKey: Map<string, T>;
  /** Elements of the array indexed so far. */
  seen: number;
}

const levelIndexes = new WeakMap<Level[], Index<Level>>();
const itemIndexes = new WeakMap<Item[], Index<Item>>();

function lookup<T>(indexes: WeakMap<T[], Index<T>>, list: T[], keyOf: (x: T) => string, key: string): T | undefined {
  let index = indexes.get(list);
  if (!index) indexes.set(list, (index = { byKey: new Map(), seen: 0 }));
  for (; index.seen < list.length; index.seen += 1) {
    const x = list[index.seen]!;
    // The first element with a key wins, as `find` would.
    if (!index.byKey.has(keyOf(x))) index.byKey.set(keyOf(x), x);
  }
  const hit = index.byKey.get(key);
  return hit !== undefined && keyOf(hit) === key ? hit : undefined;
}

const levelKey = (l: Level) => `${l.inventoryItemId}@${l.locationId}`;

export function levelOf(state: SimState, inventoryItemId: number | undefined, locationId: number | undefined): Level | undefined {
  return lookup(levelIndexes, state.levels, levelKey, `${inventoryItemId}@${locationId}`);
}

export function inventoryItemOf(state: SimState, id: number | undefined): Item | undefined {
  return lookup(itemIndexes, state.inventoryItems, (i) => String(i.id), String(id));
}
