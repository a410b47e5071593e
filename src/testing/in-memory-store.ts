import { ConflictError } from '../errors/constraint-errors.js';
import { sqlEquals } from '../repository/where-filter.js';

/** A stored row. Stored objects are never mutated: a change replaces the object. */
export type StoredRow = Readonly<Record<string, unknown>>;

/** A unique constraint as PostgreSQL would name it. */
export interface UniqueKey {
  readonly constraint: string;
  readonly columns: readonly string[];
}

/** One atomic change to the table: every unique key is checked before anything is applied. */
export interface StoreChange {
  readonly insert?: readonly StoredRow[];
  /** Pairs of [stored row, its replacement]. */
  readonly replace?: ReadonlyArray<readonly [StoredRow, StoredRow]>;
  readonly remove?: readonly StoredRow[];
}

/**
 * The rows of one in-memory table, shared by every `InMemoryRepository` over it.
 * Rows go in and come out as deep copies (`structuredClone`), so nothing outside the
 * store can change what it holds.
 */
export class InMemoryStore {
  private stored: StoredRow[] = [];
  private lastId = 0;

  constructor(
    readonly table: string,
    readonly primaryKey: string,
    /** The primary key first, then the declared unique keys. */
    readonly uniqueKeys: readonly UniqueKey[],
  ) {}

  /** The stored rows in insertion order. Read only; copy before handing a row out. */
  get rows(): readonly StoredRow[] {
    return this.stored;
  }

  /** The next auto-increment id: one more than any integer key stored or handed out before. */
  nextId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  /** Applies `change` all or nothing. @throws ConflictError when a unique key would be duplicated. */
  commit(change: StoreChange): void {
    const replaced = new Map<StoredRow, StoredRow>();
    for (const [before, after] of change.replace ?? []) replaced.set(before, cloneRow(after));
    const removed = new Set(change.remove ?? []);
    const inserted = (change.insert ?? []).map(cloneRow);
    const next: StoredRow[] = [];
    for (const row of this.stored) {
      if (removed.has(row)) continue;
      next.push(replaced.get(row) ?? row);
    }
    next.push(...inserted);
    const changed = [...replaced.values(), ...inserted];
    this.assertUnique(next, changed);
    this.stored = next;
    for (const row of changed) this.noteId(row[this.primaryKey]);
  }

  clear(): void {
    this.stored = [];
    this.lastId = 0;
  }

  /** Makes later generated ids skip past `id` when it is an integer (seeded or explicit keys). */
  noteId(id: unknown): void {
    if (typeof id === 'number' && Number.isSafeInteger(id) && id > this.lastId) this.lastId = id;
  }

  private assertUnique(table: readonly StoredRow[], changed: readonly StoredRow[]): void {
    for (const key of this.uniqueKeys) {
      // Buckets by a hash that values equal under sqlEquals always share; sqlEquals decides.
      const buckets = new Map<string, StoredRow[]>();
      for (const row of table) {
        const hash = keyHash(row, key.columns);
        if (hash === undefined) continue;
        const bucket = buckets.get(hash);
        if (bucket === undefined) buckets.set(hash, [row]);
        else bucket.push(row);
      }
      for (const row of changed) {
        const hash = keyHash(row, key.columns);
        if (hash === undefined) continue;
        const duplicate = buckets
          .get(hash)
          ?.some((other) => other !== row && key.columns.every((column) => sqlEquals(other[column], row[column])));
        if (duplicate === true) throw conflict(this.table, key);
      }
    }
  }
}

/** undefined when a key column is NULL: as in PostgreSQL, such a key never conflicts. */
function keyHash(row: StoredRow, columns: readonly string[]): string | undefined {
  const parts: string[] = [];
  for (const column of columns) {
    const value = row[column];
    if (value === null || value === undefined) return undefined;
    if (value instanceof Date) parts.push(`d${value.getTime()}`);
    else if (
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'bigint' ||
      typeof value === 'boolean'
    )
      parts.push(`p${String(value)}`);
    else parts.push(typeof value);
  }
  return JSON.stringify(parts);
}

/** The error PostgreSQL's unique violation (23505) maps to, without any values in it. */
export function conflict(table: string, key: UniqueKey): ConflictError {
  return new ConflictError(`Unique constraint "${key.constraint}" on "${table}" (${key.columns.join(', ')}) violated`, {
    sqlState: '23505',
    constraint: key.constraint,
    table,
    schema: undefined,
    columns: key.columns,
  });
}

export function cloneRow<T>(row: T): T {
  return structuredClone(row);
}
