import type { Selectable } from 'kysely';

import type { RepositoryMiddleware } from '../middleware/repository-middleware.js';
import type { OrderBy } from './order-by.js';
import type { NoRelations, RelationsOf } from './relations/relation-types.js';
import type { InputSchemas } from './validate-input.js';

/**
 * A table of your `DB` interface: what `BaseRepository`'s `table` option accepts.
 *
 * @example
 * ```ts
 * const repositoryFor = <TB extends TableName<DB>>(table: TB) => new BaseRepository(db, { table })
 * const countries = repositoryFor('countries')
 * ```
 */
export type TableName<DB> = keyof DB & string;
/**
 * A column of table `TB` in your `DB` interface: what repository options such as `softDelete`
 * and `primaryKey` accept.
 *
 * @example
 * ```ts
 * const column: ColumnName<DB, 'users'> = 'deleted_at'
 * const users = new BaseRepository(db, { table: 'users', softDelete: column })
 * ```
 */
export type ColumnName<DB, TB extends TableName<DB>> = keyof DB[TB] & string;

/**
 * How a `BaseRepository` maps onto its table. Column names are checked against `DB`.
 *
 * @example
 * ```ts
 * const options: RepositoryOptions<DB, 'orders', 'deleted_at', 'id'> = {
 *   table: 'orders',
 *   softDelete: 'deleted_at',
 *   version: 'version',
 *   timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
 *   tenantColumn: 'tenant_id',
 *   defaultOrderBy: { column: 'created_at', direction: 'desc' },
 * }
 * const orders = new BaseRepository(db, options)
 * ```
 */
export interface RepositoryOptions<
  DB,
  TB extends TableName<DB>,
  SD extends ColumnName<DB, TB> | undefined,
  PK extends ColumnName<DB, TB>,
  R extends RelationsOf<R> = NoRelations,
> {
  /** The table, optionally schema-qualified (`'billing.invoices'`). */
  readonly table: TB;
  /** @default 'id' */
  readonly primaryKey?: PK | undefined;
  /** A nullable timestamp column: `delete()` sets it, reads skip rows where it is set. */
  readonly softDelete?: SD | undefined;
  /**
   * An integer column for optimistic locking: every update, delete and restore increments
   * it, and `update`/`delete`/`hardDelete` with `{ expectedVersion }` fail with
   * `StaleRowError` when the row has another version.
   */
  readonly version?: ColumnName<DB, TB> | undefined;
  /** Columns set to `now()` on create (both) and on every update (`updatedAt`). */
  readonly timestamps?:
    | { readonly createdAt?: ColumnName<DB, TB> | undefined; readonly updatedAt?: ColumnName<DB, TB> | undefined }
    | undefined;
  /** zod schemas for create and update input; the parsed output is what gets written. */
  readonly schemas?: InputSchemas | undefined;
  /** The tenant column, for the tenant middleware. */
  readonly tenantColumn?: ColumnName<DB, TB> | undefined;
  /** Order of reads without an explicit `orderBy`; the primary key always breaks ties. @default primary key ascending */
  readonly defaultOrderBy?: OrderBy<Selectable<DB[TB]>> | undefined;
  /** Middleware for this repository only, run after the database's own. */
  readonly middleware?: readonly RepositoryMiddleware[] | undefined;
  /**
   * Names of database-wide middleware this repository opts out of, e.g. `['tenant']` for a
   * shared reference table. Explicit, so an audit can find every exception.
   */
  readonly skipMiddleware?: readonly string[] | undefined;
  /**
   * Related repositories, by the name `include` and `withCount` use:
   * `{ messages: hasMany(() => messages, { foreignKey: 'chat_id' }), owner: belongsTo(() => users, { foreignKey: 'owner_id' }) }`.
   */
  readonly relations?: R | undefined;
  /**
   * Coalesce concurrent calls outside transactions: `findById` calls of the same tick with
   * the same scope become one `where id = any($1)`, and `create` calls of the same tick
   * with the same columns one multi-row insert (one statement per row again if that
   * fails), and same-tick relation reads of this table (`include` of another
   * repository, without a `limit`) with the same options one `where key = any($1)`.
   * Every caller still gets exactly its own result or error, and middleware runs per
   * call. Off, every call is its own statement. @default true
   */
  readonly coalesce?: boolean | undefined;
}
