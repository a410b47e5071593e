import { sql, type Kysely } from 'kysely';
import { ConfigError } from '../errors/application-errors.js';
import type { RepositoryDescriptor, RepositoryMiddleware } from '../middleware/repository-middleware.js';
import { quoteIdentifier } from './sql-identifier.js';

/**
 * The table's columns, read once from the catalog (through the search_path, like the
 * queries themselves). Runtime checks of `where`, `orderBy` and input keys use them, so
 * an unknown column becomes a ValidationError instead of reaching SQL.
 */
export async function loadTableColumns(kysely: Kysely<unknown>, table: string): Promise<ReadonlySet<string>> {
  const { rows } = await sql<{ name: string }>`
    select attname as name from pg_attribute
    where attrelid = to_regclass(${quoteIdentifier(table)}) and attnum > 0 and not attisdropped
    order by attnum
  `.execute(kysely);
  if (rows.length === 0) {
    throw new ConfigError(`Table "${table}" does not exist (or has no columns) in the current search_path`, { option: 'table' });
  }
  return new Set(rows.map((row) => row.name));
}

/** Checks that every column the options name exists. */
export function assertConfiguredColumns(table: string, columns: ReadonlySet<string>, configured: Record<string, string | undefined>): void {
  for (const [option, column] of Object.entries(configured)) {
    if (column !== undefined && !columns.has(column)) {
      throw new ConfigError(`Repository option "${option}" names column "${column}", which table "${table}" does not have`, { option });
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
    if (!columns.has(column)) throw missingMiddlewareColumn(table, column, middleware.filter((each) => typeof each.scope === 'function').map((each) => each.name));
  }
}

function missingMiddlewareColumn(table: string, column: string, names: readonly string[]): ConfigError {
  const skip = names.length === 0 ? 'the middleware' : names.map((name) => `'${name}'`).join(' or ');
  return new ConfigError(
    `Middleware needs column "${column}" in table "${table}", which it does not have: set the repository's tenantColumn (or the middleware's column option) to a column of "${table}", or, for a shared table, add ${skip} to the repository's skipMiddleware`,
    { option: 'tenantColumn' },
  );
}
