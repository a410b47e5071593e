import type {
  OperationKind,
  RepositoryDescriptor,
  RepositoryMiddleware,
  RepositoryOperation,
} from '../middleware/repository-middleware.js';
import { runMiddleware } from '../middleware/run-middleware.js';
import type { ManyRowsOptions } from '../repository/input-rules.js';
import type { VersionedWriteOptions } from '../repository/optimistic-lock.js';
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
import { assertMiddlewareColumns } from '../repository/table-columns.js';
import type { Where } from '../repository/where-filter.js';
import { inMemoryOperationRows } from './in-memory-operation-rows.js';
import { MEMORY_OPERATIONS } from './in-memory-operations.js';
import { notFound, output } from './in-memory-queries.js';
import { inMemoryRelationSource } from './in-memory-relation-source.js';
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
 *
 * @example
 * ```ts
 * interface Note { id: number; body: string }
 * const notes = new InMemoryRepository<Note>({ table: 'notes', columns: ['id', 'body'], seed: [{ id: 1, body: 'hello' }] })
 * await notes.create({ body: 'second' }) // id 2
 * expect(await notes.count()).toBe(2)
 * expect(notes.rows().map((note) => note.body)).toEqual(['hello', 'second'])
 * ```
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
      output,
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
    return this.related(options, 'one', (read) => this.run('findById', [id, read]));
  }

  /** Runs as a `findById` operation (middleware sees that kind) and throws when it finds nothing. */
  async getById<I extends IncludeOf<Relations> = NoRelations, C extends CountableOf<Relations> = never>(
    id: Id,
    options?: ReadOptions<SoftDeletable> & RelationReadOptions<Relations, I, C, false>,
  ): Promise<WithRelations<Row, Relations, I, C>> {
    const row = await this.findById<I, C>(id, options);
    if (row === undefined) throw notFound(this.table, id);
    return row;
  }

  findByIds(ids: readonly Id[], options?: ReadOptions<SoftDeletable>): Promise<Row[]> {
    return this.run('findByIds', [ids, options]);
  }

  findOne<
    I extends IncludeOf<Relations> = NoRelations,
    C extends CountableOf<Relations> = never,
    X extends boolean = false,
  >(
    where: Where<Row>,
    options?: ReadOptions<SoftDeletable> & RelationReadOptions<Relations, I, C, X>,
  ): Promise<Explainable<X, WithRelations<Row, Relations, I, C> | undefined>> {
    return this.related(options, 'one', (read) => this.run('findOne', [where, read]));
  }

  findMany<
    I extends IncludeOf<Relations> = NoRelations,
    C extends CountableOf<Relations> = never,
    X extends boolean = false,
  >(
    options: FindManyOptions<Row, SoftDeletable> & RelationReadOptions<Relations, I, C, X> = {},
  ): Promise<Explainable<X, WithRelations<Row, Relations, I, C>[]>> {
    return this.related(options, 'many', (read = {}) => this.run('findMany', [read]));
  }

  count(where?: Where<Row>, options?: ReadOptions<SoftDeletable>): Promise<number> {
    return this.run('count', [where, options]);
  }

  exists(where: Where<Row>, options?: ReadOptions<SoftDeletable>): Promise<boolean> {
    return this.run('exists', [where, options]);
  }

  paginate<
    I extends IncludeOf<Relations> = NoRelations,
    C extends CountableOf<Relations> = never,
    X extends boolean = false,
  >(
    options: PaginateOptions<Row, SoftDeletable> & RelationReadOptions<Relations, I, C, X> = {},
  ): Promise<Explainable<X, Page<WithRelations<Row, Relations, I, C>>>> {
    return this.related(options, 'page', (read = {}) => this.run('paginate', [read]));
  }

  paginateByCursor<
    I extends IncludeOf<Relations> = NoRelations,
    C extends CountableOf<Relations> = never,
    X extends boolean = false,
  >(
    options: CursorPaginateOptions<Row, SoftDeletable> & RelationReadOptions<Relations, I, C, X> = {},
  ): Promise<Explainable<X, CursorPage<WithRelations<Row, Relations, I, C>>>> {
    return this.related(options, 'page', (read = {}) => this.run('paginateByCursor', [read]));
  }

  /** Iterates over a snapshot taken when iteration starts. */
  async *stream(where?: Where<Row>, options: StreamOptions<SoftDeletable> = {}): AsyncIterable<Row> {
    yield* await this.run<AsyncIterable<Row>>('stream', [where, options]);
  }

  create(input: Insert): Promise<Row> {
    return this.run('create', [input]);
  }

  createMany(inputs: readonly Insert[]): Promise<Row[]> {
    return this.run('createMany', [inputs]);
  }

  update(id: Id, patch: Update, options?: VersionedWriteOptions<Row>): Promise<Row> {
    return this.run('update', options === undefined ? [id, patch] : [id, patch, options]);
  }

  updateMany(where: Where<Row>, patch: Update, options?: ManyRowsOptions): Promise<number> {
    return this.run('updateMany', options === undefined ? [where, patch] : [where, patch, options]);
  }

  upsert(input: Insert, options: UpsertOptions<Row>): Promise<Row> {
    return this.run('upsert', [input, options]);
  }

  delete(id: Id, options?: VersionedWriteOptions<Row>): Promise<void> {
    return this.run('delete', options === undefined ? [id] : [id, options]);
  }

  hardDelete(id: Id, options?: VersionedWriteOptions<Row>): Promise<void> {
    return this.run('hardDelete', options === undefined ? [id] : [id, options]);
  }

  restore(this: InMemoryRepository<Row, Insert, Update, Id, true, Relations>, id: Id): Promise<Row> {
    return this.run('restore', [id]);
  }

  /** Test helper: copies of every stored row, soft-deleted ones included, in the default order; no middleware or scope. */
  rows(): Row[] {
    return this.table.sorted(this.table.store.rows, this.table.terms(undefined)).map(output) as Row[];
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

  /**
   * Runs one operation: through the middleware chain, then its implementation from the
   * operation table (`MEMORY_OPERATIONS`), or `execute` for a relation's batched read.
   */
  private async run<T>(
    kind: OperationKind,
    args: unknown[],
    execute?: (operation: RepositoryOperation) => unknown,
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
          resolve(
            (execute === undefined
              ? MEMORY_OPERATIONS[kind]({ table: this.table, cursorSecret: this.options.cursorSecret }, operation)
              : execute(operation)) as T,
          );
        }),
    );
  }
}
