import { ConfigError } from '../../errors/application-errors.js';
import type { RelationMap } from './relation-types.js';

type Loose = Record<string, unknown>;

/**
 * A batched read of related rows: those whose `column` holds one of `keys`. It reaches
 * the related repository's middleware as a `findMany` whose options carry `relatedTo`
 * (so the cache keys on it, and the tenant filter and soft delete apply as to any read).
 */
export interface RelatedRead {
  readonly column: string;
  readonly keys: readonly unknown[];
  readonly where?: unknown;
  readonly orderBy?: unknown;
  /** At most this many rows per key: top-N per key, in SQL (LATERAL). */
  readonly limit?: number;
}

/** A grouped count of related rows per key; reaches middleware as a `count`. */
export interface RelatedCount {
  readonly column: string;
  readonly keys: readonly unknown[];
}

/** The join rows of a `manyToMany` read from a plain table (no repository over it). */
export interface ThroughRead {
  readonly table: string;
  readonly sourceKey: string;
  readonly targetKey: string;
  readonly keys: readonly unknown[];
}

/** Receives the SQL of the statement a read ran (for `explain`); not called when none ran. */
export type SqlSink = (sql: string) => void;

/**
 * What a repository offers the relation loader: its relations, its columns, and batched
 * reads that run through its own middleware chain. `BaseRepository` and
 * `InMemoryRepository` each register one when constructed.
 */
export interface RelationSource {
  readonly table: string;
  readonly primaryKey: string;
  readonly relations: RelationMap;
  /** The table's columns (read once per repository). */
  columns(): Promise<ReadonlySet<string>>;
  /** Checks a related `where` and `orderBy` against this table without reading rows. */
  checkRead(where: unknown, orderBy: unknown): Promise<void>;
  read(request: RelatedRead, sink: SqlSink): Promise<Loose[]>;
  count(
    request: RelatedCount,
    sink: SqlSink,
  ): Promise<ReadonlyArray<{ readonly key: unknown; readonly count: number }>>;
  /** Join rows of a plain through table; the fake has none (it needs a repository). */
  readThrough(request: ThroughRead, sink: SqlSink): Promise<Loose[]>;
}

// Keyed by the repository object, so nothing about relations shows on the public class.
const sources = new WeakMap<object, RelationSource>();

export function registerRelationSource(repository: object, source: RelationSource): void {
  sources.set(repository, source);
}

/** The source of what a relation's thunk returned. @throws ConfigError when it is not a repository. */
export function relationSourceOf(repository: unknown, option: string): RelationSource {
  const source = typeof repository === 'object' && repository !== null ? sources.get(repository) : undefined;
  if (source === undefined)
    throw new ConfigError(
      `Repository option "${option}" must return a BaseRepository or InMemoryRepository (did the thunk run before the repository was created?)`,
      { option },
    );
  return source;
}
