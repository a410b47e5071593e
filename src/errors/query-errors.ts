import { DataLayerError } from './data-layer-error.js';

/** A statement failed with a SQLSTATE that has no more specific class. */
export class QueryError extends DataLayerError {
  override readonly name: string = 'QueryError';
  readonly code: string = 'QUERY_FAILED';
  readonly statusCode: number = 500;
  /** The five-character SQLSTATE, e.g. `42P01`, or undefined for client-side failures. */
  readonly sqlState: string | undefined;

  constructor(message: string, options: { cause?: unknown; sqlState?: string } = {}) {
    super(message, { cause: options.cause });
    this.sqlState = options.sqlState;
  }

  protected override publicFields(): Record<string, unknown> {
    return { sqlState: this.sqlState };
  }
}

/** 40001: the transaction could not be serialized; retry it (see `transaction({ retries })`). */
export class SerializationFailureError extends QueryError {
  override readonly name = 'SerializationFailureError' as const;
  override readonly code = 'SERIALIZATION_FAILURE';
  override readonly statusCode = 409;
  override readonly retryable = true;
}

/** 40P01: PostgreSQL broke a deadlock by aborting this transaction; retry it. */
export class DeadlockError extends QueryError {
  override readonly name = 'DeadlockError' as const;
  override readonly code = 'DEADLOCK_DETECTED';
  override readonly statusCode = 409;
  override readonly retryable = true;
}

/** 57014 caused by `statement_timeout`. */
export class StatementTimeoutError extends QueryError {
  override readonly name = 'StatementTimeoutError' as const;
  override readonly code = 'STATEMENT_TIMEOUT';
  override readonly statusCode = 504;
}
