import { DataLayerError } from './data-layer-error.js';

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

/** 23505 unique violation: the row conflicts with an existing one. */
export class ConflictError extends ConstraintViolationError {
  override readonly name = 'ConflictError' as const;
  readonly code = 'UNIQUE_VIOLATION';
  readonly statusCode = 409;
}

/** 23503: a referenced row is missing, or a referencing row still exists. */
export class ForeignKeyViolationError extends ConstraintViolationError {
  override readonly name = 'ForeignKeyViolationError' as const;
  readonly code = 'FOREIGN_KEY_VIOLATION';
  readonly statusCode = 409;
}

/** 23502: a NOT NULL column received null. */
export class NotNullViolationError extends ConstraintViolationError {
  override readonly name = 'NotNullViolationError' as const;
  readonly code = 'NOT_NULL_VIOLATION';
  readonly statusCode = 400;
}

/** 23514: a CHECK constraint rejected the row. */
export class CheckViolationError extends ConstraintViolationError {
  override readonly name = 'CheckViolationError' as const;
  readonly code = 'CHECK_VIOLATION';
  readonly statusCode = 400;
}

/** 23P01: an EXCLUDE constraint rejected the row (overlapping ranges, ...). */
export class ExclusionViolationError extends ConstraintViolationError {
  override readonly name = 'ExclusionViolationError' as const;
  readonly code = 'EXCLUSION_VIOLATION';
  readonly statusCode = 409;
}
