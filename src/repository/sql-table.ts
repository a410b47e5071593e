import { type Compilable, CompiledQuery, type Kysely, type QueryResult, type SelectQueryBuilder } from 'kysely';

import type { Database } from '../database.js';
import { ValidationError } from '../errors/application-errors.js';
import type { RepositoryDescriptor, RepositoryOperation } from '../middleware/repository-middleware.js';
import { routingShareable } from '../replicas/routing-context.js';
import { transactionStorage } from '../transaction/transaction-storage.js';
import { CachedLoad } from './cached-load.js';
import type { TableColumns } from './column-types.js';
import { CreateBatches } from './create-batches.js';
import { type ColumnType, loadColumnTypes } from './cursor-column-types.js';
import { FindByIdBatches } from './find-by-id-batches.js';
import { HotStatements } from './hot-statements.js';
import { assertKey } from './input-rules.js';
import { conditionsExpression, type LooseDB } from './kysely-conditions.js';
import { staleOrMissing } from './optimistic-lock.js';
import { type OrderTerm, toOrderTerms } from './order-by.js';
import type { InputContext } from './prepare-input.js';
import { rowNotFound } from './row-not-found.js';
import { runCompiled } from './run-compiled.js';
import { conditionsShape, ShapeCache, termsKey } from './shape-cache.js';
import type { TimestampColumns } from './timestamps.js';
import type { InputSchemas } from './validate-input.js';
import { type Condition, scopeConditions, toConditions } from './where-filter.js';

export type Loose = Record<string, unknown>;
export type LooseSelect = SelectQueryBuilder<LooseDB, string, Loose>;
export type ReadArg = { withDeleted?: boolean } | undefined;

/** The repository settings the SQL of every operation depends on. */
export interface SqlTableSettings {
  readonly timestamps?: TimestampColumns | undefined;
  readonly schemas?: InputSchemas | undefined;
  readonly defaultOrderBy?: unknown;
  /** Same-tick `findById` and `create` calls outside transactions share one statement. @default true */
  readonly coalesce?: boolean | undefined;
}

/**
 * One table as the SQL operations see it: the query building blocks every operation
 * shares (scope and soft-delete conditions, ordering, counting, error shapes). Built once
 * per repository; holds no per-call state.
 */
export class SqlTable {
  readonly hot: HotStatements;
  /** Same-tick `findById` calls, coalesced into `pk = any($1)` (see `coalescing()`). */
  readonly idBatches: FindByIdBatches;
  /** Same-tick `create` calls, coalesced into one multi-row insert. */
  readonly createBatches: CreateBatches;
  /** SQL text per statement shape of the Kysely-built operations (findMany, count, delete, ...). */
  readonly shapes = new ShapeCache();
  /** Column types for keyset cursors, read once on the first `paginateByCursor`. */
  readonly types: CachedLoad<ReadonlyMap<string, ColumnType>>;

  constructor(
    readonly db: Database<unknown>,
    readonly descriptor: RepositoryDescriptor,
    readonly settings: SqlTableSettings,
    /** The repository's own `findById` operation (through its middleware), for writes that re-read. */
    readonly findById: (id: unknown) => Promise<Loose | undefined>,
  ) {
    this.hot = new HotStatements(descriptor.table, descriptor.primaryKey);
    const execute = <R>(compiled: CompiledQuery) => this.execute<R>(compiled);
    this.idBatches = new FindByIdBatches(execute, this.hot, descriptor.primaryKey);
    this.createBatches = new CreateBatches(execute, this.hot);
    this.types = new CachedLoad(() => loadColumnTypes(this.kysely as Kysely<unknown>, descriptor.table));
  }

  get kysely(): Kysely<LooseDB> {
    return this.db.kysely as unknown as Kysely<LooseDB>;
  }

  /** Runs a compiled statement of this table: every compiled repository statement runs here (see `runCompiled`). */
  execute<R = Loose>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    return runCompiled<R>(this.db, compiled);
  }

  /**
   * Whether this call may share a statement with other calls of the same tick: coalescing
   * is on and no transaction (of any database) is ambient. Inside one, statements run on
   * the transaction's connection, in order, with its settings (the tenant of rls mode is
   * only ever set in a transaction), so they always run alone. With replicas, a call whose
   * routing depends on its own context (consistency token, forced primary) runs alone too:
   * a batch runs in its first caller's context.
   */
  coalescing(access: 'read' | 'write'): boolean {
    return (
      this.settings.coalesce !== false &&
      transactionStorage.getStore() === undefined &&
      routingShareable(this.db, access)
    );
  }

  /** Scope (tenant) conditions, plus "not soft-deleted" unless `withDeleted`. */
  filters(op: RepositoryOperation, columns: ReadonlySet<string>, read: ReadArg): Condition[] {
    const filters = scopeConditions(op.scope, columns, this.descriptor.table);
    if (read?.withDeleted === true) this.requireSoftDelete('withDeleted');
    else if (this.descriptor.softDelete) filters.push({ column: this.descriptor.softDelete, op: 'null' });
    return filters;
  }

  /** The caller's `where`, checked, and the filters. */
  readConditions(op: RepositoryOperation, columns: ReadonlySet<string>, where: unknown, read: ReadArg): Condition[] {
    return [...toConditions(where, columns, this.descriptor.table), ...this.filters(op, columns, read)];
  }

  /** The primary key (and `value`) as a condition. */
  byKey(value: unknown): Condition {
    return { column: this.descriptor.primaryKey, op: 'eq', value };
  }

  terms(orderBy: unknown, columns: ReadonlySet<string>): OrderTerm[] {
    const { primaryKey, table } = this.descriptor;
    return toOrderTerms(orderBy, this.settings.defaultOrderBy, columns, primaryKey, table);
  }

  from(conditions: readonly Condition[]) {
    const query = this.kysely.selectFrom(this.descriptor.table);
    return conditions.length === 0 ? query : query.where((eb) => conditionsExpression(eb, conditions));
  }

  selectWhere(conditions: readonly Condition[]): LooseSelect {
    return this.from(conditions).selectAll();
  }

  ordered(query: LooseSelect, terms: readonly OrderTerm[]): LooseSelect {
    return terms.reduce((ordered, term) => ordered.orderBy(term.column, term.direction), query);
  }

  /** `select *` of `conditions` in `terms` order, with an optional limit and offset; compiled once per shape. */
  async selectRows(
    conditions: readonly Condition[],
    terms: readonly OrderTerm[],
    page: { limit?: number | undefined; offset?: number | undefined } = {},
  ): Promise<Loose[]> {
    const { limit, offset } = page;
    const where = conditionsShape(conditions);
    const parameters = [...where.parameters];
    if (limit !== undefined) parameters.push(limit);
    if (offset !== undefined) parameters.push(offset);
    const key = `select|${where.key}|${termsKey(terms)}|${limit !== undefined}|${offset !== undefined}`;
    const compiled = this.shapes.compiled({ key, parameters }, () => {
      let query = this.ordered(this.selectWhere(conditions), terms);
      if (limit !== undefined) query = query.limit(limit);
      if (offset !== undefined) query = query.offset(offset);
      return query;
    });
    return [...(await this.execute(compiled)).rows];
  }

  async count(conditions: readonly Condition[]): Promise<number> {
    const where = conditionsShape(conditions);
    const compiled = this.shapes.compiled({ key: `count|${where.key}`, parameters: where.parameters }, () =>
      this.from(conditions).select((eb) => eb.fn.countAll().as('count')),
    );
    const { rows } = await this.execute<{ count: unknown }>(compiled);
    return Number(rows[0]?.count);
  }

  /** Whether a row matches `conditions` (`select 1 ... limit 1`); compiled once per shape. */
  async exists(conditions: readonly Condition[]): Promise<boolean> {
    const where = conditionsShape(conditions);
    const compiled = this.shapes.compiled({ key: `exists|${where.key}`, parameters: [...where.parameters, 1] }, () =>
      this.from(conditions)
        .select((eb) => eb.lit(1).as('found'))
        .limit(1),
    );
    return (await this.execute(compiled)).rows.length > 0;
  }

  /** Runs a write built by `build`, compiled once per shape of `conditions` (plus `kind`). */
  async write(kind: string, conditions: readonly Condition[], build: () => Compilable<unknown>) {
    const where = conditionsShape(conditions);
    return this.execute(this.shapes.compiled({ key: `${kind}|${where.key}`, parameters: where.parameters }, build));
  }

  inputContext(op: RepositoryOperation, columns: ReadonlySet<string>): InputContext {
    const { table, primaryKey, version } = this.descriptor;
    return { table, columns, scope: op.scope, schemas: this.settings.schemas, primaryKey, version };
  }

  assertKey(id: unknown, columns: TableColumns): void {
    assertKey(id, columns, this.descriptor.table, this.descriptor.primaryKey);
  }

  requireSoftDelete(what: string): string {
    const column = this.descriptor.softDelete;
    if (column === undefined) {
      throw new ValidationError(
        `${what} needs a soft-delete column, and repository "${this.descriptor.table}" has none`,
        [{ path: [what], message: 'repository has no softDelete column', code: 'soft_delete_unavailable' }],
      );
    }
    return column;
  }

  notFound(id: unknown): never {
    throw rowNotFound(this.descriptor.table, this.descriptor.primaryKey, id);
  }

  /** After a write by id matched nothing: stale when the row is there at another version, else not found. */
  async staleOrMissing(filters: readonly Condition[], key: unknown, expected: unknown): Promise<never> {
    if (expected === undefined) this.notFound(key);
    const statement = this.hot.findById(filters);
    const { rows } = await this.execute(CompiledQuery.raw(statement.sql, statement.values(key)));
    const { table, primaryKey } = this.descriptor;
    throw staleOrMissing(rows[0], key, expected, this.descriptor, () => rowNotFound(table, primaryKey, key));
  }
}
