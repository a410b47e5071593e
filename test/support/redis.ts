import { inject } from 'vitest';

/**
 * For a test file that needs Redis: why it cannot run (already printed, once per file,
 * with `label`), or undefined when the run's Redis answered. Use with
 * `describe.skipIf(...)` / `it.skipIf(...)` so memory-store cases still run.
 */
export function redisUnavailable(label: string): string | undefined {
  const reason = inject('redisUnavailable') || undefined;
  if (reason !== undefined) console.info(`[${label}] Redis tests skipped: ${reason}`);
  return reason;
}
