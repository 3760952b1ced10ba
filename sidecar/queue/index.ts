/** The queue layer: names and keys, error classes, and the pg-boss-backed queue. */
export * from './names.js';
export * from './errors.js';
export * from './queue.js';
