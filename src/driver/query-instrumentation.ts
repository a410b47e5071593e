import type { Logger } from '../logging/logger.js';
import { RollingWindow } from './rolling-window.js';
import type { SlowQueryEvent, SlowQueryHook } from './slow-query-event.js';

/**
 * Statement counters and recent duration percentiles (`db.metrics().queries`).
 *
 * @example
 * ```ts
 * const queries: QueryMetrics = db.metrics().queries
 * histogram.observe({ quantile: 'p99' }, queries.p99Ms)
 * ```
 */
export interface QueryMetrics {
  /** Statements run since start-up. */
  total: number;
  failed: number;
  slow: number;
  /** Percentiles of the most recent statements' durations (rolling window). */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/**
 * How long callers waited for a pooled connection, and how often that failed (`db.metrics().acquire`).
 *
 * @example
 * ```ts
 * const acquire: AcquireMetrics = db.metrics().acquire
 * if (acquire.p95Ms > 100) logger.warn({ ...acquire }, 'the pool is too small for the load')
 * ```
 */
export interface AcquireMetrics {
  /** Connections handed out since start-up. */
  total: number;
  /** Acquisitions that failed (pool timeout, unreachable server). */
  failed: number;
  /** Percentiles of the wait for a pooled connection (rolling window). */
  p50Ms: number;
  p95Ms: number;
}

export interface InstrumentationOptions {
  logger: Logger;
  slowQueryThresholdMs: number;
  onSlowQuery: SlowQueryHook | undefined;
  logParameters: boolean;
}

/**
 * What `logger.debug(..., 'query')` receives for every statement, when debug is enabled.
 *
 * @example
 * ```ts
 * const entries: QueryLogEntry[] = []
 * const db = createDatabase<DB>({
 *   logger: {
 *     debug: (fields, message) => void (message === 'query' && entries.push(fields as QueryLogEntry)),
 *     info: () => {},
 *     warn: () => {},
 *     error: () => {},
 *   },
 * })
 * ```
 */
export interface QueryLogEntry {
  /** The SQL text with `$n` placeholders. */
  sql: string;
  /** Milliseconds, 3 decimals. */
  durationMs: number;
  /** Rows returned or affected; `null` when the statement failed. */
  rowCount: number | null;
  parameterCount: number;
  /** Present (true) only when the statement failed. */
  failed?: true;
  /** Bound values, present only with `logParameters: true`. */
  parameters?: readonly unknown[];
}

export interface CompletedStatement {
  sql: string;
  parameters: readonly unknown[];
  durationMs: number;
  rowCount: number | null;
  failed: boolean;
}

/**
 * Counters, rolling percentiles and the slow-query hook, fed by the driver for every
 * statement and every connection acquisition. Nothing else times queries.
 */
export class QueryInstrumentation {
  readonly #options: InstrumentationOptions;
  readonly #durations = new RollingWindow();
  readonly #acquireWaits = new RollingWindow();
  #total = 0;
  #failed = 0;
  #slow = 0;
  #acquired = 0;
  #acquireFailed = 0;
  /** Decided once here; per statement only a level comparison when the logger offers one. */
  readonly #debugEnabled: () => boolean;

  constructor(options: InstrumentationOptions) {
    this.#options = options;
    const { logger } = options;
    this.#debugEnabled =
      typeof logger.isLevelEnabled === 'function' ? () => logger.isLevelEnabled?.('debug') === true : () => true;
  }

  /** `logParameters`: whether values may appear in events, logs and error causes. */
  get keepsValues(): boolean {
    return this.#options.logParameters;
  }

  statementCompleted(statement: CompletedStatement): void {
    this.#total++;
    if (statement.failed) this.#failed++;
    this.#durations.add(statement.durationMs);
    if (this.#debugEnabled()) this.#logStatement(statement);
    if (statement.durationMs >= this.#options.slowQueryThresholdMs) {
      this.#slow++;
      this.#reportSlow(statement);
    }
  }

  connectionAcquired(waitMs: number): void {
    this.#acquired++;
    this.#acquireWaits.add(waitMs);
  }

  acquireFailed(): void {
    this.#acquireFailed++;
  }

  queryMetrics(): QueryMetrics {
    const [p50Ms = 0, p95Ms = 0, p99Ms = 0] = this.#durations.percentiles(50, 95, 99);
    return { total: this.#total, failed: this.#failed, slow: this.#slow, p50Ms, p95Ms, p99Ms };
  }

  acquireMetrics(): AcquireMetrics {
    const [p50Ms = 0, p95Ms = 0] = this.#acquireWaits.percentiles(50, 95);
    return { total: this.#acquired, failed: this.#acquireFailed, p50Ms, p95Ms };
  }

  #logStatement(statement: CompletedStatement): void {
    const entry: QueryLogEntry = {
      sql: statement.sql,
      durationMs: Math.round(statement.durationMs * 1000) / 1000,
      rowCount: statement.rowCount,
      parameterCount: statement.parameters.length,
    };
    if (statement.failed) entry.failed = true;
    if (this.#options.logParameters) entry.parameters = statement.parameters;
    this.#options.logger.debug({ query: entry }, 'query');
  }

  #reportSlow(statement: CompletedStatement): void {
    const event: SlowQueryEvent = {
      sql: statement.sql,
      durationMs: statement.durationMs,
      parameterCount: statement.parameters.length,
      rowCount: statement.rowCount,
    };
    if (this.#options.logParameters) event.parameters = statement.parameters;
    const hook = this.#options.onSlowQuery;
    if (hook === undefined) {
      this.#options.logger.warn({ slowQuery: event }, 'slow query');
      return;
    }
    // The hook is the host's code: its errors must never break the query. It runs
    // inline (before the result returns), so a hook should hand slow work off.
    try {
      const result = hook(event);
      if (result instanceof Promise) result.catch((error: unknown) => this.#hookFailed(error));
    } catch (error) {
      this.#hookFailed(error);
    }
  }

  #hookFailed(error: unknown): void {
    this.#options.logger.error(
      { err: error },
      'onSlowQuery hook threw; the query itself succeeded or failed on its own',
    );
  }
}
