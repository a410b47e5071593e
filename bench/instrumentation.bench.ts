// What the instrumented driver adds per statement without I/O: QueryInstrumentation's
// counters, rolling window and (disabled) debug check, at growing statement counts. The
// cost per statement must stay flat (O(1)) and far below 3% of a findById (~100 µs CPU).
// Run: npx tsx bench/instrumentation.bench.ts
import { QueryInstrumentation } from '../src/driver/query-instrumentation.js';
import { resolveLogger } from '../src/logging/logger.js';

const instrumentation = new QueryInstrumentation({
  logger: resolveLogger('warn'),
  slowQueryThresholdMs: 1000,
  onSlowQuery: undefined,
  logParameters: false,
});
const parameters = [1, 'a'];
for (const count of [1e5, 1e6, 4e6]) {
  const started = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    instrumentation.statementCompleted({
      sql: 'select 1',
      parameters,
      durationMs: (i % 100) / 10,
      rowCount: 1,
      failed: false,
    });
  }
  const used = process.cpuUsage(started);
  console.log(`${count} statements: ${(((used.user + used.system) * 1000) / count).toFixed(0)} ns CPU per statement`);
}
