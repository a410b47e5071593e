import { type NotFoundError, ValidationError } from '../errors/application-errors.js';
import { argumentOf } from '../middleware/operations.js';
import type {
  OperationKind,
  RepositoryDescriptor,
  RepositoryMiddleware,
  RepositoryOperation,
} from '../middleware/repository-middleware.js';
import { runMiddleware } from '../middleware/run-middleware.js';
import { cursorBinding } from '../repository/cursor-binding.js';
import { type CursorContext, decodeCursor, encodeCursor } from '../repository/cursor-codec.js';
import { cursorKeys } from '../repository/cursor-signing.js';
import { jsCursorText, jsCursorValue } from '../repository/cursor-values.js';
import { assertFilterOrAll, checkedKeys, type ManyRowsOptions } from '../repository/input-rules.js';
import { expectedVersionOf, staleOrMissing, type VersionedWriteOptions } from '../repository/optimistic-lock.js';
import { compareRows } from '../repository/order-by.js';
import { checkedLimit, checkedPage } from '../repository/paging-limits.js';
import { registerRelationSource, type RelationSource } from '../repository/relations/relation-source.js';
import type {
  CountableOf,
  Explainable,
  IncludeOf,
  NoRelations,
  RelatedTypes,
  RelationReadOptions,
  RelationsOf,
  WithRelations,
} from '../repository/relations/relation-types.js';
import { readWithRelations, type ResultShape } from '../repository/relations/with-relations.js';
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
} from '../repository/repository-contract.js';
import { rowNotFound } from '../repository/row-not-found.js';
import { assertMiddlewareColumns } from '../repository/table-columns.js';
import {
  type Condition,
  matches,
  scopeConditions,
  sqlEquals,
  toConditions,
  type Where,
} from '../repository/where-filter.js';
import { optionsOf } from './in-memory-checks.js';
import { inMemoryOperationRows } from './in-memory-operation-rows.js';
import { inMemoryRelationSource } from './in-memory-relation-source.js';
import { cloneRow, type StoredRow } from './in-memory-store.js';
import { type InMemoryRepositoryOptions, InMemoryTable } from './in-memory-table.js';

export type { InMemoryRepositoryOptions } from './in-memory-table.js';

/**
 * An in-memory `Repository` for unit tests. It shares the where, order, cursor, validation
 * and middleware helpers with `BaseRepository`, and the shared contract suite runs against
 * both, so service code that passes with the fake behaves the same on PostgreSQL.
 *
 * Rows are stored and returned as deep copies (`structuredClone`; Dates stay Dates).
 *
 * Known divergences from PostgreSQL:
 * - strings order by UTF-16 code units, not the database collation;
 * - ids come from `generateId` (default: integers from 1, past the largest integer id stored;
 *   `clear()` restarts them), not from a sequence;
 * - NOT NULL (except on the primary key), CHECK and foreign keys are not emulated; a column
 *   neither given nor defaulted is stored as `null`;
 * - column defaults come from `defaults`, not from the table definition;
 * - every operation sees the latest state: there are no transactions or isolation, and
 *   `stream` iterates over a snapshot taken when iteration starts.
 */
export class InMemoryRepository<
  Row extends object,
  Insert = Partial<Row>,
  Update = Partial<Row>,
  Id = Row extends { id: infer I } ? I : unknown,
  SoftDeletable extends boolean = false,
  Relations extends RelationsOf<Relations> = NoRelations,
> implements Repository<Row, Insert, Update, Id, SoftDeletable, Relations> {
  /** Type-only: makes the `this` type of `restore` reject repositories without soft delete. */
  declare private readonly softDeletable: SoftDeletable;
  /** Type-only (never set): the row and relations that `hasMany(() => this, ...)` reads. */
  declare readonly '~relations'?: RelatedTypes<Row, Relations>;
  private table: InMemoryTable;
  private readonly descriptor: RepositoryDescriptor;
  private readonly relationSource: RelationSource;

  constructor(private readonly options: InMemoryRepositoryOptions<Row, Relations>) {
    this.table = new InMemoryTable(options);
    const { name: table, primaryKey, softDelete } = this.table;
    this.descriptor = Object.freeze({
      table,
      primaryKey,
      softDelete,
      tenantColumn: options.tenantColumn,
      version: options.version,
    });
    if (options.seed !== undefined) this.table.seed(options.seed);
    this.relationSource = inMemoryRelationSource({
      table: () => this.table,
      relations: options.relations ?? {},
      run: (kind, args, execute) => this.run(kind, args, execute),
      output: (row) => this.output(row) as Record<string, unknown>,
    });
    registerRelationSource(this, this.relationSource);
  }

  findById<
    I extends IncludeOf<Relations> = NoRelations,
    C extends CountableOf<Relations> = never,
    X extends boolean = false,
  >(
    id: Id,
    options?: ReadOptions<SoftDeletable> & RelationReadOptions<Relations, I, C, X>,
  ): Promise<Explainable<X, WithRelations<Row, Relations, I, C> | undefined>> {
    return this.related(options, 'one', (read) =>
      this.run('findById', [id, read], (op) => {
        const row = this.visibleRows(op, undefined, op.args[1], [this.table.byId(op.args[0])])[0];
        return row === undefined ? undefined : this.output(row);
      }),
    );
  }

  /** Runs as a `findById` operation (middleware sees that kind) and throws when it finds nothing. */
  async getById<I extends IncludeOf<Relations> = NoRelations, C extends CountableOf<Relations> = never>(
    id: Id,
    options?: ReadOptions<SoftDeletable> & RelationReadOptions<Relations, I, C, false>,
  ): Promise<WithRelations<Row, Relations, I, C>> {
    const row = await this.findById<I, C>(id, options);
    if (row === undefined) throw this.notFound(id);
    return row;
  }

  findByIds(ids: readonly Id[], options?: ReadOptions<SoftDeletable>): Promise<Row[]> {
    return this.run('findByIds', [ids, options], (op) => {
      const [ids, readOptions] = op.args;
      const list = checkedKeys(ids, this.table.columns, this.table.name, this.table.primaryKey);
      const condition: Condition = { column: this.table.primaryKey, op: 'in', values: list };
      return this.table
        .sorted(this.visibleRows(op, undefined, readOptions, [condition]), this.table.terms(undefined))
        .map((row) => this.output(row));
    });
  }

  findOne<
    I extends IncludeOf<Relations> = NoRelations,
    C extends CountableOf<Relations> = never,
    X extends boolean = false,
  >(
    where: Where<Row>,
    options?: ReadOptions<SoftDeletable> & RelationReadOptions<Relations, I, C, X>,
  ): Promise<Explainable<X, WithRelations<Row, Relations, I, C> | undefined>> {
    return this.related(options, 'one', (read) =>
      this.run('findOne', [where, read], (op) => {
        const terms = this.table.terms(undefined);
        const row = this.table.sorted(this.visibleRows(op, op.args[0], op.args[1]), terms)[0];
        return row === undefined ? undefined : this.output(row);
      }),
    );
  }

  findMany<
    I extends IncludeOf<Relations> = NoRelations,
    C extends CountableOf<Relations> = never,
    X extends boolean = false,
  >(
    options: FindManyOptions<Row, SoftDeletable> & RelationReadOptions<Relations, I, C, X> = {},
  ): Promise<Explainable<X, WithRelations<Row, Relations, I, C>[]>> {
    return this.related(options, 'many', (read = {}) => this.findRows(read));
  }

  private findRows(options: unknown): Promise<Row[]> {
    return this.run('findMany', [options], (op) => {
      const given = optionsOf(op.args[0]);
      const terms = this.table.terms(given.orderBy);
      const limit =
        given.limit === undefined ? undefined : checkedLimit(given.limit, 'limit', Number.MAX_SAFE_INTEGER, 0);
      const offset = given.offset === undefined ? 0 : checkedLimit(given.offset, 'offset', Number.MAX_SAFE_INTEGER, 0);
      const rows = this.table.sorted(this.visibleRows(op, given.where, given), terms);
      return rows.slice(offset, limit === undefined ? undefined : offset + limit).map((row) => this.output(row));
    });
  }

  count(where?: Where<Row>, options?: ReadOptions<SoftDeletable>): Promise<number> {
    return this.run('count', [where, options], (op) => this.visibleRows(op, op.args[0], op.args[1]).length);
  }

  exists(where: Where<Row>, options?: ReadOptions<SoftDeletable>): Promise<boolean> {
    return this.run('exists', [where, options], (op) => this.visibleRows(op, op.args[0], op.args[1]).length > 0);
  }

  paginate<
    I extends IncludeOf<Relations> = NoRelations,
    C extends CountableOf<Relations> = never,
    X extends boolean = false,
  >(
    options: PaginateOptions<Row, SoftDeletable> & RelationReadOptions<Relations, I, C, X> = {},
  ): Promise<Explainable<X, Page<WithRelations<Row, Relations, I, C>>>> {
    return this.related(options, 'page', (read = {}) => this.pageRows(read));
  }

  private pageRows(options: unknown): Promise<Page<Row>> {
    return this.run('paginate', [options], (op) => {
      const given = optionsOf(op.args[0]);
      const page = checkedPage(given.page ?? 1);
      const pageSize = checkedLimit(given.pageSize ?? 20, 'pageSize', 1_000, 1);
      const rows = this.table.sorted(this.visibleRows(op, given.where, given), this.table.terms(given.orderBy));
      const items = rows.slice((page - 1) * pageSize, page * pageSize).map((row) => this.output(row));
      return { items, total: rows.length, page, pageSize, totalPages: Math.ceil(rows.length / pageSize) };
    });
  }

  paginateByCursor<
    I extends IncludeOf<Relations> = NoRelations,
    C extends CountableOf<Relations> = never,
    X extends boolean = false,
  >(
    options: CursorPaginateOptions<Row, SoftDeletable> & RelationReadOptions<Relations, I, C, X> = {},
  ): Promise<Explainable<X, CursorPage<WithRelations<Row, Relations, I, C>>>> {
    return this.related(options, 'page', (read = {}) => this.cursorRows(read));
  }

  private cursorRows(options: unknown): Promise<CursorPage<Row>> {
    return this.run('paginateByCursor', [options], (op) => {
      const given = optionsOf(op.args[0]);
      const limit = checkedLimit(given.limit ?? 20, 'limit', 1_000, 1);
      const terms = this.table.terms(given.orderBy);
      let rows = this.table.sorted(this.visibleRows(op, given.where, given), terms);
      // The same cursor format, binding and signing as BaseRepository; values are the fake's own JavaScript values.
      const context: CursorContext = {
        terms,
        binding: cursorBinding(this.table.name, given.where, op.scope),
        keys: cursorKeys(this.options.cursorSecret),
        // The fake has no catalog: a column's type is that of the values it holds.
        types: terms.map(
          (term) =>
            jsCursorText(rows.find((row) => row[term.column] !== null && row[term.column] !== undefined)?.[term.column])
              ?.type,
        ),
        isValid: (text, type) => jsCursorValue(text, type) !== undefined,
      };
      if (given.after !== undefined) {
        const values = decodeCursor(given.after, context);
        const position = Object.fromEntries(
          terms.map((term, index) => [term.column, jsCursorValue(values[index]!.text, values[index]!.type)]),
        );
        rows = rows.filter((row) => compareRows(row, position, terms) > 0);
      }
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      const hasNextPage = rows.length > limit;
      const nextCursor =
        hasNextPage && last !== undefined
          ? encodeCursor(
              terms.map((term) => jsCursorText(last[term.column])),
              context,
            )
          : undefined;
      return { items: items.map((row) => this.output(row)), nextCursor, hasNextPage };
    });
  }

  stream(where?: Where<Row>, options: StreamOptions<SoftDeletable> = {}): AsyncIterable<Row> {
    return this.streamRows(where, options);
  }

  create(input: Insert): Promise<Row> {
    return this.run('create', [input], (op) => {
      const { values } = this.table.prepareInsert(op.args[0], op.scope, new Date());
      this.table.store.commit({ insert: [values] });
      return this.output(values);
    });
  }

  createMany(inputs: readonly Insert[]): Promise<Row[]> {
    return this.run('createMany', [inputs], (op) => {
      const [list] = op.args;
      if (!Array.isArray(list))
        throw new ValidationError('inputs must be an array', [
          { path: ['inputs'], message: 'expected an array', code: 'invalid_type' },
        ]);
      const now = new Date();
      const rows = list.map((input: unknown) => this.table.prepareInsert(input, op.scope, now).values);
      if (rows.length > 0) this.table.store.commit({ insert: rows });
      return rows.map((row) => this.output(row));
    });
  }

  update(id: Id, patch: Update, options?: VersionedWriteOptions<Row>): Promise<Row> {
    return this.run('update', options === undefined ? [id, patch] : [id, patch, options], (op) => {
      const key = this.table.byId(op.args[0]);
      const changes = this.table.preparePatch(op.args[1], op.scope, op.args[0]);
      const row = this.lockedRow(op, this.visibleRows(op, undefined, undefined, [key])[0]);
      const next = this.table.applyPatch(row, changes, new Date());
      this.table.store.commit({ replace: [[row, next]] });
      return this.output(next);
    });
  }

  updateMany(where: Where<Row>, patch: Update, options?: ManyRowsOptions): Promise<number> {
    return this.run('updateMany', options === undefined ? [where, patch] : [where, patch, options], (op) => {
      assertFilterOrAll(op.args[0], op.args[2], this.table.name, 'updateMany');
      const rows = this.visibleRows(op, op.args[0], undefined);
      const changes = this.table.preparePatch(op.args[1], op.scope);
      const now = new Date();
      if (rows.length > 0)
        this.table.store.commit({
          replace: rows.map((row) => [row, this.table.applyPatch(row, changes, now)] as const),
        });
      return rows.length;
    });
  }

  upsert(input: Insert, options: UpsertOptions<Row>): Promise<Row> {
    return this.run('upsert', [input, options], (op) => {
      const key = this.table.conflictKey(optionsOf(op.args[1]).conflictColumns);
      const now = new Date();
      const { values, given } = this.table.prepareInsert(op.args[0], op.scope, now);
      const existing = key.columns.some((column) => values[column] === null)
        ? undefined
        : this.table.store.rows.find((row) => key.columns.every((column) => sqlEquals(row[column], values[column])));
      if (existing !== undefined && !this.table.isDeleted(existing) && matches(existing, this.scopeOf(op))) {
        // As ON CONFLICT DO UPDATE: the input's other columns, never the key or createdAt; updatedAt = now.
        const next = this.table.applyPatch(existing, this.table.upsertChanges(given, key), now, true);
        this.table.store.commit({ replace: [[existing, next]] });
        return this.output(next);
      }
      // No visible row: insert. A hidden one (soft-deleted, other scope) still conflicts, as the constraint would.
      this.table.store.commit({ insert: [values] });
      return this.output(values);
    });
  }

  delete(id: Id, options?: VersionedWriteOptions<Row>): Promise<void> {
    return this.run('delete', options === undefined ? [id] : [id, options], (op) => {
      const row = this.lockedRow(op, this.visibleRows(op, undefined, undefined, [this.table.byId(op.args[0])])[0]);
      const softDelete = this.table.softDelete;
      if (softDelete === undefined) this.table.store.commit({ remove: [row] });
      else
        this.table.store.commit({
          replace: [[row, this.table.softDeleted(row, softDelete, new Date())]],
        });
    });
  }

  hardDelete(id: Id, options?: VersionedWriteOptions<Row>): Promise<void> {
    return this.run('hardDelete', options === undefined ? [id] : [id, options], (op) => {
      const conditions = [...this.scopeOf(op), this.table.byId(op.args[0])];
      const row = this.lockedRow(
        op,
        this.table.store.rows.find((each) => matches(each, conditions)),
      );
      this.table.store.commit({ remove: [row] });
    });
  }

  restore(this: InMemoryRepository<Row, Insert, Update, Id, true, Relations>, id: Id): Promise<Row> {
    return this.run('restore', [id], (op) => {
      const softDelete = this.table.softDelete;
      if (softDelete === undefined) throw this.notSoftDeletable('restore()');
      const conditions = [...this.scopeOf(op), this.table.byId(op.args[0])];
      const row = this.table.store.rows.find((each) => this.table.isDeleted(each) && matches(each, conditions));
      if (row === undefined) throw this.notFound(op.args[0]);
      const next = this.table.applyPatch(row, { [softDelete]: null }, new Date(), true);
      this.table.store.commit({ replace: [[row, next]] });
      return this.output(next);
    });
  }

  /** The row a write by id may change: found, and at the expected version when one is asked for. */
  private lockedRow(op: RepositoryOperation, row: StoredRow | undefined): StoredRow {
    const [id, options] = [argumentOf(op.kind, op.args, 'id'), argumentOf(op.kind, op.args, 'options')];
    const context = { table: this.table.name, primaryKey: this.table.primaryKey, version: this.table.version };
    const expected = expectedVersionOf(options, id, context);
    if (row === undefined) throw this.notFound(id);
    if (expected !== undefined && !sqlEquals(row[context.version!], expected))
      throw staleOrMissing(row, id, expected, context, () => this.notFound(id));
    return row;
  }

  /** Test helper: copies of every stored row, soft-deleted ones included, in the default order; no middleware or scope. */
  rows(): Row[] {
    return this.table.sorted(this.table.store.rows, this.table.terms(undefined)).map((row) => this.output(row));
  }

  /** Test helper: removes every row (also for repositories sharing them) and restarts generated ids. */
  clear(): void {
    this.table.store.clear();
  }

  /**
   * Test helper: a repository over the same rows (and id sequence) with `middleware`
   * instead of this one's, like a second repository over the same table.
   */
  withMiddleware(
    middleware: readonly RepositoryMiddleware[],
  ): InMemoryRepository<Row, Insert, Update, Id, SoftDeletable, Relations> {
    const sibling = new InMemoryRepository<Row, Insert, Update, Id, SoftDeletable, Relations>({
      ...this.options,
      seed: undefined,
      middleware,
    });
    sibling.table = this.table;
    return sibling;
  }

  /** A read with `include` / `withCount` / `explain`: the read without them, then the relations. */
  private related<T>(options: unknown, shape: ResultShape, read: (options: unknown) => Promise<unknown>): Promise<T> {
    return readWithRelations<T>(this.relationSource, options, shape, read);
  }

  private async run<T>(
    kind: OperationKind,
    args: unknown[],
    execute: (operation: RepositoryOperation) => T,
  ): Promise<T> {
    // `await` also turns a synchronous throw (e.g. a middleware's scope()) into a rejection.
    return await runMiddleware<T>(
      this.options.middleware ?? [],
      {
        kind,
        args,
        repository: this.descriptor,
        transaction: undefined,
        rows: (op) => inMemoryOperationRows(op, this.table, this.descriptor, this.options.schemas),
      },
      (operation) =>
        new Promise<T>((resolve) => {
          assertMiddlewareColumns(
            this.table.name,
            this.table.columns,
            this.options.middleware ?? [],
            this.descriptor,
            operation.scope,
          );
          resolve(execute(operation));
        }),
    );
  }

  private async *streamRows(where: unknown, options: unknown): AsyncGenerator<Row, void, undefined> {
    const source = await this.run<AsyncIterable<Row>>('stream', [where, options], (op) => {
      const given = optionsOf(op.args[1]);
      const batchSize = checkedLimit(given.batchSize ?? 500, 'batchSize', 100_000, 1);
      const snapshot = this.table.sorted(this.visibleRows(op, op.args[0], given), this.table.terms(undefined));
      return this.batches(snapshot, batchSize);
    });
    yield* source;
  }

  private async *batches(rows: readonly StoredRow[], batchSize: number): AsyncGenerator<Row, void, undefined> {
    for (let start = 0; start < rows.length; start += batchSize) {
      // One "round trip" per batch, like fetching from a server-side cursor.
      const batch = await Promise.resolve(rows.slice(start, start + batchSize).map((row) => this.output(row)));
      yield* batch;
    }
  }

  private visibleRows(
    op: RepositoryOperation,
    where: unknown,
    readOptions: unknown,
    extra: readonly Condition[] = [],
  ): StoredRow[] {
    const conditions = [...this.scopeOf(op), ...toConditions(where, this.table.columns, this.table.name), ...extra];
    return this.table.select(conditions, this.withDeleted(readOptions));
  }

  private scopeOf(op: RepositoryOperation): Condition[] {
    return scopeConditions(op.scope, this.table.columns, this.table.name);
  }

  private withDeleted(readOptions: unknown): boolean {
    if (optionsOf(readOptions).withDeleted !== true) return false;
    if (this.table.softDelete === undefined) throw this.notSoftDeletable('withDeleted');
    return true;
  }

  private output(row: StoredRow): Row {
    return cloneRow(row) as unknown as Row;
  }

  private notFound(id: unknown): NotFoundError {
    return rowNotFound(this.table.name, this.table.primaryKey, id);
  }

  private notSoftDeletable(what: string): ValidationError {
    return new ValidationError(`${what} needs a soft-delete column, and repository "${this.table.name}" has none`, [
      { path: [what], message: 'repository has no softDelete column', code: 'soft_delete_unavailable' },
    ]);
  }
}
