import { type ConfigError } from '../errors/application-errors.js';
import { optionError } from '../errors/option-error.js';

/** The option fields both repositories (real and fake) share, unchecked. */
interface GivenOptions {
  readonly table?: unknown;
  readonly primaryKey?: unknown;
  readonly softDelete?: unknown;
  readonly tenantColumn?: unknown;
  readonly version?: unknown;
  readonly timestamps?: unknown;
  readonly middleware?: unknown;
  readonly skipMiddleware?: unknown;
  readonly coalesce?: unknown;
}

/**
 * Checks the shape of a repository's options when it is constructed: a mistake there is a
 * programming error, so it is a `ConfigError` naming the option (500), at start-up,
 * rather than a 400 or a `TypeError` on the first request. Column names are checked
 * against the table later (the catalog for `BaseRepository`, `columns` for the fake).
 *
 * ```ts
 * checkRepositoryOptions({ table: 'users' }, 'BaseRepository') // ok
 * checkRepositoryOptions({}, 'InMemoryRepository') // ConfigError: Invalid InMemoryRepository option "table": expected a table name
 * ```
 */
export function checkRepositoryOptions(options: unknown, factory: string): void {
  const fail = (option: string, expected: string): ConfigError => optionError(option, expected, { factory });
  if (typeof options !== 'object' || options === null)
    throw fail('options', 'expected an object with at least { table }');
  const given = options as GivenOptions;
  if (typeof given.table !== 'string' || given.table === '')
    throw fail('table', "expected a table name, e.g. 'users' or 'billing.invoices'");
  for (const option of ['primaryKey', 'softDelete', 'tenantColumn', 'version'] as const) {
    const value = given[option];
    if (value !== undefined && (typeof value !== 'string' || value === ''))
      throw fail(option, 'expected a column name');
  }
  if (given.timestamps !== undefined) {
    if (typeof given.timestamps !== 'object' || given.timestamps === null)
      throw fail('timestamps', 'expected { createdAt?, updatedAt? } column names');
    for (const [key, value] of Object.entries(given.timestamps)) {
      if (key !== 'createdAt' && key !== 'updatedAt')
        throw fail(`timestamps.${key}`, 'unknown option (expected createdAt or updatedAt)');
      if (value !== undefined && (typeof value !== 'string' || value === ''))
        throw fail(`timestamps.${key}`, 'expected a column name');
    }
  }
  if (given.coalesce !== undefined && typeof given.coalesce !== 'boolean') throw fail('coalesce', 'expected a boolean');
  const middleware = given.middleware;
  if (
    middleware !== undefined &&
    (!Array.isArray(middleware) ||
      middleware.some((each) => typeof (each as { name?: unknown } | null)?.name !== 'string'))
  ) {
    throw fail('middleware', 'expected an array of middleware objects, each with a name');
  }
  const skipped = given.skipMiddleware;
  if (
    skipped !== undefined &&
    (!Array.isArray(skipped) || skipped.some((name) => typeof name !== 'string' || name === ''))
  ) {
    throw fail('skipMiddleware', "expected an array of middleware names, e.g. ['tenant']");
  }
}
