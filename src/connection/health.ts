import type { Driver } from 'kysely';
import { mapPostgresError } from '../errors/map-postgres-error.js';
import type { PoolSnapshot } from './create-pool.js';
import { probeServerVersion } from './connect-with-retry.js';

export interface HealthOptions {
  /** Report `down` if the probe has not answered within this time. @default 5000 */
  timeoutMs?: number;
}

export interface HealthReport {
  status: 'up' | 'down';
  latencyMs: number;
  serverVersion: string | undefined;
  pool: PoolSnapshot;
  /** Why the status is `down`: a stable code and a message without secrets. */
  error?: { code: string; message: string };
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
    timer = setTimeout(() => resolve({ error: { code: 'HEALTH_TIMEOUT', message: `No answer within ${timeoutMs} ms` } }), timeoutMs);
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
      return { status: 'up', latencyMs, serverVersion: outcome.serverVersion, pool: poolSnapshot() };
    }
    return { status: 'down', latencyMs, serverVersion: undefined, pool: poolSnapshot(), error: outcome.error };
  } finally {
    clearTimeout(timer);
  }
}
