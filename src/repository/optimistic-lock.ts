import { ValidationError } from '../errors/application-errors.js';
import { StaleRowError } from '../errors/stale-row-error.js';
import { sqlEquals } from './where-filter.js';

/**
 * Options of the writes to one row (`update`, `delete`, `hardDelete`): an optimistic-lock
 * check against the repository's `version` column. The write happens only when the row
 * still has the version the caller read; otherwise it is a `StaleRowError` (409) and
 * nothing is written.
 */
export interface VersionedWriteOptions<Row> {
  /** The version the caller read (`row.version`). */
  readonly expectedVersion?: number | bigint | string | undefined;
  /** Or the row read earlier: its version column is the expected version. */
  readonly expected?: Partial<Row> | undefined;
}

/** Where a repository keeps its version, and for which table (for messages). */
export interface VersionContext {
  readonly table: string;
  readonly primaryKey: string;
  /** The repository's `version` column, if it has one. */
  readonly version?: string | undefined;
}

/**
 * The expected version the options ask for, checked: undefined when they ask for none.
 * A version the repository cannot check (no `version` option), both forms at once, a row
 * of another id, or a value that is not an integer is a `ValidationError`.
 */
export function expectedVersionOf(options: unknown, id: unknown, context: VersionContext): unknown {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw invalid(context, 'options', 'write options must be an object such as { expectedVersion }');
  }
  const { expectedVersion, expected } = options as VersionedWriteOptions<Record<string, unknown>>;
  if (expectedVersion === undefined && expected === undefined) return undefined;
  const column = context.version;
  if (column === undefined) {
    throw new ValidationError(
      `expectedVersion needs a version column, and repository "${context.table}" has none (set the version option)`,
      [{ path: ['expectedVersion'], message: 'repository has no version column', code: 'version_unavailable' }],
    );
  }
  if (expectedVersion !== undefined && expected !== undefined) {
    throw invalid(context, 'expected', 'give expectedVersion or expected (a row), not both');
  }
  let version: unknown = expectedVersion;
  if (expected !== undefined) {
    if (typeof expected !== 'object' || expected === null)
      throw invalid(context, 'expected', 'expected must be a row read earlier');
    const key = expected[context.primaryKey];
    if (key !== undefined && !sqlEquals(key, id))
      throw invalid(context, 'expected', `expected is a row with another ${context.primaryKey} than the id given`);
    version = expected[column];
  }
  if (!isInteger(version)) {
    throw new ValidationError(`The expected version of "${context.table}.${column}" must be an integer`, [
      { path: ['expectedVersion'], message: 'expected an integer', code: 'invalid_type', column },
    ]);
  }
  return version;
}

/** A patch may not set the version column: the repository increments it on every write. */
export function assertVersionNotPatched(patch: Readonly<Record<string, unknown>>, context: VersionContext): void {
  const column = context.version;
  if (column !== undefined && column in patch) {
    throw new ValidationError(
      `"${context.table}.${column}" is the version column: the repository increments it, a patch cannot set it`,
      [{ path: [column], message: 'the version column is managed', code: 'managed_column', column }],
    );
  }
}

/**
 * After a versioned write matched no row: a `StaleRowError` when the row is still there
 * (visible to the caller) with another version, else the not-found error.
 */
export function staleOrMissing(
  current: Readonly<Record<string, unknown>> | undefined,
  id: unknown,
  expected: unknown,
  context: VersionContext,
  notFound: () => Error,
): Error {
  if (current === undefined || context.version === undefined) return notFound();
  return new StaleRowError({
    table: context.table,
    id,
    expectedVersion: expected,
    actualVersion: current[context.version],
  });
}

function isInteger(value: unknown): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value);
  if (typeof value === 'bigint') return true;
  return typeof value === 'string' && /^-?\d{1,19}$/.test(value);
}

function invalid(context: VersionContext, option: string, message: string): ValidationError {
  return new ValidationError(`${message} ("${context.table}")`, [{ path: [option], message, code: 'invalid_option' }]);
}
