// The event the instrumented driver emits: it lives with the driver that produces it, so
// the driver never imports upward (config imports it from here).

/** What the slow-query hook receives. Parameters appear only with `logParameters: true`. */
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

export type SlowQueryHook = (event: SlowQueryEvent) => void | Promise<void>;
