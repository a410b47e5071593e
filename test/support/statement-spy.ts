import type { DatabaseOptions } from '../../src/index.js';
import { throughPgBouncer } from './test-database.js';

/**
 * Options that record every statement the driver runs, in order: the slow-query hook
 * with a 0 ms threshold sees them all. `clear()` forgets what was recorded.
 */
export function statementSpy(): { options: DatabaseOptions; statements: string[]; clear(): void } {
  const statements: string[] = [];
  return {
    statements,
    options: {
      slowQueryThresholdMs: 0,
      onSlowQuery: (event) => void statements.push(withoutPoolerSettings(event.sql)),
    },
    clear: () => void (statements.length = 0),
  };
}

/**
 * In the `pgbouncer` project BEGIN carries pooler mode's settings in the same simple query
 * (`begin; set local search_path = ...`, docs/pgbouncer.md, tested on its own in
 * test/integration/pooler/): recorded as the BEGIN it is, so statement-order tests read the same.
 */
function withoutPoolerSettings(sql: string): string {
  return throughPgBouncer() && /^begin\b/i.test(sql)
    ? sql.replace(/; set local (?:statement_timeout|search_path) = [^]*$/, '')
    : sql;
}
