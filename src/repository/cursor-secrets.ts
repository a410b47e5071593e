import { type CursorKeys, cursorKeys } from './cursor-signing.js';

// Keyed by the database handle, outside any enumerable property: the keys never show in
// logs, `JSON.stringify` or `util.inspect` of the handle or its options.
const registry = new WeakMap<object, CursorKeys>();

/**
 * Records the `cursorSecret` of a database handle (called once by `createDatabase`).
 *
 * ```ts
 * registerCursorSecret(database, ['new-key', 'old-key'])
 * cursorKeysOf(database) // ['new-key', 'old-key']: the first signs, both verify
 * ```
 */
export function registerCursorSecret(database: object, secret: string | readonly string[] | undefined): void {
  const keys = cursorKeys(secret);
  if (keys.length > 0) registry.set(database, keys);
}

/** The keys that sign and verify this handle's cursors; empty when it has no `cursorSecret`. */
export function cursorKeysOf(database: object): CursorKeys {
  return registry.get(database) ?? [];
}
