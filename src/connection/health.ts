import type { Driver } from 'kysely';

import { mapPostgresError } from '../errors/map-postgres-error.js';
import { probeServerVersion } from './connect-with-retry.js';
import type { PoolSnapshot } from './create-pool.js';

/**
 * The migration summary `health()` reports; `createMigrator(...)` provides one.
 *
 * @example
 * ```ts
 * const health: MigrationHealth = await migrator.summary()
 * if (health.pending > 0 || health.changed > 0) logger.warn({ ...health }, 'schema is not at the latest migration')
 * ```
 */
export interface MigrationHealth {
  /** The last applied migration, if any. */
  latest: string | undefined;
  pending: number;
  /** Applied migrations edited or deleted since. */
  changed: number;
}

/**
 * Options of `db.health()`: how long the probe may take, and a migrator to report where the
 * schema stands.
 *
 * @example
 * ```ts
 * const options: HealthOptions = { timeoutMs: 1_000, migrator }
 * const report = await db.health(options)
 * ```
 */
export interface HealthOptions {
  /** Report `down` if the probe has not answered within this time. @default 5000 */
  timeoutMs?: number | undefined;
  /** Also report `migrations: { latest, pending, changed }` (e.g. `createMigrator(db, { folder })`). */
  migrator?: { summary(): Promise<MigrationHealth> } | undefined;
}

/**
 * What `db.health()` returns (it never throws): up or down with a reason, the probe's
 * latency, the server version and the pool, for a readiness endpoint.
 *
 * @example
 * ```ts
 * app.get('/health', async (req, res) => {
 *   const report: HealthReport = await db.health({ timeoutMs: 1_000 })
 *   res.status(report.status === 'up' ? 200 : 503).json(report)
 * })
 * ```
 */
export interface HealthReport {
  status: 'up' | 'down';
  latencyMs: number;
  serverVersion: string | undefined;
  pool: PoolSnapshot;
  /** Why the status is `down`: a stable code and a message without secrets. */
  error?: { code: string; message: string };
  /** With `health({ migrator })`: where the schema stands (or why that could not be read). */
  migrations?: MigrationHealth | { error: { code: string; message: string } };
}

/**
 * Probes the database with one round trip on a pooled connection. Never throws and
 * never waits longer than `timeoutMs`, even when the server accepts connections but
 * does not answer; the abandoned probe finishes (or times out) in the background.
 */
export async function checkHealth(
  driver: Driver,
  poolSnapshot: () => PoolSnapshot,
  options: HealthOptions = {},
): Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ error: { code: string; message: string } }>((resolve) => {
    timer = setTimeout(
      () => resolve({ error: { code: 'HEALTH_TIMEOUT', message: `No answer within ${timeoutMs} ms` } }),
      timeoutMs,
    );
  });
  const probe = probeServerVersion(driver).then(
    (serverVersion) => ({ serverVersion }),
    (error: unknown) => {
      const mapped = mapPostgresError(error);
      return { error: { code: mapped.code, message: mapped.message } };
    },
  );
  try {
    const outcome = await Promise.race([probe, timeout]);
    const latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
    if ('serverVersion' in outcome) {
      const report: HealthReport = {
        status: 'up',
        latencyMs,
        serverVersion: outcome.serverVersion,
        pool: poolSnapshot(),
      };
      if (options.migrator) report.migrations = await migrationHealth(options.migrator, timeout);
      return report;
    }
    return { status: 'down', latencyMs, serverVersion: undefined, pool: poolSnapshot(), error: outcome.error };
  } finally {
    clearTimeout(timer);
  }
}

async function migrationHealth(
  migrator: NonNullable<HealthOptions['migrator']>,
  timeout: Promise<{ error: { code: string; message: string } }>,
): Promise<NonNullable<HealthReport['migrations']>> {
  const summary = migrator.summary().then(
    (value) => ({ latest: value.latest, pending: value.pending, changed: value.changed }),
    (error: unknown) => {
      const mapped = mapPostgresError(error);
      return { error: { code: mapped.code, message: mapped.message } };
    },
  );
  return Promise.race([summary, timeout]);
}
