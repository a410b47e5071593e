import type { OrderBy } from '../order-by.js';
import type { Where } from '../where-filter.js';

/** The kinds of relation a repository can declare. */
export type RelationKind = 'hasMany' | 'belongsTo' | 'manyToMany';

/**
 * Type-only: what a repository tells relations about itself, its row and its relation
 * map. `BaseRepository` and `InMemoryRepository` declare it (never set at run time), so
 * `hasMany(() => messages, ...)` knows the related row and its own relations.
 */
export interface RelatedTypes<Row, Relations> {
  readonly row: Row;
  readonly relations: Relations;
}

/** A repository a relation can point at: `BaseRepository` or `InMemoryRepository`. */
export interface RelatableRepository<Row = unknown, Relations = unknown> {
  readonly '~relations'?: RelatedTypes<Row, Relations>;
}

/** A repository whose rows can be the `through` table of a `manyToMany`. */
export type ThroughTable = string | (() => RelatableRepository);

/**
 * One declared relation (what `hasMany`, `belongsTo` and `manyToMany` return). `Row` and
 * `Relations` are the related repository's row and relation map, for typed includes.
 */
export interface Relation<Kind extends RelationKind = RelationKind, Row = unknown, Relations = unknown> {
  readonly kind: Kind;
  /** A thunk, so two repositories can point at each other (chats ↔ messages). */
  readonly target: () => RelatableRepository<Row, Relations>;
  /** hasMany: the related table's column; belongsTo: this table's column. */
  readonly foreignKey?: string;
  /** hasMany: this table's column the foreign key holds. @default the primary key */
  readonly localKey?: string;
  /** belongsTo: the related column the foreign key holds (default its primary key); manyToMany: the through table's column for the related key. */
  readonly targetKey?: string;
  /** manyToMany: the through table's column for this table's primary key. */
  readonly sourceKey?: string;
  /** manyToMany: the join table. */
  readonly through?: ThroughTable;
}

/** The type of `hasMany(...)`: write it in a relation map type to break a cycle (`{ messages: HasMany<Message> }`). */
export type HasMany<Row, Relations = NoRelations> = Relation<'hasMany', Row, Relations>;
/** The type of `belongsTo(...)`: the related row and its relations. */
export type BelongsTo<Row, Relations = NoRelations> = Relation<'belongsTo', Row, Relations>;
/** The type of `manyToMany(...)`: the related row and its relations. */
export type ManyToMany<Row, Relations = NoRelations> = Relation<'manyToMany', Row, Relations>;

/** A repository's relations, by the name `include` uses. */
export type RelationMap = Readonly<Record<string, Relation>>;
/** The constraint on a relation map type parameter: every key a relation (interfaces welcome). */
export type RelationsOf<R> = { readonly [K in keyof R]: Relation };
/** The relation map of a repository without relations. */
export type NoRelations = Record<never, never>;

type RelatedRow<R> = R extends Relation<RelationKind, infer Row, unknown> ? Row : never;
type RelatedRelations<R> = R extends Relation<RelationKind, unknown, infer Relations> ? Relations : never;

/** Relations that `withCount` can count: the to-many ones. */
export type CountableOf<Relations> = {
  [K in keyof Relations & string]: Relations[K] extends Relation<'hasMany' | 'manyToMany', unknown, unknown>
    ? K
    : never;
}[keyof Relations & string];

/** What one included relation may ask for. */
export interface IncludeOptions<Row, Relations> {
  /** Only related rows matching this (the related repository's `where`). */
  readonly where?: Where<Row>;
  /** Order of the related rows per parent. @default the related repository's default order */
  readonly orderBy?: OrderBy<Row>;
  /** To-many relations: at most this many rows per parent, chosen in SQL (one LATERAL query). */
  readonly limit?: number;
  /** Relations of the related rows, loaded the same way. */
  readonly include?: IncludeOf<Relations>;
  /** Counts of the related rows' to-many relations (`<name>Count`). */
  readonly withCount?: ReadonlyArray<CountableOf<Relations>>;
}

/** The `include` a repository with `Relations` accepts: relation name → `true` or options. */
export type IncludeOf<Relations> = {
  readonly [K in keyof Relations & string]?:
    | true
    | (Relations[K] extends Relation<'belongsTo', unknown, unknown>
        ? Omit<IncludeOptions<RelatedRow<Relations[K]>, RelatedRelations<Relations[K]>>, 'limit' | 'orderBy'>
        : IncludeOptions<RelatedRow<Relations[K]>, RelatedRelations<Relations[K]>>);
};

/**
 * `I` with every key that is not a relation (or not an include option) mapped to `never`,
 * at every level, so a misspelt name does not compile even beside a correct one.
 */
export type CheckedInclude<I, Relations> = {
  readonly [K in keyof I]: K extends keyof Relations
    ? I[K] extends true
      ? true
      : {
          readonly [P in keyof I[K]]: P extends 'include'
            ? CheckedInclude<I[K][P], RelatedRelations<Relations[K]>>
            : P extends keyof IncludeOptions<unknown, unknown>
              ? I[K][P]
              : never;
        }
    : never;
};

/** The name of the count `withCount: ['messages']` adds: `messagesCount`. */
export type CountKey<Name extends string> = `${Name}Count`;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type NestedInclude<Options> = Options extends { readonly include: infer Nested } ? Nested : NoRelations;
type NestedCount<Options> = Options extends { readonly withCount: ReadonlyArray<infer Name> } ? Name & string : never;
type Loaded<R, Options> =
  R extends Relation<infer Kind, infer Row, infer Relations>
    ? Kind extends 'belongsTo'
      ? WithRelations<Row, Relations, NestedInclude<Options>, NestedCount<Options>> | null
      : Array<WithRelations<Row, Relations, NestedInclude<Options>, NestedCount<Options>>>
    : never;

/**
 * `Row` with exactly the included relations (to-many: an array of related rows, with their
 * own includes; belongsTo: the row or `null`) and the requested counts. With nothing
 * included it is `Row` itself.
 */
export type WithRelations<Row, Relations, I, C extends string = never> = [keyof I, C] extends [never, never]
  ? Row
  : Simplify<
      Row & { -readonly [K in keyof I & keyof Relations]: Loaded<Relations[K], I[K]> } & {
        [K in C as CountKey<K>]: number;
      }
    >;

/** How one relation was loaded, from `explain: true`. */
export interface RelationPlan {
  /** Dotted path from the top-level rows: `'messages'`, `'messages.author'`. */
  readonly path: string;
  readonly kind: RelationKind;
  /** The related table (for `manyToMany`, the related table; the through read is its own plan). */
  readonly table: string;
  /** `any`: one `= ANY($1)` query over every parent's key; `lateral`: top-N per parent; `count`: a grouped count. */
  readonly strategy: 'any' | 'lateral' | 'count';
  /** Why this strategy. */
  readonly reason: string;
  /** The statement's SQL, or undefined when no statement ran (no keys, or middleware such as the cache answered). */
  readonly sql: string | undefined;
  /** Distinct parent keys asked for. */
  readonly keys: number;
}

/** What a read with `explain: true` returns: the usual result and how each relation was loaded. */
export interface Explained<T> {
  readonly result: T;
  readonly explain: readonly RelationPlan[];
}

/** `Explained<T>` when `explain: true` was passed, else `T`. */
export type Explainable<X extends boolean, T> = X extends true ? Explained<T> : T;

/** The relation options every relation-aware read takes. */
export interface RelationReadOptions<Relations, I, C, X extends boolean> {
  /** Related rows to load: one batched query per relation, never one per row. */
  readonly include?: I & CheckedInclude<I, Relations>;
  /** To-many relations to count, as `<name>Count: number`. */
  readonly withCount?: readonly C[];
  /** When true the read returns `{ result, explain }`, with the SQL and strategy of each relation. */
  readonly explain?: X;
}
