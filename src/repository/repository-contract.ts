import type { ManyRowsOptions } from './input-rules.js';
import type { VersionedWriteOptions } from './optimistic-lock.js';
import type { OrderBy } from './order-by.js';
import type {
  CountableOf,
  Explainable,
  IncludeOf,
  NoRelations,
  RelationReadOptions,
  WithRelations,
} from './relations/relation-types.js';
import type { Where } from './where-filter.js';

/**
 * Read options; `withDeleted` exists only on repositories with a soft-delete column.
 *
 * @example
 * ```ts
 * const withDeleted: ReadOptions<true> = { withDeleted: true }
 * const archived = await orders.findById(1, withDeleted) // also finds a soft-deleted order
 * ```
 */
export type ReadOptions<SoftDeletable extends boolean> = ConsistencyOption &
  (SoftDeletable extends true
    ? {
        /** Include soft-deleted rows. @default false */
        readonly withDeleted?: boolean | undefined;
      }
    : { readonly withDeleted?: never });

/** Where a read may run when the database has `replicas`. */
export interface ConsistencyOption {
  /**
   * `'strong'` reads from the primary (like `db.primary()`); unset, a read outside a
   * transaction may use a replica that has replayed the context's consistency token.
   */
  readonly consistency?: 'strong' | undefined;
}

/**
 * Options of `findMany`: filter, order, limit and offset (and `withDeleted` on soft-delete
 * repositories).
 *
 * @example
 * ```ts
 * const options: FindManyOptions<Order, true> = { where: { status: 'open' }, orderBy: 'created_at', limit: 50 }
 * const open = await orders.findMany(options)
 * ```
 */
export type FindManyOptions<Row, SoftDeletable extends boolean> = ReadOptions<SoftDeletable> & {
  readonly where?: Where<Row> | undefined;
  readonly orderBy?: OrderBy<Row> | undefined;
  readonly limit?: number | undefined;
  readonly offset?: number | undefined;
};

/**
 * Options of `paginate`: the 1-based page, the page size, filter and order.
 *
 * @example
 * ```ts
 * const options: PaginateOptions<Order, true> = { page: Number(req.query.page ?? 1), pageSize: 25, where: { status: 'open' } }
 * const page = await orders.paginate(options)
 * ```
 */
export type PaginateOptions<Row, SoftDeletable extends boolean> = ReadOptions<SoftDeletable> & {
  /** 1-based. @default 1 */
  readonly page?: number | undefined;
  /** @default 20, at most 1000 */
  readonly pageSize?: number | undefined;
  readonly where?: Where<Row> | undefined;
  readonly orderBy?: OrderBy<Row> | undefined;
};

/**
 * One page of `paginate` (offset pagination): the rows, the total count, and where the page is.
 *
 * @example
 * ```ts
 * const page: Page<Order> = await orders.paginate({ page: 2, pageSize: 25 })
 * res.json({ items: page.items, page: page.page, of: page.totalPages, total: page.total })
 * ```
 */
export interface Page<Row> {
  items: Row[];
  total: number;
  page: number;
  pageSize: number;
  totalPages: number;
}

/**
 * Options of `paginateByCursor` (keyset pagination): the previous page's cursor, the page
 * size, the order and the filter.
 *
 * @example
 * ```ts
 * const options: CursorPaginateOptions<Order, true> = { after: req.query.after, limit: 50, orderBy: { column: 'created_at', direction: 'desc' } }
 * const page = await orders.paginateByCursor(options)
 * ```
 */
export type CursorPaginateOptions<Row, SoftDeletable extends boolean> = ReadOptions<SoftDeletable> & {
  /** The `nextCursor` of the previous page; omit for the first page. */
  readonly after?: string | undefined;
  /** @default 20, at most 1000 */
  readonly limit?: number | undefined;
  /** Order columns must be non-null; the primary key is added as the tie-break. */
  readonly orderBy?: OrderBy<Row> | undefined;
  readonly where?: Where<Row> | undefined;
};

/**
 * One page of `paginateByCursor`: the rows, and the cursor of the next page (undefined on
 * the last one).
 *
 * @example
 * ```ts
 * let after: string | undefined
 * do {
 *   const page: CursorPage<Order> = await orders.paginateByCursor({ after, limit: 100 })
 *   await send(page.items)
 *   after = page.nextCursor
 * } while (after !== undefined)
 * ```
 */
export interface CursorPage<Row> {
  items: Row[];
  /** Pass as `after` to get the next page; undefined on the last page. */
  nextCursor: string | undefined;
  hasNextPage: boolean;
}

/**
 * Options of `stream`: rows fetched per round trip (and `withDeleted` on soft-delete repositories).
 *
 * @example
 * ```ts
 * const options: StreamOptions<true> = { batchSize: 1_000 }
 * for await (const order of orders.stream({ status: 'open' }, options)) await reserveStock(order)
 * ```
 */
export type StreamOptions<SoftDeletable extends boolean> = ReadOptions<SoftDeletable> & {
  /** Rows fetched per round trip from the server-side cursor. @default 500 */
  readonly batchSize?: number | undefined;
};

/**
 * Options of `upsert`: the columns of the unique constraint that decides insert or update.
 *
 * @example
 * ```ts
 * const options: UpsertOptions<RowOf<DB, 'users'>> = { conflictColumns: ['email'] }
 * const user = await users.upsert({ email: 'ada@example.com', name: 'Ada' }, options)
 * ```
 */
export interface UpsertOptions<Row> {
  /** Columns of the unique constraint to upsert on (`ON CONFLICT (...)`). */
  readonly conflictColumns: ReadonlyArray<keyof Row & string>;
}

/**
 * What `BaseRepository` and `InMemoryRepository` both offer, so service code can depend
 * on this interface and unit tests can pass the fake.
 *
 * - `Row`: what reads return; `Insert` / `Update`: what writes accept; `Id`: the primary key.
 * - `SoftDeletable`: true when the repository has a soft-delete column; only then do
 *   `restore` and `withDeleted` type-check.
 * - `Relations`: the relation map (`relations` option), for typed `include` and `withCount`
 *   on `findById`, `getById`, `findOne`, `findMany`, `paginate` and `paginateByCursor`.
 *
 * @example
 * ```ts
 * type UserRepository = Repository<RowOf<DB, 'users'>, InsertOf<DB, 'users'>, UpdateOf<DB, 'users'>, number, true>
 * class Signup {
 *   constructor(private readonly users: UserRepository) {}
 *   register(email: string) {
 *     return this.users.create({ email })
 *   }
 * }
 * new Signup(users) // a BaseRepository in the service, an InMemoryRepository in unit tests
 * ```
 */
export interface Repository<Row, Insert, Update, Id, SoftDeletable extends boolean = false, Relations = NoRelations> {
  findById<
    I extends IncludeOf<Relations> = NoRelations,
    C extends CountableOf<Relations> = never,
    X extends boolean = false,
  >(
    id: Id,
    options?: ReadOptions<SoftDeletable> & RelationReadOptions<Relations, I, C, X>,
  ): Promise<Explainable<X, WithRelations<Row, Relations, I, C> | undefined>>;
  /** @throws NotFoundError */
  getById<I extends IncludeOf<Relations> = NoRelations, C extends CountableOf<Relations> = never>(
    id: Id,
    options?: ReadOptions<SoftDeletable> & RelationReadOptions<Relations, I, C, false>,
  ): Promise<WithRelations<Row, Relations, I, C>>;
  /** Rows for the ids that exist, in no particular order. */
  findByIds(ids: readonly Id[], options?: ReadOptions<SoftDeletable>): Promise<Row[]>;
  findOne<
    I extends IncludeOf<Relations> = NoRelations,
    C extends CountableOf<Relations> = never,
    X extends boolean = false,
  >(
    where: Where<Row>,
    options?: ReadOptions<SoftDeletable> & RelationReadOptions<Relations, I, C, X>,
  ): Promise<Explainable<X, WithRelations<Row, Relations, I, C> | undefined>>;
  findMany<
    I extends IncludeOf<Relations> = NoRelations,
    C extends CountableOf<Relations> = never,
    X extends boolean = false,
  >(
    options?: FindManyOptions<Row, SoftDeletable> & RelationReadOptions<Relations, I, C, X>,
  ): Promise<Explainable<X, WithRelations<Row, Relations, I, C>[]>>;
  count(where?: Where<Row>, options?: ReadOptions<SoftDeletable>): Promise<number>;
  exists(where: Where<Row>, options?: ReadOptions<SoftDeletable>): Promise<boolean>;
  paginate<
    I extends IncludeOf<Relations> = NoRelations,
    C extends CountableOf<Relations> = never,
    X extends boolean = false,
  >(
    options?: PaginateOptions<Row, SoftDeletable> & RelationReadOptions<Relations, I, C, X>,
  ): Promise<Explainable<X, Page<WithRelations<Row, Relations, I, C>>>>;
  /** Keyset pagination: stable under concurrent inserts. */
  paginateByCursor<
    I extends IncludeOf<Relations> = NoRelations,
    C extends CountableOf<Relations> = never,
    X extends boolean = false,
  >(
    options?: CursorPaginateOptions<Row, SoftDeletable> & RelationReadOptions<Relations, I, C, X>,
  ): Promise<Explainable<X, CursorPage<WithRelations<Row, Relations, I, C>>>>;
  /** Rows one by one with constant memory; stopping early closes the server cursor. */
  stream(where?: Where<Row>, options?: StreamOptions<SoftDeletable>): AsyncIterable<Row>;
  /** @throws ValidationError (nothing written), ConflictError */
  create(input: Insert): Promise<Row>;
  /** All or nothing; returned rows are in input order. */
  createMany(inputs: readonly Insert[]): Promise<Row[]>;
  /**
   * With the repository's `version` option the version is incremented, and checked when
   * `options` gives `expectedVersion` (or `expected`, a row read earlier).
   * @throws NotFoundError, StaleRowError, ValidationError (also for an empty patch or a changed primary key)
   */
  update(id: Id, patch: Update, options?: VersionedWriteOptions<Row>): Promise<Row>;
  /**
   * @returns how many rows were updated
   * @throws ValidationError for an empty `where` unless `options.all` is true, or an empty patch
   */
  updateMany(where: Where<Row>, patch: Update, options?: ManyRowsOptions): Promise<number>;
  upsert(input: Insert, options: UpsertOptions<Row>): Promise<Row>;
  /** Soft delete when the repository has a soft-delete column, else a hard delete. @throws NotFoundError */
  delete(id: Id, options?: VersionedWriteOptions<Row>): Promise<void>;
  /** @throws NotFoundError, StaleRowError */
  hardDelete(id: Id, options?: VersionedWriteOptions<Row>): Promise<void>;
  /** @throws NotFoundError when no soft-deleted row has this id */
  restore(this: Repository<Row, Insert, Update, Id, true, Relations>, id: Id): Promise<Row>;
}
