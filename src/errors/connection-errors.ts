import { DataLayerError } from './data-layer-error.js';

/**
 * The server could not be reached or dropped the connection (SQLSTATE class 08,
 * 57P01-57P03, 53300, ECONNREFUSED, ...). Retryable unless the cause cannot heal
 * (bad credentials, unknown database).
 *
 * @example
 * ```ts
 * try { await db.connect() } catch (err) {
 *   if (err instanceof ConnectionError) console.error(`database unreachable after ${err.attempts} attempts`, err.sqlState)
 *   throw err
 * }
 * ```
 */
export class ConnectionError extends DataLayerError {
  override readonly name = 'ConnectionError' as const;
  readonly code: string = 'CONNECTION_FAILED';
  readonly statusCode: number = 503;
  override readonly retryable: boolean;
  /** SQLSTATE when the server answered with one, e.g. `57P01`. */
  readonly sqlState: string | undefined;
  /** How many connection attempts were made, when known (set by `connect()`). */
  readonly attempts: number | undefined;

  constructor(
    message: string,
    options: { cause?: unknown; retryable?: boolean; sqlState?: string; attempts?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? true;
    this.sqlState = options.sqlState;
    this.attempts = options.attempts;
  }

  protected override publicFields(): Record<string, unknown> {
    return { sqlState: this.sqlState, attempts: this.attempts };
  }
}

/**
 * No pooled connection became free within `pool.connectionTimeoutMs`.
 *
 * @example
 * ```ts
 * try { await users.findMany() } catch (err) {
 *   if (err instanceof PoolTimeoutError) res.status(503).json({ error: `no connection within ${err.timeoutMs} ms` })
 * }
 * ```
 */
export class PoolTimeoutError extends DataLayerError {
  override readonly name = 'PoolTimeoutError' as const;
  readonly code = 'POOL_TIMEOUT';
  readonly statusCode = 503;
  override readonly retryable = true;
  readonly timeoutMs: number;

  constructor(timeoutMs: number, options: { cause?: unknown } = {}) {
    super(`No database connection became available within ${timeoutMs} ms (pool exhausted)`, options);
    this.timeoutMs = timeoutMs;
  }

  protected override publicFields(): Record<string, unknown> {
    return { timeoutMs: this.timeoutMs };
  }
}

/**
 * The `Database` was closed; every later call fails with this instead of hanging.
 *
 * @example
 * ```ts
 * await db.close()
 * try { await users.findById(1) } catch (err) {
 *   if (err instanceof DatabaseClosedError) console.log('shutting down: no more queries')
 * }
 * ```
 */
export class DatabaseClosedError extends DataLayerError {
  override readonly name = 'DatabaseClosedError' as const;
  readonly code = 'DATABASE_CLOSED';
  readonly statusCode = 503;

  constructor(operation: string) {
    super(`Cannot ${operation}: the database has been closed`);
  }
}
