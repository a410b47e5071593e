import { readRequirement } from '../../replicas/routing-context.js';

/**
 * What a cached entry's read was guaranteed to see, with replicas: `'primary'` (read
 * under `db.primary()` or `{ consistency: 'strong' }`), the WAL position the read's
 * consistency context required, in hex (a replica is only used once it replayed that
 * far), or `null` (no guarantee: a replica read outside any context may lag). Strings, so
 * every store can keep them; `'primary'` is not hex, so the two never mix.
 */
export type EntrySeen = string | null;

/** What is stored under an entry key: the result and what its read saw. */
export interface StoredEntry {
  readonly seen: EntrySeen;
  readonly value: unknown;
}

/**
 * What the read running here requires of a cached entry, taken before the database is
 * asked: the context's position can only grow, and the replica is picked after this.
 */
export interface ReadNeed {
  /** Recorded with the entry this read fills. */
  readonly seen: EntrySeen;
  /** Part of the single-flight key: only reads with the same need share one query. */
  readonly tag: string;
}

const NO_NEED: ReadNeed = { seen: null, tag: '' };

export function currentNeed(): ReadNeed {
  const requirement = readRequirement();
  if (requirement === undefined) return NO_NEED;
  if (requirement.primary) return { seen: 'primary', tag: '|primary' };
  if (requirement.lsn === undefined) return NO_NEED;
  const seen = requirement.lsn.toString(16);
  return { seen, tag: `|${seen}` };
}

/**
 * Whether an entry may answer a read with `need`. An entry filled on the primary under
 * the current table version was read after the write that set that version committed,
 * so it satisfies any token of a write the cache saw; an entry filled at a position
 * satisfies reads that require no more; an entry without a position only reads without
 * a requirement. A value of another shape (an older release's entry) is never served.
 */
export function servable(stored: unknown, need: ReadNeed): stored is StoredEntry {
  if (typeof stored !== 'object' || stored === null || !('seen' in stored) || !('value' in stored)) return false;
  const { seen } = stored as { seen: unknown };
  if (seen !== null && typeof seen !== 'string') return false;
  if (need.seen === null || seen === 'primary') return true;
  if (need.seen === 'primary' || seen === null) return false;
  return BigInt(`0x${seen}`) >= BigInt(`0x${need.seen}`);
}
