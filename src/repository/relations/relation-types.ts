import type { OrderBy } from '../order-by.js';
import type { Where } from '../where-filter.js';

/**
 * The kinds of relation a repository can declare.
 *
 * @example
 * ```ts
 * const toMany = (kind: RelationKind) => kind !== 'belongsTo'
 * ```
 */
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

/**
 * A repository a relation can point at: `BaseRepository` or `InMemoryRepository`.
 *
 * @example
 * ```ts
 * // A helper that declares the same kind of relation for any repository
 * function ownedBy<Row>(target: () => RelatableRepository<Row, NoRelations>, foreignKey: keyof Row & string) {
 *   return hasMany(target, { foreignKey })
 * }
 * const customers = new BaseRepository(db, { table: 'users', relations: { orders: ownedBy(() => orders, 'user_id') } })
 * ```
 */
export interface RelatableRepository<Row = unknown, Relations = unknown> {
  readonly '~relations'?: RelatedTypes<Row, Relations>;
}

/** A repository whose rows can be the `through` table of a `manyToMany`. */
export type ThroughTable = string | (() => RelatableRepository);

/**
 * One declared relation (what `hasMany`, `belongsTo` and `manyToMany` return). `Row` and
 * `Relations` are the related repository's row and relation map, for typed includes.
 *
 * @example
 * ```ts
 * const relation: Relation = hasMany(() => orders, { foreignKey: 'user_id' })
 * console.log(relation.kind, relation.foreignKey) // 'hasMany', 'user_id'
 * ```
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

/**
 * The type of `hasMany(...)`: write it in a relation map type to break a cycle (`{ messages: HasMany<Message> }`).
 *
 * @example
 * ```ts
 * interface Chat { id: number; title: string }
 * interface Message { id: number; chat_id: number; body: string }
 * const messages = new InMemoryRepository<Message>({ table: 'messages', columns: ['id', 'chat_id', 'body'] })
 * const chats = new InMemoryRepository<Chat, Partial<Chat>, Partial<Chat>, number, false, { messages: HasMany<Message> }>({
 *   table: 'chats',
 *   columns: ['id', 'title'],
 *   relations: { messages: hasMany(() => messages, { foreignKey: 'chat_id' }) },
 * })
 * const chat = await chats.getById(1, { include: { messages: { limit: 20 } } }) // chat.messages: Message[]
 * ```
 */
export type HasMany<Row, Relations = NoRelations> = Relation<'hasMany', Row, Relations>;
/**
 * The type of `belongsTo(...)`: the related row and its relations.
 *
 * @example
 * ```ts
 * interface Author { id: number; name: string }
 * interface Post { id: number; author_id: number; title: string }
 * const authors = new InMemoryRepository<Author>({ table: 'authors', columns: ['id', 'name'] })
 * const posts = new InMemoryRepository<Post, Partial<Post>, Partial<Post>, number, false, { author: BelongsTo<Author> }>({
 *   table: 'posts',
 *   columns: ['id', 'author_id', 'title'],
 *   relations: { author: belongsTo(() => authors, { foreignKey: 'author_id' }) },
 * })
 * const post = await posts.findById(1, { include: { author: true } }) // post?.author: Author | null
 * ```
 */
export type BelongsTo<Row, Relations = NoRelations> = Relation<'belongsTo', Row, Relations>;
/**
 * The type of `manyToMany(...)`: the related row and its relations.
 *
 * @example
 * ```ts
 * interface Tag { id: number; label: string }
 * interface Chat { id: number; title: string }
 * const tags = new InMemoryRepository<Tag>({ table: 'tags', columns: ['id', 'label'] })
 * const chatTags = new InMemoryRepository<{ id: number; chat_id: number; tag_id: number }>({ table: 'chat_tags', columns: ['id', 'chat_id', 'tag_id'] })
 * const chats = new InMemoryRepository<Chat, Partial<Chat>, Partial<Chat>, number, false, { tags: ManyToMany<Tag> }>({
 *   table: 'chats',
 *   columns: ['id', 'title'],
 *   relations: { tags: manyToMany(() => tags, { through: () => chatTags, sourceKey: 'chat_id', targetKey: 'tag_id' }) },
 * })
 * const chat = await chats.findById(1, { include: { tags: true } }) // chat?.tags: Tag[]
 * ```
 */
export type ManyToMany<Row, Relations = NoRelations> = Relation<'manyToMany', Row, Relations>;

/** A repository's relations, by the name `include` uses. */
export type RelationMap = Readonly<Record<string, Relation>>;
/** The constraint on a relation map type parameter: every key a relation (interfaces welcome). */
export type RelationsOf<R> = { readonly [K in keyof R]: Relation };
/**
 * The relation map of a repository without relations.
 *
 * @example
 * ```ts
 * type Plain = InMemoryRepository<{ id: number; name: string }, Partial<{ id: number; name: string }>, Partial<{ id: number; name: string }>, number, false, NoRelations>
 * const plans: Plain = new InMemoryRepository({ table: 'plans', columns: ['id', 'name'] })
 * ```
 */
export type NoRelations = Record<never, never>;

type RelatedRow<R> = R extends Relation<RelationKind, infer Row, unknown> ? Row : never;
type RelatedRelations<R> = R extends Relation<RelationKind, unknown, infer Relations> ? Relations : never;

/**
 * Relations that `withCount` can count: the to-many ones.
 *
 * @example
 * ```ts
 * type ChatRelations = { messages: HasMany<{ id: number; chat_id: number }>; owner: BelongsTo<{ id: number }> }
 * const countable: CountableOf<ChatRelations> = 'messages' // 'owner' does not compile: belongsTo is not counted
 * ```
 */
export type CountableOf<Relations> = {
  [K in keyof Relations & string]: Relations[K] extends Relation<'hasMany' | 'manyToMany', unknown, unknown>
    ? K
    : never;
}[keyof Relations & string];

/**
 * What one included relation may ask for.
 *
 * @example
 * ```ts
 * const latestPaid: IncludeOptions<Order, NoRelations> = { where: { status: 'paid' }, orderBy: { column: 'created_at', direction: 'desc' }, limit: 5 }
 * const customers = new BaseRepository(db, { table: 'users', relations: { orders: hasMany(() => orders, { foreignKey: 'user_id' }) } })
 * const rows = await customers.findMany({ include: { orders: latestPaid } })
 * ```
 */
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

/**
 * The `include` a repository with `Relations` accepts: relation name → `true` or options.
 *
 * @example
 * ```ts
 * const customers = new BaseRepository(db, { table: 'users', relations: { orders: hasMany(() => orders, { foreignKey: 'user_id' }) } })
 * const include: IncludeOf<{ orders: HasMany<Order> }> = { orders: { where: { status: 'open' }, limit: 3 } }
 * const withOpenOrders = await customers.findMany({ include })
 * ```
 */
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
 *
 * @example
 * ```ts
 * type User = RowOf<DB, 'users'>
 * type UserWithOrders = WithRelations<User, { orders: HasMany<Order> }, { orders: true }, 'orders'>
 * const render = (user: UserWithOrders) => `${user.email}: ${user.orders.length} of ${user.ordersCount} orders`
 * ```
 */
export type WithRelations<Row, Relations, I, C extends string = never> = [keyof I, C] extends [never, never]
  ? Row
  : Simplify<
      Row & { -readonly [K in keyof I & keyof Relations]: Loaded<Relations[K], I[K]> } & {
        [K in C as CountKey<K>]: number;
      }
    >;

/**
 * How one relation was loaded, from `explain: true`.
 *
 * @example
 * ```ts
 * const customers = new BaseRepository(db, { table: 'users', relations: { orders: hasMany(() => orders, { foreignKey: 'user_id' }) } })
 * const { explain } = await customers.findMany({ include: { orders: { limit: 3 } }, explain: true })
 * const plans: readonly RelationPlan[] = explain // [{ path: 'orders', strategy: 'lateral', reason, sql, keys }]
 * ```
 */
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

/**
 * What a read with `explain: true` returns: the usual result and how each relation was loaded.
 *
 * @example
 * ```ts
 * const customers = new BaseRepository(db, { table: 'users', relations: { orders: hasMany(() => orders, { foreignKey: 'user_id' }) } })
 * const explained: Explained<unknown[]> = await customers.findMany({ include: { orders: true }, explain: true })
 * for (const plan of explained.explain) console.log(plan.path, plan.strategy, plan.sql)
 * ```
 */
export interface Explained<T> {
  readonly result: T;
  readonly explain: readonly RelationPlan[];
}

/** `Explained<T>` when `explain: true` was passed, else `T`. */
export type Explainable<X extends boolean, T> = X extends true ? Explained<T> : T;

/**
 * The relation options every relation-aware read takes.
 *
 * @example
 * ```ts
 * type Relations = { orders: HasMany<RowOf<DB, 'orders'>> }
 * const options: RelationReadOptions<Relations, { orders: true }, 'orders', false> = { include: { orders: true }, withCount: ['orders'] }
 * const customers = new BaseRepository(db, { table: 'users', relations: { orders: hasMany(() => orders, { foreignKey: 'user_id' }) } })
 * const rows = await customers.findMany(options)
 * ```
 */
export interface RelationReadOptions<Relations, I, C, X extends boolean> {
  /** Related rows to load: one batched query per relation, never one per row. */
  readonly include?: I & CheckedInclude<I, Relations>;
  /** To-many relations to count, as `<name>Count: number`. */
  readonly withCount?: readonly C[];
  /** When true the read returns `{ result, explain }`, with the SQL and strategy of each relation. */
  readonly explain?: X;
}
