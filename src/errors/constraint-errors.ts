import { DataLayerError } from './data-layer-error.js';

/**
 * What the server reported about a violated constraint (never the values), carried by every
 * `ConstraintViolationError`.
 *
 * @example
 * ```ts
 * try { await users.create({ email }) } catch (err) {
 *   if (err instanceof ConflictError) {
 *     const details: ConstraintDetails = err
 *     console.log(details.constraint, details.columns) // 'users_email_key', ['email']
 *   }
 * }
 * ```
 */
export interface ConstraintDetails {
  /** SQLSTATE of the violation, e.g. `23505`. */
  sqlState: string;
  /** Constraint name as reported by the server, e.g. `users_email_key`. */
  constraint: string | undefined;
  /** Table the constraint belongs to. */
  table: string | undefined;
  /** Schema of that table. */
  schema: string | undefined;
  /** Columns named by the server (never their values). */
  columns: readonly string[];
}

/**
 * Base of the integrity-constraint errors (SQLSTATE class 23). Catch it to handle
 * any of them; each subclass carries the constraint, table and columns involved.
 *
 * @example
 * ```ts
 * try { await orders.create({ user_id: 42, total: '9.90' }) } catch (err) {
 *   if (err instanceof ConstraintViolationError) res.status(err.statusCode).json({ constraint: err.constraint, columns: err.columns })
 * }
 * ```
 */
export abstract class ConstraintViolationError extends DataLayerError {
  readonly sqlState: string;
  readonly constraint: string | undefined;
  readonly table: string | undefined;
  readonly schema: string | undefined;
  readonly columns: readonly string[];

  constructor(message: string, details: ConstraintDetails, options: { cause?: unknown } = {}) {
    super(message, options);
    this.sqlState = details.sqlState;
    this.constraint = details.constraint;
    this.table = details.table;
    this.schema = details.schema;
    this.columns = Object.freeze([...details.columns]);
  }

  protected override publicFields(): Record<string, unknown> {
    return {
      sqlState: this.sqlState,
      constraint: this.constraint,
      schema: this.schema,
      table: this.table,
      columns: this.columns,
    };
  }
}

/**
 * 23505 unique violation: the row conflicts with an existing one.
 *
 * @example
 * ```ts
 * try { await users.create({ email }) } catch (err) {
 *   if (err instanceof ConflictError && err.columns.includes('email')) res.status(409).json({ error: 'email taken' })
 *   else throw err
 * }
 * ```
 */
export class ConflictError extends ConstraintViolationError {
  override readonly name = 'ConflictError' as const;
  readonly code = 'UNIQUE_VIOLATION';
  readonly statusCode = 409;
}

/**
 * 23503: a referenced row is missing, or a referencing row still exists.
 *
 * @example
 * ```ts
 * try { await orders.create({ user_id: 999_999, total: '9.90' }) } catch (err) {
 *   if (err instanceof ForeignKeyViolationError) res.status(409).json({ error: 'unknown user', constraint: err.constraint })
 * }
 * ```
 */
export class ForeignKeyViolationError extends ConstraintViolationError {
  override readonly name = 'ForeignKeyViolationError' as const;
  readonly code = 'FOREIGN_KEY_VIOLATION';
  readonly statusCode = 409;
}

/**
 * 23502: a NOT NULL column received null.
 *
 * @example
 * ```ts
 * try { await db.kysely.insertInto('users').values({ email: null as unknown as string }).execute() } catch (err) {
 *   if (err instanceof NotNullViolationError) res.status(400).json({ missing: err.columns })
 * }
 * ```
 */
export class NotNullViolationError extends ConstraintViolationError {
  override readonly name = 'NotNullViolationError' as const;
  readonly code = 'NOT_NULL_VIOLATION';
  readonly statusCode = 400;
}

/**
 * 23514: a CHECK constraint rejected the row.
 *
 * @example
 * ```ts
 * try { await db.kysely.insertInto('products').values({ sku: 'a', name: 'A', price: '-1', stock: 0 }).execute() } catch (err) {
 *   if (err instanceof CheckViolationError) res.status(400).json({ constraint: err.constraint })
 * }
 * ```
 */
export class CheckViolationError extends ConstraintViolationError {
  override readonly name = 'CheckViolationError' as const;
  readonly code = 'CHECK_VIOLATION';
  readonly statusCode = 400;
}

/**
 * 23P01: an EXCLUDE constraint rejected the row (overlapping ranges, ...).
 *
 * @example
 * ```ts
 * try { await db.kysely.insertInto('seats').values({ flight_id: 1, passenger_id: 2 }).execute() } catch (err) {
 *   if (err instanceof ExclusionViolationError) res.status(409).json({ error: 'overlaps an existing booking' })
 * }
 * ```
 */
export class ExclusionViolationError extends ConstraintViolationError {
  override readonly name = 'ExclusionViolationError' as const;
  readonly code = 'EXCLUSION_VIOLATION';
  readonly statusCode = 409;
}
