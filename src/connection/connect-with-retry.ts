import { CompiledQuery, type Driver } from 'kysely';
import pRetry from 'p-retry';

import type { ResolvedOptions } from '../config/resolve-options.js';
import { ConfigError } from '../errors/application-errors.js';
import { ConnectionError } from '../errors/connection-errors.js';
import { DataLayerError } from '../errors/data-layer-error.js';
import { mapPostgresError } from '../errors/map-postgres-error.js';

/**
 * Options of `db.connect()`: a signal that stops the start-up retries when the process is asked to stop.
 *
 * @example
 * ```ts
 * const stop = new AbortController()
 * process.once('SIGTERM', () => stop.abort())
 * await db.connect({ signal: stop.signal })
 * ```
 */
export interface ConnectOptions {
  /** Stops retrying (and rejects) when aborted. */
  signal?: AbortSignal | undefined;
}

/**
 * Opens one connection and runs a trivial statement, retrying with exponential backoff
 * and jitter while the failure can heal (refused, reset, 57P03, 53300, ...). Bad
 * credentials or an unknown database fail at once. Returns the server version.
 */
export async function connectWithRetry(
  driver: Driver,
  options: ResolvedOptions,
  connectOptions: ConnectOptions = {},
): Promise<string> {
  const { retry, logger, connection } = options;
  let attempts = 0;
  let lastError: DataLayerError | undefined;
  try {
    return await pRetry(
      async () => {
        attempts++;
        try {
          return await probeServerVersion(driver);
        } catch (error) {
          lastError = mapPostgresError(error);
          throw lastError;
        }
      },
      {
        retries: retry.attempts - 1,
        minTimeout: retry.minDelayMs,
        maxTimeout: retry.maxDelayMs,
        factor: 2,
        randomize: true,
        signal: connectOptions.signal,
        shouldRetry: ({ error }) => error instanceof DataLayerError && error.retryable,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft === 0 || !(error instanceof DataLayerError && error.retryable)) return;
          logger.warn(
            { target: connection.target, attempt: attemptNumber, retriesLeft, code: error.code, reason: error.message },
            'database connection attempt failed; retrying',
          );
        },
      },
    );
  } catch (error) {
    const cause = lastError ?? error;
    // A configuration mistake (PgBouncer refusing a startup parameter) is not a connection failure.
    if (cause instanceof ConfigError) throw cause;
    const aborted = connectOptions.signal?.aborted === true;
    const reason = aborted ? 'aborted' : cause instanceof Error ? cause.message : String(cause);
    throw new ConnectionError(
      `Could not connect to ${connection.target} after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${reason}`,
      {
        cause: aborted ? connectOptions.signal?.reason : cause,
        attempts,
        retryable: !aborted && cause instanceof DataLayerError && cause.retryable,
        sqlState: cause instanceof ConnectionError ? cause.sqlState : undefined,
      },
    );
  }
}

/** One round trip on a pooled connection; also the health check's probe. */
export async function probeServerVersion(driver: Driver): Promise<string> {
  const connection = await driver.acquireConnection();
  try {
    const result = await connection.executeQuery<{ server_version: string }>(CompiledQuery.raw('show server_version'));
    return result.rows[0]?.server_version ?? 'unknown';
  } finally {
    await driver.releaseConnection(connection);
  }
}
