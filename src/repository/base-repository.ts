import {
  CompiledQuery,
  type Insertable,
  type Kysely,
  type Selectable,
  type SelectQueryBuilder,
  type SelectType,
  type Updateable,
} from 'kysely';

import type { Database } from '../database.js';
import { ValidationError } from '../errors/application-errors.js';
import type {
  OperationKind,
  RepositoryDescriptor,
  RepositoryMiddleware,
  RepositoryOperation,
  SessionControl,
} from '../middleware/repository-middleware.js';
import { collectScope, runMiddleware } from '../middleware/run-middleware.js';
import { insertInChunks } from './batch-insert.js';
import { CachedLoad } from './cached-load.js';
import { checkRepositoryOptions } from './check-repository-options.js';
import type { TableColumns } from './column-types.js';
import { cursorBinding } from './cursor-binding.js';
import { type ColumnType, loadColumnTypes } from './cursor-column-types.js';
import { cursorPage } from './cursor-page.js';
import { cursorKeysOf } from './cursor-secrets.js';
import { filterValues, HotStatements } from './hot-statements.js';
import { assertFilterOrAll, assertKey, checkedKeys, inputError, type ManyRowsOptions } from './input-rules.js';
import { conditionsExpression, type LooseDB } from './kysely-conditions.js';
import { pinnedWhere, sqlOperationRows } from './operation-rows.js';
import { expectedVersionOf, staleOrMissing, type VersionedWriteOptions } from './optimistic-lock.js';
import { type OrderTerm, toOrderTerms } from './order-by.js';
import { checkedLimit, checkedPage } from './paging-limits.js';
import { prepareInsert, preparePatch } from './prepare-input.js';
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
import { rowNotFound } from './row-not-found.js';
import { sqlSession } from './sql-session.js';
import { assertConfiguredColumns, assertMiddlewareColumns, loadTableColumns } from './table-columns.js';
import { nowColumns, SQL_NOW, updatedAtNow } from './timestamps.js';
import { upsertRow } from './upsert.js';
import { assertVersionColumn, versionColumns, versionConditions, versionIncrement } from './version-sql.js';
import { type Condition, equalityConditions, scopeConditions, toConditions, type Where } from './where-filter.js';

type Row<DB, TB extends TableName<DB>> = Selectable<DB[TB]>;
/** The primary key's type (its select type). */
export type IdOf<DB, TB extends TableName<DB>, PK extends ColumnName<DB, TB>> = SelectType<DB[TB][PK]>;
type Loose = Record<string, unknown>;
type Soft<SD> = SD extends string ? true : false;
type Loaded<DB, TB extends TableName<DB>, R, I, C extends string> = WithRelations<Row<DB, TB>, R, I, C>;

/**
 * Typed CRUD over one table, usable directly or as a base class for custom finders.
 * Every method runs through the middleware chain, honours the ambient transaction, and
 * checks column names against the table before any SQL is built.
 *
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
  readonly #relations: RelationSource;
  readonly #middleware: readonly RepositoryMiddleware[];
  readonly #hot: HotStatements;
  readonly #session: SessionControl;
  readonly #currentTransaction = () => this.db.currentTransaction();
  readonly #rows = (op: RepositoryOperation) =>
    sqlOperationRows(op, {
      kysely: this.#loose,
      descriptor: this.descriptor,
      columns: () => this.#columns.get(),
      prepareInsert: (input, columns) => prepareInsert(input, this.#inputContext(op, columns)),
    });
  readonly #columns = new CachedLoad(() => this.#readColumns());
  /** Column types for keyset cursors, read once on the first `paginateByCursor`. */
  readonly #types = new CachedLoad<ReadonlyMap<string, ColumnType>>(() =>
    loadColumnTypes(this.#loose as Kysely<unknown>, this.descriptor.table),
  );

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
    this.#hot = new HotStatements(options.table, this.descriptor.primaryKey);
    this.#relations = sqlRelationSource({
      descriptor: this.descriptor,
      relations: options.relations ?? {},
      kysely: () => this.#loose,
      columns: () => this.#columns.get(),
      types: () => this.#types.get(),
      run: (kind, args, impl) => this.#run(kind, args, impl),
      filters: (op, columns) => this.#filters(op, columns, undefined),
      terms: (orderBy, columns) => this.#terms(orderBy, columns),
    });
    registerRelationSource(this, this.#relations);
  }

  findById<I extends IncludeOf<R> = NoRelations, C extends CountableOf<R> = never, X extends boolean = false>(
    id: IdOf<DB, TB, PK>,
    options?: ReadOptions<Soft<SD>> & RelationReadOptions<R, I, C, X>,
  ): Promise<Explainable<X, Loaded<DB, TB, R, I, C> | undefined>> {
    return this.#related(options, 'one', (read) => this.#findById(id, read));
  }

  #findById(id: unknown, options: unknown): Promise<Row<DB, TB> | undefined> {
    return this.#run('findById', [id, options], async (op, columns) => {
      const [key, read] = op.args as [unknown, ReadArg];
      this.#assertKey(key, columns);
      const filters = this.#filters(op, columns, read);
      const statement = this.#hot.findById(filters);
      const { rows } = await this.#loose.executeQuery<Row<DB, TB>>(
        CompiledQuery.raw(statement.sql, statement.values(key)),
      );
      return rows[0];
    });
  }

  async getById<I extends IncludeOf<R> = NoRelations, C extends CountableOf<R> = never>(
    id: IdOf<DB, TB, PK>,
    options?: ReadOptions<Soft<SD>> & RelationReadOptions<R, I, C, false>,
  ): Promise<Loaded<DB, TB, R, I, C>> {
    const row = await this.#related<Loaded<DB, TB, R, I, C> | undefined>(options, 'one', (read) =>
      this.#findById(id, read),
    );
    return row ?? this.#notFound(id);
  }

  findByIds(
    ids: ReadonlyArray<IdOf<DB, TB, PK>>,
    options?: ReadOptions<SD extends string ? true : false>,
  ): Promise<Row<DB, TB>[]> {
    return this.#run('findByIds', [ids, options], async (op, columns) => {
      const keys = checkedKeys(op.args[0], columns, this.descriptor.table, this.descriptor.primaryKey);
      const read = op.args[1] as ReadArg;
      if (keys.length === 0) return [];
      return (await this.#selectWhere([
        ...this.#filters(op, columns, read),
        { column: this.descriptor.primaryKey, op: 'in', values: keys },
      ]).execute()) as Row<DB, TB>[];
    });
  }

  findOne<I extends IncludeOf<R> = NoRelations, C extends CountableOf<R> = never, X extends boolean = false>(
    where: Where<Row<DB, TB>>,
    options?: ReadOptions<Soft<SD>> & RelationReadOptions<R, I, C, X>,
  ): Promise<Explainable<X, Loaded<DB, TB, R, I, C> | undefined>> {
    return this.#related(options, 'one', (read) =>
      this.#run('findOne', [where, read], async (op, columns) => {
        const [filter, read] = op.args as [unknown, ReadArg];
        const query = this.#ordered(
          this.#selectWhere(this.#readConditions(op, columns, filter, read)),
          this.#terms(undefined, columns),
        );
        return (await query.limit(1).executeTakeFirst()) as Row<DB, TB> | undefined;
      }),
    );
  }

  findMany<I extends IncludeOf<R> = NoRelations, C extends CountableOf<R> = never, X extends boolean = false>(
    options: FindManyOptions<Row<DB, TB>, Soft<SD>> & RelationReadOptions<R, I, C, X> = {},
  ): Promise<Explainable<X, Loaded<DB, TB, R, I, C>[]>> {
    return this.#related(options, 'many', (read = {}) =>
      this.#run('findMany', [read], async (op, columns) => {
        const [opts] = op.args as [FindManyOptions<Loose, true>];
        let query = this.#ordered(
          this.#selectWhere(this.#readConditions(op, columns, opts.where, opts)),
          this.#terms(opts.orderBy, columns),
        );
        if (opts.limit !== undefined)
          query = query.limit(checkedLimit(opts.limit, 'limit', Number.MAX_SAFE_INTEGER, 0));
        if (opts.offset !== undefined)
          query = query.offset(checkedLimit(opts.offset, 'offset', Number.MAX_SAFE_INTEGER, 0));
        return (await query.execute()) as Row<DB, TB>[];
      }),
    );
  }

  count(where?: Where<Row<DB, TB>>, options?: ReadOptions<SD extends string ? true : false>): Promise<number> {
    return this.#run('count', [where, options], async (op, columns) => {
      const [filter, read] = op.args as [unknown, ReadArg];
      return this.#count(this.#readConditions(op, columns, filter, read));
    });
  }

  exists(where: Where<Row<DB, TB>>, options?: ReadOptions<SD extends string ? true : false>): Promise<boolean> {
    return this.#run('exists', [where, options], async (op, columns) => {
      const [filter, read] = op.args as [unknown, ReadArg];
      const conditions = this.#readConditions(op, columns, filter, read);
      const row = await this.#from(conditions)
        .select((eb) => eb.lit(1).as('found'))
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    });
  }

  paginate<I extends IncludeOf<R> = NoRelations, C extends CountableOf<R> = never, X extends boolean = false>(
    options: PaginateOptions<Row<DB, TB>, Soft<SD>> & RelationReadOptions<R, I, C, X> = {},
  ): Promise<Explainable<X, Page<Loaded<DB, TB, R, I, C>>>> {
    return this.#related(options, 'page', (read = {}) =>
      this.#run('paginate', [read], async (op, columns) => {
        const [opts] = op.args as [PaginateOptions<Loose, true>];
        const page = checkedPage(opts.page ?? 1);
        const pageSize = checkedLimit(opts.pageSize ?? 20, 'pageSize', 1_000, 1);
        const conditions = this.#readConditions(op, columns, opts.where, opts);
        const query = this.#ordered(this.#selectWhere(conditions), this.#terms(opts.orderBy, columns));
        const [items, total] = await Promise.all([
          query
            .limit(pageSize)
            .offset((page - 1) * pageSize)
            .execute(),
          this.#count(conditions),
        ]);
        return { items: items as Row<DB, TB>[], total, page, pageSize, totalPages: Math.ceil(total / pageSize) };
      }),
    );
  }

  paginateByCursor<I extends IncludeOf<R> = NoRelations, C extends CountableOf<R> = never, X extends boolean = false>(
    options: CursorPaginateOptions<Row<DB, TB>, Soft<SD>> & RelationReadOptions<R, I, C, X> = {},
  ): Promise<Explainable<X, CursorPage<Loaded<DB, TB, R, I, C>>>> {
    return this.#related(options, 'page', (read = {}) =>
      this.#run('paginateByCursor', [read], async (op, columns) => {
        const [opts] = op.args as [CursorPaginateOptions<Loose, true>];
        const limit = checkedLimit(opts.limit ?? 20, 'limit', 1_000, 1);
        const terms = this.#terms(opts.orderBy, columns);
        const query = this.#ordered(this.#selectWhere(this.#readConditions(op, columns, opts.where, opts)), terms);
        const binding = cursorBinding(this.descriptor.table, opts.where, op.scope);
        return cursorPage<Row<DB, TB>>({
          query,
          terms,
          limit,
          after: opts.after,
          types: await this.#types.get(),
          binding,
          keys: cursorKeysOf(this.db),
        });
      }),
    );
  }

  async *stream(
    where?: Where<Row<DB, TB>>,
    options: StreamOptions<SD extends string ? true : false> = {},
  ): AsyncIterable<Row<DB, TB>> {
    const rows = await this.#run('stream', [where, options], (op, columns) => {
      const [filter, opts] = op.args as [unknown, StreamOptions<true>];
      const batchSize = checkedLimit(opts.batchSize ?? 500, 'batchSize', 100_000, 1);
      return this.#ordered(
        this.#selectWhere(this.#readConditions(op, columns, filter, opts)),
        this.#terms(undefined, columns),
      ).stream(batchSize);
    });
    yield* rows as AsyncIterable<Row<DB, TB>>;
  }

  create(input: Insertable<DB[TB]>): Promise<Row<DB, TB>> {
    return this.#run('create', [input], async (op, columns) => {
      const row = prepareInsert(op.args[0], this.#inputContext(op, columns));
      const keys = Object.keys(row);
      const sql = this.#hot.insert(keys, nowColumns(this.#options.timestamps, keys, 'create'));
      const { rows } = await this.#loose.executeQuery<Row<DB, TB>>(
        CompiledQuery.raw(
          sql,
          keys.map((key) => row[key]),
        ),
      );
      return rows[0] as Row<DB, TB>;
    });
  }

  createMany(inputs: ReadonlyArray<Insertable<DB[TB]>>): Promise<Row<DB, TB>[]> {
    return this.#run('createMany', [inputs], async (op, columns) => {
      const [items] = op.args as [unknown[]];
      // Validate everything first: an invalid item means nothing is written.
      const rows = items.map((item) => prepareInsert(item, this.#inputContext(op, columns)));
      const now = nowColumns(this.#options.timestamps, [], 'create');
      const { table, primaryKey } = this.descriptor;
      return insertInChunks<Row<DB, TB>>({
        inTransaction: (work) => this.db.transaction(work),
        kysely: this.#loose,
        table,
        primaryKey,
        rows,
        nowColumns: now,
      });
    });
  }

  update(
    id: IdOf<DB, TB, PK>,
    patch: Updateable<DB[TB]>,
    options?: VersionedWriteOptions<Row<DB, TB>>,
  ): Promise<Row<DB, TB>> {
    return this.#run('update', options === undefined ? [id, patch] : [id, patch, options], async (op, columns) => {
      const [key, input, given] = op.args as [unknown, unknown, unknown];
      this.#assertKey(key, columns);
      const values = preparePatch(input, this.#inputContext(op, columns), key);
      const expected = expectedVersionOf(given, key, this.descriptor);
      const keys = Object.keys(values);
      const filters = this.#filters(op, columns, undefined);
      const checked = [...filters, ...versionConditions(this.descriptor, expected)];
      const now = nowColumns(this.#options.timestamps, keys, 'update');
      const versioned = versionColumns(this.descriptor);
      if (keys.length === 0 && now.length === 0 && versioned.length === 0)
        return (await this.#findById(key, undefined)) ?? this.#notFound(key);
      const sql = this.#hot.update(keys, now, checked, versioned);
      const parameters = [...keys.map((column) => values[column]), key, ...filterValues(checked)];
      const { rows } = await this.#loose.executeQuery<Row<DB, TB>>(CompiledQuery.raw(sql, parameters));
      return rows[0] ?? (await this.#staleOrMissing(filters, key, expected));
    });
  }

  updateMany(where: Where<Row<DB, TB>>, patch: Updateable<DB[TB]>, options?: ManyRowsOptions): Promise<number> {
    return this.#run(
      'updateMany',
      options === undefined ? [where, patch] : [where, patch, options],
      async (op, columns) => {
        const [filter, input, many] = op.args as [unknown, unknown, unknown];
        assertFilterOrAll(filter, many, this.descriptor.table, 'updateMany');
        const conditions = this.#readConditions(op, columns, filter, undefined);
        const values: Loose = { ...preparePatch(input, this.#inputContext(op, columns)) };
        for (const column of nowColumns(this.#options.timestamps, Object.keys(values), 'update'))
          values[column] = SQL_NOW;
        Object.assign(values, versionIncrement(this.descriptor));
        if (Object.keys(values).length === 0) return this.#count(conditions);
        const result = await this.#loose
          .updateTable(this.descriptor.table)
          .set(values)
          .where((eb) => pinnedWhere(eb, op, this.descriptor.primaryKey, conditions))
          .executeTakeFirst();
        return Number(result.numUpdatedRows);
      },
    );
  }

  upsert(input: Insertable<DB[TB]>, options: UpsertOptions<Row<DB, TB>>): Promise<Row<DB, TB>> {
    return this.#run('upsert', [input, options], async (op, columns) => {
      const [raw, { conflictColumns }] = op.args as [unknown, UpsertOptions<Loose>];
      return upsertRow<Row<DB, TB>>({
        kysely: this.#loose,
        descriptor: this.descriptor,
        row: prepareInsert(raw, this.#inputContext(op, columns)),
        conflictColumns: [...conflictColumns],
        columns,
        scope: scopeConditions(op.scope, columns, this.descriptor.table),
        nowOnInsert: nowColumns(this.#options.timestamps, [], 'create'),
        updatedAt: this.#options.timestamps?.updatedAt,
        createdAt: this.#options.timestamps?.createdAt,
      });
    });
  }

  delete(id: IdOf<DB, TB, PK>, options?: VersionedWriteOptions<Row<DB, TB>>): Promise<void> {
    return this.#run('delete', options === undefined ? [id] : [id, options], async (op, columns) => {
      const [key, given] = op.args;
      this.#assertKey(key, columns);
      const softDelete = this.descriptor.softDelete;
      if (softDelete === undefined) return this.#hardDelete(op, columns);
      const expected = expectedVersionOf(given, key, this.descriptor);
      const filters = this.#filters(op, columns, undefined);
      const found = await this.#loose
        .updateTable(this.descriptor.table)
        .set({ [softDelete]: SQL_NOW, ...versionIncrement(this.descriptor) })
        .where((eb) =>
          conditionsExpression(eb, [
            ...filters,
            ...versionConditions(this.descriptor, expected),
            { column: this.descriptor.primaryKey, op: 'eq', value: key },
          ]),
        )
        .returning(this.descriptor.primaryKey)
        .executeTakeFirst();
      if (!found) await this.#staleOrMissing(filters, key, expected);
    });
  }

  hardDelete(id: IdOf<DB, TB, PK>, options?: VersionedWriteOptions<Row<DB, TB>>): Promise<void> {
    return this.#run('hardDelete', options === undefined ? [id] : [id, options], (op, columns) =>
      this.#hardDelete(op, columns),
    );
  }

  restore(this: BaseRepository<DB, TB, ColumnName<DB, TB>, PK, R>, id: IdOf<DB, TB, PK>): Promise<Row<DB, TB>> {
    return this.#run('restore', [id], async (op, columns) => {
      const softDelete = this.#requireSoftDelete('restore()');
      this.#assertKey(op.args[0], columns);
      const conditions: Condition[] = [
        ...scopeConditions(op.scope, columns, this.descriptor.table),
        { column: this.descriptor.primaryKey, op: 'eq', value: op.args[0] },
      ];
      const row = await this.#loose
        .updateTable(this.descriptor.table)
        .set({ [softDelete]: null, ...updatedAtNow(this.#options.timestamps), ...versionIncrement(this.descriptor) })
        .where((eb) => eb.and([conditionsExpression(eb, conditions), eb(softDelete, 'is not', null)]))
        .returningAll()
        .executeTakeFirst();
      return (row as Row<DB, TB> | undefined) ?? this.#notFound(op.args[0]);
    });
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
    return this.#selectWhere(conditions) as unknown as SelectQueryBuilder<DB, TB, Row<DB, TB>>;
  }

  // ---- internals ----

  get #loose(): Kysely<LooseDB> {
    return this.db.kysely as unknown as Kysely<LooseDB>;
  }

  /** A read with `include` / `withCount` / `explain`: the read without them, then the relations. */
  #related<T>(options: unknown, shape: ResultShape, read: (options: unknown) => Promise<unknown>): Promise<T> {
    return readWithRelations<T>(this.#relations, options, shape, read);
  }

  #run<T>(
    kind: OperationKind,
    args: unknown[],
    impl: (op: RepositoryOperation, columns: TableColumns) => T | Promise<T>,
  ): Promise<T> {
    const transaction = this.#middleware.length === 0 ? undefined : this.#currentTransaction;
    return runMiddleware(
      this.#middleware,
      { kind, args, repository: this.descriptor, transaction, session: this.#session, rows: this.#rows },
      async (op) => {
        const columns = this.#columns.value ?? (await this.#columns.get());
        assertMiddlewareColumns(this.descriptor.table, columns, this.#middleware, this.descriptor, op.scope);
        try {
          return await impl(op, columns);
        } catch (error) {
          throw inputError(error, op, columns, this.descriptor);
        }
      },
    );
  }

  async #readColumns(): Promise<TableColumns> {
    const columns = await loadTableColumns(this.#loose as Kysely<unknown>, this.descriptor.table);
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

  #filters(op: RepositoryOperation, columns: ReadonlySet<string>, read: ReadArg): Condition[] {
    const filters = scopeConditions(op.scope, columns, this.descriptor.table);
    if (read?.withDeleted === true) this.#requireSoftDelete('withDeleted');
    else if (this.descriptor.softDelete) filters.push({ column: this.descriptor.softDelete, op: 'null' });
    return filters;
  }

  #readConditions(op: RepositoryOperation, columns: ReadonlySet<string>, where: unknown, read: ReadArg): Condition[] {
    return [...toConditions(where, columns, this.descriptor.table), ...this.#filters(op, columns, read)];
  }

  #terms(orderBy: unknown, columns: ReadonlySet<string>): OrderTerm[] {
    return toOrderTerms(
      orderBy,
      this.#options.defaultOrderBy,
      columns,
      this.descriptor.primaryKey,
      this.descriptor.table,
    );
  }

  #from(conditions: readonly Condition[]) {
    const query = this.#loose.selectFrom(this.descriptor.table);
    return conditions.length === 0 ? query : query.where((eb) => conditionsExpression(eb, conditions));
  }

  #selectWhere(conditions: readonly Condition[]): LooseSelect {
    return this.#from(conditions).selectAll();
  }

  #ordered(query: LooseSelect, terms: readonly OrderTerm[]): LooseSelect {
    return terms.reduce((ordered, term) => ordered.orderBy(term.column, term.direction), query);
  }

  async #count(conditions: readonly Condition[]): Promise<number> {
    const row = await this.#from(conditions)
      .select((eb) => eb.fn.countAll().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async #hardDelete(op: RepositoryOperation, columns: ReadonlySet<string>): Promise<void> {
    const [key, given] = op.args;
    this.#assertKey(key, columns);
    const expected = expectedVersionOf(given, key, this.descriptor);
    const scope = scopeConditions(op.scope, columns, this.descriptor.table);
    const conditions: Condition[] = [
      ...scope,
      ...versionConditions(this.descriptor, expected),
      { column: this.descriptor.primaryKey, op: 'eq', value: key },
    ];
    const result = await this.#loose
      .deleteFrom(this.descriptor.table)
      .where((eb) => conditionsExpression(eb, conditions))
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) await this.#staleOrMissing(scope, key, expected);
  }

  /** After a write by id matched nothing: stale when the row is there at another version, else not found. */
  async #staleOrMissing(filters: readonly Condition[], key: unknown, expected: unknown): Promise<never> {
    if (expected === undefined) this.#notFound(key);
    const statement = this.#hot.findById(filters);
    const { rows } = await this.#loose.executeQuery<Loose>(CompiledQuery.raw(statement.sql, statement.values(key)));
    throw staleOrMissing(rows[0], key, expected, this.descriptor, () =>
      rowNotFound(this.descriptor.table, this.descriptor.primaryKey, key),
    );
  }

  #inputContext(op: RepositoryOperation, columns: ReadonlySet<string>) {
    return {
      table: this.descriptor.table,
      columns,
      scope: op.scope,
      schemas: this.#options.schemas,
      primaryKey: this.descriptor.primaryKey,
      version: this.descriptor.version,
    };
  }

  #assertKey(id: unknown, columns: ReadonlySet<string>): void {
    assertKey(id, columns, this.descriptor.table, this.descriptor.primaryKey);
  }

  #requireSoftDelete(what: string): string {
    const column = this.descriptor.softDelete;
    if (column === undefined) {
      throw new ValidationError(
        `${what} needs a soft-delete column, and repository "${this.descriptor.table}" has none`,
        [{ path: [what], message: 'repository has no softDelete column', code: 'soft_delete_unavailable' }],
      );
    }
    return column;
  }

  #notFound(id: unknown): never {
    throw rowNotFound(this.descriptor.table, this.descriptor.primaryKey, id);
  }
}

type ReadArg = { withDeleted?: boolean } | undefined;
type LooseSelect = SelectQueryBuilder<LooseDB, string, Loose>;
