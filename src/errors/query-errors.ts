import { DataLayerError } from './data-layer-error.js';

/**
 * A statement failed with a SQLSTATE that has no more specific class.
 *
 * @example
 * ```ts
 * try { await sql`select * from no_such_table`.execute(db.kysely) } catch (err) {
 *   if (err instanceof QueryError) console.error(err.sqlState) // '42P01'
 * }
 * ```
 */
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

/**
 * 40001: the transaction could not be serialized; retry it (see `transaction({ retries })`).
 *
 * @example
 * ```ts
 * try {
 *   await db.transaction(() => service.placeOrder(input), { isolationLevel: 'serializable' })
 * } catch (err) {
 *   if (err instanceof SerializationFailureError) res.status(409).json({ error: 'try again' })
 * }
 * ```
 */
export class SerializationFailureError extends QueryError {
  override readonly name = 'SerializationFailureError' as const;
  override readonly code = 'SERIALIZATION_FAILURE';
  override readonly statusCode = 409;
  override readonly retryable = true;
}

/**
 * 40P01: PostgreSQL broke a deadlock by aborting this transaction; retry it.
 *
 * @example
 * ```ts
 * try { await db.transaction(() => service.transfer(from, to, 10)) } catch (err) {
 *   if (err instanceof DeadlockError) console.log('retryable:', err.retryable) // true; or pass { retries: 3 }
 * }
 * ```
 */
export class DeadlockError extends QueryError {
  override readonly name = 'DeadlockError' as const;
  override readonly code = 'DEADLOCK_DETECTED';
  override readonly statusCode = 409;
  override readonly retryable = true;
}

/**
 * 57014 caused by `statement_timeout`.
 *
 * @example
 * ```ts
 * try {
 *   await db.transaction(() => users.count(), { statementTimeoutMs: 100 })
 * } catch (err) {
 *   if (err instanceof StatementTimeoutError) res.status(504).json({ error: 'the report took too long' })
 * }
 * ```
 */
export class StatementTimeoutError extends QueryError {
  override readonly name = 'StatementTimeoutError' as const;
  override readonly code = 'STATEMENT_TIMEOUT';
  override readonly statusCode = 504;
}
