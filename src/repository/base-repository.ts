import type { Insertable, Kysely, Selectable, SelectQueryBuilder, SelectType, Updateable } from 'kysely';

import type { Database } from '../database.js';
import { argumentOf, OPERATIONS } from '../middleware/operations.js';
import type {
  OperationKind,
  RepositoryDescriptor,
  RepositoryMiddleware,
  RepositoryOperation,
  SessionControl,
} from '../middleware/repository-middleware.js';
import { collectScope, runMiddleware } from '../middleware/run-middleware.js';
import { runAsRead } from '../replicas/routing-context.js';
import { rejectWith } from '../transaction/reject-with.js';
import { CachedLoad } from './cached-load.js';
import { checkRepositoryOptions } from './check-repository-options.js';
import type { TableColumns } from './column-types.js';
import { inputError, type ManyRowsOptions } from './input-rules.js';
import { sqlOperationRows } from './operation-rows.js';
import type { VersionedWriteOptions } from './optimistic-lock.js';
import { prepareInsert } from './prepare-input.js';
import { registerRelationSource, type RelationSource } from './relations/relation-source.js';
import type {
  CountableOf,
  Explainable,
  IncludeOf,
  NoRelations,
  RelatedTypes,
  RelationReadOptions,
  RelationsOf,
  WithRelations,
} from './relations/relation-types.js';
import { sqlRelationSource } from './relations/sql-relation-source.js';
import { readWithRelations, type ResultShape } from './relations/with-relations.js';
import type {
  ConsistencyOption,
  CursorPage,
  CursorPaginateOptions,
  FindManyOptions,
  Page,
  PaginateOptions,
  ReadOptions,
  Repository,
  StreamOptions,
  UpsertOptions,
} from './repository-contract.js';
import type { ColumnName, RepositoryOptions, TableName } from './repository-options.js';
import { SQL_OPERATIONS } from './sql-operations.js';
import { sqlSession } from './sql-session.js';
import { SqlTable } from './sql-table.js';
import { assertConfiguredColumns, assertMiddlewareColumns, loadTableColumns } from './table-columns.js';
import { assertVersionColumn } from './version-sql.js';
import { equalityConditions, type Where } from './where-filter.js';

type Row<DB, TB extends TableName<DB>> = Selectable<DB[TB]>;
/**
 * The primary key's type (its select type).
 *
 * @example
 * ```ts
 * type UserId = IdOf<DB, 'users', 'id'> // number, the select type of Generated<number>
 * const load = (id: UserId) => users.getById(id)
 * ```
 */
export type IdOf<DB, TB extends TableName<DB>, PK extends ColumnName<DB, TB>> = SelectType<DB[TB][PK]>;
type Soft<SD> = SD extends string ? true : false;
type Loaded<DB, TB extends TableName<DB>, R, I, C extends string> = WithRelations<Row<DB, TB>, R, I, C>;

/**
 * Typed CRUD over one table, usable directly or as a base class for custom finders.
 * Every method runs through the middleware chain, honours the ambient transaction, and
 * checks column names against the table before any SQL is built.
 *
 * @example
 * ```ts
 * const users = new BaseRepository(db, { table: 'users', softDelete: 'deleted_at', timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' } })
 * const ada = await users.create({ email: 'ada@example.com' })
 * const page = await users.paginate({ where: { team: 'core' }, orderBy: { column: 'created_at', direction: 'desc' } })
 *
 * class UserRepository extends BaseRepository<DB, 'users', 'deleted_at'> {
 *   findByEmailDomain(domain: string) {
 *     return this.query().where('email', 'like', `%@${domain}`).execute() // already scoped
 *   }
 * }
 * ```
 */
export class BaseRepository<
  DB,
  TB extends TableName<DB>,
  SD extends ColumnName<DB, TB> | undefined = undefined,
  PK extends ColumnName<DB, TB> = 'id' & ColumnName<DB, TB>,
  R extends RelationsOf<R> = NoRelations,
> implements Repository<Row<DB, TB>, Insertable<DB[TB]>, Updateable<DB[TB]>, IdOf<DB, TB, PK>, Soft<SD>, R> {
  /** Type-only: makes the `this` type of `restore` reject repositories without soft delete. */
  declare private readonly softDeletable: Soft<SD>;
  /** Type-only (never set): the row and relations that `hasMany(() => this, ...)` reads. */
  declare readonly '~relations'?: RelatedTypes<Row<DB, TB>, R>;
  protected readonly db: Database<DB>;
  readonly descriptor: RepositoryDescriptor;
  readonly #options: RepositoryOptions<DB, TB, SD, PK, R>;
  /** How the operations build their SQL; the operations themselves are in sql-reads.ts and sql-writes.ts. */
  readonly #table: SqlTable;
  readonly #relations: RelationSource;
  readonly #middleware: readonly RepositoryMiddleware[];
  readonly #session: SessionControl;
  readonly #currentTransaction = () => this.db.currentTransaction();
  readonly #rows = (op: RepositoryOperation) =>
    sqlOperationRows(op, {
      kysely: this.#table.kysely,
      descriptor: this.descriptor,
      columns: () => this.#columns.get(),
      prepareInsert: (input, columns) => prepareInsert(input, this.#table.inputContext(op, columns)),
    });
  readonly #columns = new CachedLoad(() => this.#readColumns());

  constructor(db: Database<DB>, options: RepositoryOptions<DB, TB, SD, PK, R>) {
    checkRepositoryOptions(options, 'BaseRepository');
    this.db = db;
    this.#options = options;
    const skipped = new Set(options.skipMiddleware ?? []);
    this.#middleware = [...db.middleware.filter((each) => !skipped.has(each.name)), ...(options.middleware ?? [])];
    this.#session = sqlSession(db);
    this.descriptor = Object.freeze({
      table: options.table,
      primaryKey: options.primaryKey ?? 'id',
      softDelete: options.softDelete,
      tenantColumn: options.tenantColumn,
      version: options.version,
    });
    const table = new SqlTable(db as Database<unknown>, this.descriptor, options, (id) => this.#findById(id));
    this.#table = table;
    this.#relations = sqlRelationSource({
      descriptor: this.descriptor,
      relations: options.relations ?? {},
      kysely: () => table.kysely,
      columns: () => this.#columns.get(),
      types: () => table.types.get(),
      run: (kind, args, impl) => this.#run(kind, args, impl),
      filters: (op, columns) => table.filters(op, columns, undefined),
      terms: (orderBy, columns) => table.terms(orderBy, columns),
      coalescing: () => table.coalescing('read'),
    });
    registerRelationSource(this, this.#relations);
  }

  findById<I extends IncludeOf<R> = NoRelations, C extends CountableOf<R> = never, X extends boolean = false>(
    id: IdOf<DB, TB, PK>,
    options?: ReadOptions<Soft<SD>> & RelationReadOptions<R, I, C, X>,
  ): Promise<Explainable<X, Loaded<DB, TB, R, I, C> | undefined>> {
    return this.#related(options, 'one', (read) => this.#findById(id, read));
  }

  async getById<I extends IncludeOf<R> = NoRelations, C extends CountableOf<R> = never>(
    id: IdOf<DB, TB, PK>,
    options?: ReadOptions<Soft<SD>> & RelationReadOptions<R, I, C, false>,
  ): Promise<Loaded<DB, TB, R, I, C>> {
    const row = await this.#related<Loaded<DB, TB, R, I, C> | undefined>(options, 'one', (read) =>
      this.#findById(id, read),
    );
    return row ?? this.#table.notFound(id);
  }

  findByIds(ids: ReadonlyArray<IdOf<DB, TB, PK>>, options?: ReadOptions<Soft<SD>>): Promise<Row<DB, TB>[]> {
    return this.#run('findByIds', [ids, options]);
  }

  findOne<I extends IncludeOf<R> = NoRelations, C extends CountableOf<R> = never, X extends boolean = false>(
    where: Where<Row<DB, TB>>,
    options?: ReadOptions<Soft<SD>> & RelationReadOptions<R, I, C, X>,
  ): Promise<Explainable<X, Loaded<DB, TB, R, I, C> | undefined>> {
    return this.#related(options, 'one', (read) => this.#run('findOne', [where, read]));
  }

  findMany<I extends IncludeOf<R> = NoRelations, C extends CountableOf<R> = never, X extends boolean = false>(
    options: FindManyOptions<Row<DB, TB>, Soft<SD>> & RelationReadOptions<R, I, C, X> = {},
  ): Promise<Explainable<X, Loaded<DB, TB, R, I, C>[]>> {
    return this.#related(options, 'many', (read = {}) => this.#run('findMany', [read]));
  }

  count(where?: Where<Row<DB, TB>>, options?: ReadOptions<Soft<SD>>): Promise<number> {
    return this.#run('count', [where, options]);
  }

  exists(where: Where<Row<DB, TB>>, options?: ReadOptions<Soft<SD>>): Promise<boolean> {
    return this.#run('exists', [where, options]);
  }

  paginate<I extends IncludeOf<R> = NoRelations, C extends CountableOf<R> = never, X extends boolean = false>(
    options: PaginateOptions<Row<DB, TB>, Soft<SD>> & RelationReadOptions<R, I, C, X> = {},
  ): Promise<Explainable<X, Page<Loaded<DB, TB, R, I, C>>>> {
    return this.#related(options, 'page', (read = {}) => this.#run('paginate', [read]));
  }

  paginateByCursor<I extends IncludeOf<R> = NoRelations, C extends CountableOf<R> = never, X extends boolean = false>(
    options: CursorPaginateOptions<Row<DB, TB>, Soft<SD>> & RelationReadOptions<R, I, C, X> = {},
  ): Promise<Explainable<X, CursorPage<Loaded<DB, TB, R, I, C>>>> {
    return this.#related(options, 'page', (read = {}) => this.#run('paginateByCursor', [read]));
  }

  async *stream(where?: Where<Row<DB, TB>>, options: StreamOptions<Soft<SD>> = {}): AsyncIterable<Row<DB, TB>> {
    // The cursor's statements run while the caller iterates, after #run's routing scope
    // ended: each step runs in the scope again, so { consistency: 'strong' } keeps them on
    // the primary.
    const rows = await this.#run<AsyncIterable<Row<DB, TB>>>('stream', [where, options]);
    yield* isStrong(options) ? iterateWithin(rows, (step) => this.db.primary(step)) : rows;
  }

  create(input: Insertable<DB[TB]>): Promise<Row<DB, TB>> {
    return this.#run('create', [input]);
  }

  /** All or nothing; returned rows are in input order. */
  createMany(inputs: ReadonlyArray<Insertable<DB[TB]>>): Promise<Row<DB, TB>[]> {
    return this.#run('createMany', [inputs]);
  }

  update(
    id: IdOf<DB, TB, PK>,
    patch: Updateable<DB[TB]>,
    options?: VersionedWriteOptions<Row<DB, TB>>,
  ): Promise<Row<DB, TB>> {
    return this.#run('update', options === undefined ? [id, patch] : [id, patch, options]);
  }

  updateMany(where: Where<Row<DB, TB>>, patch: Updateable<DB[TB]>, options?: ManyRowsOptions): Promise<number> {
    return this.#run('updateMany', options === undefined ? [where, patch] : [where, patch, options]);
  }

  upsert(input: Insertable<DB[TB]>, options: UpsertOptions<Row<DB, TB>>): Promise<Row<DB, TB>> {
    return this.#run('upsert', [input, options]);
  }

  delete(id: IdOf<DB, TB, PK>, options?: VersionedWriteOptions<Row<DB, TB>>): Promise<void> {
    return this.#run('delete', options === undefined ? [id] : [id, options]);
  }

  hardDelete(id: IdOf<DB, TB, PK>, options?: VersionedWriteOptions<Row<DB, TB>>): Promise<void> {
    return this.#run('hardDelete', options === undefined ? [id] : [id, options]);
  }

  restore(this: BaseRepository<DB, TB, ColumnName<DB, TB>, PK, R>, id: IdOf<DB, TB, PK>): Promise<Row<DB, TB>> {
    return this.#run('restore', [id]);
  }

  /**
   * A select over this table with soft-delete and middleware scopes (tenant) already
   * applied: build custom finders on it and they stay safe by default.
   */
  protected query(): SelectQueryBuilder<DB, TB, Row<DB, TB>> {
    const repository = this.descriptor;
    // Synchronous, so column names are not checked against the catalog here: scope keys
    // come from middleware, and Kysely quotes them.
    const conditions = equalityConditions(
      collectScope(this.#middleware, { kind: 'query', repository, database: true }),
    );
    if (repository.softDelete) conditions.push({ column: repository.softDelete, op: 'null' });
    return this.#table.selectWhere(conditions) as unknown as SelectQueryBuilder<DB, TB, Row<DB, TB>>;
  }

  // ---- internals ----

  #findById(id: unknown, options?: unknown): Promise<Row<DB, TB> | undefined> {
    return this.#run('findById', [id, options]);
  }

  /** A read with `include` / `withCount` / `explain`: the read without them, then the relations. */
  #related<T>(options: unknown, shape: ResultShape, read: (options: unknown) => Promise<unknown>): Promise<T> {
    return readWithRelations<T>(this.#relations, options, shape, read);
  }

  /**
   * Runs one operation: through the middleware chain, then its implementation from the
   * operation table (`SQL_OPERATIONS`), or `impl` for a relation's batched read.
   */
  #run<T>(
    kind: OperationKind,
    args: unknown[],
    impl?: (op: RepositoryOperation, columns: TableColumns) => unknown,
  ): Promise<T> {
    // With replicas: writes (and what they read first) and strong reads use the primary.
    if (OPERATIONS[kind].access === 'write' || isStrong(argumentOf(kind, args, 'options')))
      return this.db.primary(() => this.#runChain(kind, args, impl));
    return runAsRead(this.db, () => this.#runChain<T>(kind, args, impl));
  }

  #runChain<T>(
    kind: OperationKind,
    args: unknown[],
    impl?: (op: RepositoryOperation, columns: TableColumns) => unknown,
  ): Promise<T> {
    const transaction = this.#middleware.length === 0 ? undefined : this.#currentTransaction;
    return runMiddleware(
      this.#middleware,
      { kind, args, repository: this.descriptor, transaction, session: this.#session, rows: this.#rows },
      (op) => {
        const columns = this.#columns.value;
        if (columns !== undefined) return this.#execute<T>(kind, op, columns, impl);
        return this.#columns.get().then((loaded) => this.#execute<T>(kind, op, loaded, impl));
      },
    );
  }

  // Not async: one `.then` (for the error mapping) instead of an async function and its
  // await, on every operation.
  #execute<T>(
    kind: OperationKind,
    op: RepositoryOperation,
    columns: TableColumns,
    impl: ((op: RepositoryOperation, columns: TableColumns) => unknown) | undefined,
  ): Promise<T> {
    let result: unknown;
    try {
      assertMiddlewareColumns(this.descriptor.table, columns, this.#middleware, this.descriptor, op.scope);
    } catch (error) {
      return rejectWith(error);
    }
    try {
      result = impl === undefined ? SQL_OPERATIONS[kind](this.#table, op, columns) : impl(op, columns);
    } catch (error) {
      return rejectWith(inputError(error, op, columns, this.descriptor));
    }
    return Promise.resolve(result as T).then(undefined, (error: unknown) => {
      throw inputError(error, op, columns, this.descriptor);
    });
  }

  async #readColumns(): Promise<TableColumns> {
    // The catalog of the primary: a replica may not have replayed a migration yet.
    const columns = await this.db.primary(() =>
      loadTableColumns(this.#table.kysely as Kysely<unknown>, this.descriptor.table),
    );
    const { primaryKey, softDelete, tenantColumn, version } = this.descriptor;
    const { createdAt, updatedAt } = this.#options.timestamps ?? {};
    assertVersionColumn(this.descriptor.table, columns, version);
    assertConfiguredColumns(this.descriptor.table, columns, {
      primaryKey,
      softDelete,
      tenantColumn,
      version,
      'timestamps.createdAt': createdAt,
      'timestamps.updatedAt': updatedAt,
    });
    return columns;
  }
}

/** `rows`, with every step of the iteration (and its end) run through `scope`. */
async function* iterateWithin<T>(
  rows: AsyncIterable<T>,
  scope: <S>(step: () => Promise<S>) => Promise<S>,
): AsyncGenerator<T, void, undefined> {
  const iterator = rows[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const step = await scope(() => iterator.next());
      if (step.done === true) {
        finished = true;
        return;
      }
      yield step.value;
    }
  } finally {
    // Stopped early (break, throw): close the cursor in the same scope.
    if (!finished && iterator.return !== undefined) await scope(() => iterator.return!());
  }
}

function isStrong(options: unknown): boolean {
  return typeof options === 'object' && options !== null && (options as ConsistencyOption).consistency === 'strong';
}
