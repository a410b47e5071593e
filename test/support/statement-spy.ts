import type { DatabaseOptions } from '../../src/index.js';

/**
 * Options that record every statement the driver runs, in order: the slow-query hook
 * with a 0 ms threshold sees them all. `clear()` forgets what was recorded.
 */
export function statementSpy(): { options: DatabaseOptions; statements: string[]; clear(): void } {
  const statements: string[] = [];
  return {
    statements,
    options: { slowQueryThresholdMs: 0, onSlowQuery: (event) => void statements.push(event.sql) },
    clear: () => void (statements.length = 0),
  };
}
