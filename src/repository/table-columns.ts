import { type Kysely, sql } from 'kysely';

import { ConfigError } from '../errors/application-errors.js';
import type { RepositoryDescriptor, RepositoryMiddleware } from '../middleware/repository-middleware.js';
import { type CatalogColumn, catalogColumnType, type TableColumns, tableColumns } from './column-types.js';
import { quoteIdentifier } from './sql-identifier.js';

/**
 * The table's columns and their types, read once from the catalog (through the search_path,
 * like the queries themselves). Runtime checks of `where`, `orderBy` and input keys use the
 * names, so an unknown column becomes a ValidationError instead of reaching SQL; values are
 * checked against the types (domains by their base type, arrays by their element, enum
 * labels from pg_enum), so a wrong value is a ValidationError naming the column.
 */
export async function loadTableColumns(kysely: Kysely<unknown>, table: string): Promise<TableColumns> {
  const { rows } = await sql<CatalogColumn>`
    with declared as (
      select a.attnum, a.attname,
        case when t.typtype = 'd' then t.typbasetype else a.atttypid end as type_oid,
        case when t.typtype = 'd' then t.typtypmod else a.atttypmod end as typmod
      from pg_attribute a join pg_type t on t.oid = a.atttypid
      where a.attrelid = to_regclass(${quoteIdentifier(table)}) and a.attnum > 0 and not a.attisdropped
    )
    select d.attname as name, t.typname as type, t.typtype as kind, d.typmod,
      case when t.typtype = 'e' then array(select enumlabel::text from pg_enum where enumtypid = t.oid order by enumsortorder) end as labels,
      e.typname as element, e.typtype as element_kind,
      case when e.typtype = 'e' then array(select enumlabel::text from pg_enum where enumtypid = e.oid order by enumsortorder) end as element_labels
    from declared d
    join pg_type t on t.oid = d.type_oid
    left join pg_type e on e.oid = t.typelem and t.typcategory = 'A'
    order by d.attnum
  `.execute(kysely);
  if (rows.length === 0) {
    throw new ConfigError(`Table "${table}" does not exist (or has no columns) in the current search_path`, {
      option: 'table',
    });
  }
  return tableColumns(
    rows.map((row) => row.name),
    new Map(rows.map((row) => [row.name, catalogColumnType(row)])),
  );
}

/** Checks that every column the options name exists. */
export function assertConfiguredColumns(
  table: string,
  columns: ReadonlySet<string>,
  configured: Record<string, string | undefined>,
): void {
  for (const [option, column] of Object.entries(configured)) {
    if (column !== undefined && !columns.has(column)) {
      throw new ConfigError(
        `Repository option "${option}" names column "${column}", which table "${table}" does not have`,
        { option },
      );
    }
  }
}

/**
 * Checks that every column the middleware chain relies on exists: those a middleware
 * declares (`requiredColumns`, e.g. the tenant filter's column in every mode) and those an
 * operation's scope restricts it to. Both come from configuration, never from a client,
 * so a missing one is a `ConfigError` (500) naming what to change, not a 400: typically a
 * database-wide `tenantFilter()` reaching a shared table that has no tenant column.
 *
 * ```ts
 * assertMiddlewareColumns('countries', new Set(['code', 'name']), [tenantFilter()], descriptor, {})
 * // ConfigError (option 'tenantColumn'): ... set the repository's tenantColumn ... or add 'tenant' to its skipMiddleware
 * ```
 */
export function assertMiddlewareColumns(
  table: string,
  columns: ReadonlySet<string>,
  middleware: readonly RepositoryMiddleware[],
  repository: RepositoryDescriptor,
  scope: Readonly<Record<string, unknown>>,
): void {
  for (const each of middleware) {
    for (const column of each.requiredColumns?.(repository) ?? []) {
      if (!columns.has(column)) throw missingMiddlewareColumn(table, column, [each.name]);
    }
  }
  for (const column of Object.keys(scope)) {
    if (!columns.has(column))
      throw missingMiddlewareColumn(
        table,
        column,
        middleware.filter((each) => typeof each.scope === 'function').map((each) => each.name),
      );
  }
}

function missingMiddlewareColumn(table: string, column: string, names: readonly string[]): ConfigError {
  const skip = names.length === 0 ? 'the middleware' : names.map((name) => `'${name}'`).join(' or ');
  return new ConfigError(
    `Middleware needs column "${column}" in table "${table}", which it does not have: set the repository's tenantColumn (or the middleware's column option) to a column of "${table}", or, for a shared table, add ${skip} to the repository's skipMiddleware`,
    { option: 'tenantColumn' },
  );
}
