/**
 * Shopify's inventory quantity states for one (inventory item, location) pair, as pure functions.
 * Only the states the product uses are modelled: `on_hand = available + committed` (Shopify also
 * has reserved, damaged, safety_stock, quality_control and incoming, which stay 0 here).
 *
 * - placing an order moves units from available to committed;
 * - cancelling (with restock) moves them back;
 * - fulfilling removes them from committed and on_hand;
 * - setting on_hand or available recomputes the other, committed stays.
 */
export interface Quantities {
  readonly available: number;
  readonly committed: number;
  readonly on_hand: number;
}

export function emptyQuantities(): Quantities {
  return { available: 0, committed: 0, on_hand: 0 };
}

export function quantityByName(q: Quantities, name: string): number {
  if (name === 'available' || name === 'committed' || name === 'on_hand') return q[name];
  return 0;
}

export function setAvailable(q: Quantities, available: number): Quantities {
  return { available, committed: q.committed, on_hand: available + q.committed };
}

export function setOnHand(q: Quantities, onHand: number): Quantities {
  return { available: onHand - q.committed, committed: q.committed, on_hand: onHand };
}

export function adjustAvailable(q: Quantities, delta: number): Quantities {
  return setAvailable(q, q.available + delta);
}

/** An order line is placed: its units are promised (committed) and no longer sellable. */
export function commit(q: Quantities, units: number): Quantities {
  return { available: q.available - units, committed: q.committed + units, on_hand: q.on_hand };
}

/** An unfulfilled order line is cancelled or removed with restock: the promise is released. */
export function release(q: Quantities, units: number): Quantities {
  const released = Math.min(units, q.committed);
  return { available: q.available + released, committed: q.committed - released, on_hand: q.on_hand };
}

/** Units leave the building: they are no longer committed nor on hand. */
export function fulfill(q: Quantities, units: number): Quantities {
  const fromCommitted = Math.min(units, q.committed);
  return { available: q.available - (units - fromCommitted), committed: q.committed - fromCommitted, on_hand: q.on_hand - units };
}

/** Returned units are put back on the shelf. */
export function restock(q: Quantities, units: number): Quantities {
  return { available: q.available + units, committed: q.committed, on_hand: q.on_hand + units };
}
