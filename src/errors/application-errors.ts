import { DataLayerError } from './data-layer-error.js';

/**
 * An option passed to `createDatabase` (or read from the environment) is invalid.
 *
 * @example
 * ```ts
 * try { createDatabase({ pool: { max: 0 } }) } catch (err) {
 *   if (err instanceof ConfigError) console.error(`bad option ${err.option}: ${err.message}`) // pool.max
 * }
 * ```
 */
export class ConfigError extends DataLayerError {
  override readonly name = 'ConfigError' as const;
  readonly code = 'CONFIG_INVALID';
  readonly statusCode = 500;
  /** Dotted path of the offending option, e.g. `pool.max`. */
  readonly option: string | undefined;

  constructor(message: string, options: { option?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.option = options.option;
  }

  protected override publicFields(): Record<string, unknown> {
    return { option: this.option };
  }
}

/**
 * A row that an operation requires does not exist (or is not visible to the caller).
 *
 * @example
 * ```ts
 * try { await users.getById(42) } catch (err) {
 *   if (err instanceof NotFoundError) res.status(404).json({ error: `no such row in ${err.table}` })
 * }
 * ```
 */
export class NotFoundError extends DataLayerError {
  override readonly name = 'NotFoundError' as const;
  readonly code = 'NOT_FOUND';
  readonly statusCode = 404;
  readonly table: string | undefined;

  constructor(message: string, options: { table?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.table = options.table;
  }

  protected override publicFields(): Record<string, unknown> {
    return { table: this.table };
  }
}

/**
 * One problem found in the input, in the shape zod reports it (without the input value).
 *
 * @example
 * ```ts
 * try { await users.create({ email: 'not-an-email' }) } catch (err) {
 *   if (err instanceof ValidationError) {
 *     const issues: readonly ValidationIssue[] = err.issues
 *     res.status(400).json({ fields: issues.map((issue) => issue.column ?? issue.path.join('.')) })
 *   }
 * }
 * ```
 */
export interface ValidationIssue {
  path: ReadonlyArray<PropertyKey>;
  message: string;
  code: string;
  /** The table column the issue is about, when there is one. */
  column?: string;
}

/**
 * Input failed validation; nothing was written.
 *
 * @example
 * ```ts
 * try { await users.update(1, {}) } catch (err) {
 *   if (err instanceof ValidationError) res.status(400).json({ column: err.column, issues: err.issues })
 * }
 * ```
 */
export class ValidationError extends DataLayerError {
  override readonly name = 'ValidationError' as const;
  readonly code = 'VALIDATION_FAILED';
  readonly statusCode = 400;
  readonly issues: readonly ValidationIssue[];
  /** The column of the first issue that names one: which input field to flag. */
  readonly column: string | undefined;

  constructor(message: string, issues: readonly ValidationIssue[], options: { cause?: unknown } = {}) {
    super(message, options);
    this.column = issues.find((issue) => issue.column !== undefined)?.column;
    this.issues = Object.freeze(
      issues.map((issue) => ({
        path: [...issue.path],
        message: issue.message,
        code: issue.code,
        ...(issue.column === undefined ? {} : { column: issue.column }),
      })),
    );
  }

  protected override publicFields(): Record<string, unknown> {
    return { issues: this.issues.map((issue) => ({ ...issue, path: issue.path.map(String) })) };
  }
}

/**
 * A tenant-scoped operation ran with no tenant in context; nothing was queried.
 *
 * @example
 * ```ts
 * try { await orders.findMany() } catch (err) {
 *   if (err instanceof TenantRequiredError) console.error('call this inside withTenant(...)')
 * }
 * ```
 */
export class TenantRequiredError extends DataLayerError {
  override readonly name = 'TenantRequiredError' as const;
  readonly code = 'TENANT_REQUIRED';
  readonly statusCode = 500;
}

/**
 * A transaction was misused: a query after it ended, an option a savepoint cannot honour, ...
 *
 * @example
 * ```ts
 * let saved: unknown
 * await db.transaction(async (tx) => { saved = tx })
 * const ended = saved as DatabaseTransaction<DB>
 * try { await ended.selectFrom('users').selectAll().execute() } catch (err) {
 *   if (err instanceof TransactionError) console.error('the transaction had already ended')
 * }
 * ```
 */
export class TransactionError extends DataLayerError {
  override readonly name = 'TransactionError' as const;
  readonly code = 'TRANSACTION_MISUSE';
  readonly statusCode = 500;
}
