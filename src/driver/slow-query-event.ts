// The event the instrumented driver emits: it lives with the driver that produces it, so
// the driver never imports upward (config imports it from here).

/**
 * What the slow-query hook receives. Parameters appear only with `logParameters: true`.
 *
 * @example
 * ```ts
 * const db = createDatabase<DB>({
 *   slowQueryThresholdMs: 200,
 *   onSlowQuery: (event: SlowQueryEvent) => logger.warn({ sql: event.sql, ms: event.durationMs }, 'slow query'),
 * })
 * ```
 */
export interface SlowQueryEvent {
  /** The SQL text with `$n` placeholders (never the values). */
  sql: string;
  durationMs: number;
  parameterCount: number;
  /** Rows returned or affected; `null` when the statement failed. */
  rowCount: number | null;
  /** Bound values, present only when `logParameters` is true. */
  parameters?: readonly unknown[];
}

/**
 * The `onSlowQuery` option: called for every statement slower than `slowQueryThresholdMs`;
 * what it throws is logged, never rethrown into the query.
 *
 * @example
 * ```ts
 * const onSlowQuery: SlowQueryHook = (event) => histogram.observe({ kind: 'slow' }, event.durationMs)
 * const db = createDatabase<DB>({ slowQueryThresholdMs: 500, onSlowQuery })
 * ```
 */
export type SlowQueryHook = (event: SlowQueryEvent) => void | Promise<void>;
