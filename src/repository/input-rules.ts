import { ValidationError } from '../errors/application-errors.js';
import { mapPostgresError } from '../errors/map-postgres-error.js';
import { QueryError } from '../errors/query-errors.js';
import { isFullyChecked, valueProblem } from './check-value.js';
import { typesOf } from './column-types.js';
import { MAX_FILTER_DEPTH } from './parse-filter.js';

/** Where a checked value came from, for paths and messages. */
export type ValueSource = 'where' | 'input' | 'patch' | 'id';

/**
 * Checks one value against its column's type (when the column set carries types) and
 * throws a `ValidationError` naming the column, before any SQL is built. Shared by
 * `BaseRepository` and the in-memory fake, so both refuse the same values.
 *
 * @example
 * assertValue('abc', 'id', columns, 'users', 'id') // ValidationError: Invalid id for "users.id": expected an integer ...
 */
export function assertValue(
  value: unknown,
  column: string,
  columns: ReadonlySet<string>,
  table: string,
  source: ValueSource,
): void {
  const problem = valueProblem(value, typesOf(columns)?.get(column));
  if (problem === undefined) return;
  const what = source === 'id' ? 'id' : source === 'where' ? 'where value' : `${source} value`;
  throw new ValidationError(`Invalid ${what} for "${table}.${column}": expected ${problem}`, [
    {
      path: source === 'where' ? ['where', column] : source === 'id' ? ['id'] : [column],
      message: `expected ${problem}`,
      code: 'invalid_type',
      column,
    },
  ]);
}

/** A primary-key value: present (not null or undefined) and of the key's type. */
export function assertKey(id: unknown, columns: ReadonlySet<string>, table: string, primaryKey: string): void {
  if (id === undefined || id === null) {
    throw new ValidationError(`An id for "${table}.${primaryKey}" is required`, [
      { path: ['id'], message: 'expected an id', code: 'invalid_type', column: primaryKey },
    ]);
  }
  assertValue(id, primaryKey, columns, table, 'id');
}

/** A list of primary-key values for `findByIds`. */
export function checkedKeys(ids: unknown, columns: ReadonlySet<string>, table: string, primaryKey: string): unknown[] {
  if (!Array.isArray(ids))
    throw new ValidationError('ids must be an array', [
      { path: ['ids'], message: 'expected an array', code: 'invalid_type', column: primaryKey },
    ]);
  for (const id of ids as unknown[]) assertKey(id, columns, table, primaryKey);
  return ids as unknown[];
}

/**
 * Options of `updateMany` (and of any future many-row write).
 *
 * @example
 * ```ts
 * const everyone: ManyRowsOptions = { all: true } // an empty where is refused without it
 * await users.updateMany({}, { team: 'core' }, everyone)
 * ```
 */
export interface ManyRowsOptions {
  /**
   * Allow an empty `where`: the write then reaches every row the repository can see
   * (still inside soft-delete and middleware scopes). Without it an empty filter is a
   * `ValidationError`, so a missing filter can never rewrite a whole table. @default false
   */
  readonly all?: boolean | undefined;
}

/** Refuses an empty filter unless the caller opted in with `{ all: true }`. */
export function assertFilterOrAll(where: unknown, options: unknown, table: string, operation: string): void {
  const all = typeof options === 'object' && options !== null && (options as ManyRowsOptions).all === true;
  const empty = where === undefined || where === null || (typeof where === 'object' && Object.keys(where).length === 0);
  if (empty && !all) {
    throw new ValidationError(
      `${operation} on "${table}" with an empty where would change every row; pass { all: true } as its options to mean that`,
      [{ path: ['where'], message: 'empty filter without { all: true }', code: 'empty_filter' }],
    );
  }
}

/** An update must change something: a patch without any defined value is refused. */
export function assertPatchNotEmpty(patch: Readonly<Record<string, unknown>>, table: string): void {
  if (Object.keys(patch).length > 0) return;
  throw new ValidationError(`The patch for "${table}" is empty: give at least one column to change`, [
    { path: [], message: 'expected at least one column', code: 'empty_patch' },
  ]);
}

/**
 * The columns an operation's arguments give values for (input and where keys, the primary
 * key for ids, scope columns), narrowed to those whose values only the server can fully
 * check. A data exception from the operation's statements is named after them.
 */
export function serverCheckedColumns(
  args: readonly unknown[],
  scope: Readonly<Record<string, unknown>>,
  columns: ReadonlySet<string>,
  primaryKey: string,
): string[] {
  const mentioned = new Set<string>(Object.keys(scope));
  const visit = (value: unknown, depth: number): void => {
    if (depth > 2 || value === undefined) return;
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) visit(item, depth + 1);
    } else if (isPlainObject(value)) {
      for (const [key, inner] of Object.entries(value)) {
        if (columns.has(key)) mentioned.add(key);
        else if (key === 'where') visit(inner, depth + 1);
        else for (const column of combinedColumns(key, inner)) mentioned.add(column);
      }
    } else if (depth <= 1) {
      mentioned.add(primaryKey); // an id, or a list of ids
    }
  };
  for (const arg of args) visit(arg, 0);
  const known = [...mentioned].filter((column) => columns.has(column));
  const types = typesOf(columns);
  const unchecked = known.filter((column) => !isFullyChecked(types?.get(column)));
  return unchecked.length > 0 ? unchecked : known;
}

/** The column keys inside a filter's `AND`/`OR`/`NOT` (at most as deep as a filter may nest). */
function combinedColumns(key: string, value: unknown, depth = 0): string[] {
  if ((key !== 'AND' && key !== 'OR' && key !== 'NOT') || depth > MAX_FILTER_DEPTH) return [];
  const filters: unknown[] = Array.isArray(value) ? value : [value];
  return filters.flatMap((filter) =>
    isPlainObject(filter)
      ? Object.entries(filter).flatMap(([inner, nested]) => [inner, ...combinedColumns(inner, nested, depth + 1)])
      : [],
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * The error of a failed repository operation as its caller should see it: a value only
 * the server could check (a type the catalog checks do not know, a numeric precision, ...)
 * that the server refused becomes, through the one mapper, a 400 naming the columns.
 */
export function inputError(
  error: unknown,
  op: { readonly args: readonly unknown[]; readonly scope: Readonly<Record<string, unknown>> },
  columns: ReadonlySet<string>,
  repository: { readonly table: string; readonly primaryKey: string },
): unknown {
  if (!(error instanceof QueryError)) return error;
  const inputColumns = serverCheckedColumns(op.args, op.scope, columns, repository.primaryKey);
  return mapPostgresError(error, { repositoryInput: { table: repository.table, columns: inputColumns } });
}
