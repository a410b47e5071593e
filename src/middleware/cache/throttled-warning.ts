import type { CacheLogger } from './cache-options.js';

interface Slot {
  loggedAt: number;
  suppressed: number;
}

/**
 * Logs at most one warning per category per interval, so a Redis outage under load
 * writes one line per interval instead of one per request. The next line that gets
 * through says how many were suppressed in between.
 *
 * ```ts
 * const warnings = new ThrottledWarning(() => logger, 60_000)
 * warnings.warn('read', { err }, 'cache store unavailable; reading from the database')
 * ```
 */
export class ThrottledWarning {
  readonly #logger: () => CacheLogger;
  readonly #intervalMs: number;
  readonly #slots = new Map<string, Slot>();

  constructor(logger: () => CacheLogger, intervalMs: number) {
    this.#logger = logger;
    this.#intervalMs = intervalMs;
  }

  warn(category: string, fields: object, message: string): void {
    const now = Date.now();
    const slot = this.#slots.get(category);
    if (slot !== undefined && now - slot.loggedAt < this.#intervalMs) {
      slot.suppressed++;
      return;
    }
    const suppressed = slot?.suppressed ?? 0;
    this.#slots.set(category, { loggedAt: now, suppressed: 0 });
    try {
      this.#logger().warn(suppressed > 0 ? { ...fields, suppressed } : fields, message);
    } catch {
      // A broken logger must not break the read it reports on.
    }
  }
}
