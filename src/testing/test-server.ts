import pg from 'pg';

type TestcontainersModule = typeof import('testcontainers'); // eslint-disable-line @typescript-eslint/consistent-type-imports -- optional peer, loaded lazily

/** Where a test PostgreSQL came from, and what it can do. */
export interface TestServer {
  connectionString: string;
  source: 'env' | 'container' | 'local' | 'embedded';
  /**
   * False on the embedded PGlite, where all connections share one session and run
   * one query at a time: tests of locking, concurrency or pools must skip there.
   */
  supportsConcurrency: boolean;
  /** Stops what this function started (container, embedded server); no-op otherwise. */
  stop(): Promise<void>;
}

export interface FindTestServerOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** Image used when a container runtime answers. @default 'postgres:16-alpine' */
  containerImage?: string;
  /** Tried before the embedded fallback. @default 'postgres://postgres@127.0.0.1:5432/postgres' */
  localUrl?: string;
  /** Print which source was chosen and why. @default console.info */
  log?: (message: string) => void;
  /** Which sources to try, in the fixed order above. @default all four */
  sources?: ReadonlyArray<TestServer['source']>;
}

/**
 * Finds a PostgreSQL for tests, in this order: `TEST_DATABASE_URL` (or `DATABASE_URL`);
 * a testcontainers container when a container runtime answers; a server on
 * 127.0.0.1:5432; else an embedded PGlite served over TCP (needs the optional
 * `@electric-sql/pglite-socket` package).
 *
 * ```ts
 * // vitest globalSetup
 * const server = await findTestServer()
 * provide('databaseUrl', server.connectionString)
 * return () => server.stop()
 * ```
 */
export async function findTestServer(options: FindTestServerOptions = {}): Promise<TestServer> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((message: string) => console.info(`[data-layer/testing] ${message}`));
  const allowed = new Set(options.sources ?? ['env', 'container', 'local', 'embedded']);
  const fromEnv = env.TEST_DATABASE_URL ?? env.DATABASE_URL;
  if (allowed.has('env') && fromEnv) {
    log('using TEST_DATABASE_URL / DATABASE_URL');
    return { connectionString: fromEnv, source: 'env', supportsConcurrency: true, stop: async () => {} };
  }
  const container = allowed.has('container') ? await startContainer(options.containerImage ?? 'postgres:16-alpine', log) : undefined;
  if (container) return container;
  const localUrl = options.localUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (allowed.has('local') && (await answers(localUrl))) {
    log('using the PostgreSQL server on 127.0.0.1:5432');
    return { connectionString: localUrl, source: 'local', supportsConcurrency: true, stop: async () => {} };
  }
  if (!allowed.has('embedded')) throw new Error(`No test PostgreSQL found (tried: ${[...allowed].join(', ')})`);
  log('no PostgreSQL found: starting embedded PGlite (concurrency-dependent tests will be skipped)');
  return startEmbedded();
}

async function startContainer(image: string, log: (message: string) => void): Promise<TestServer | undefined> {
  let testcontainers: TestcontainersModule;
  try {
    testcontainers = await import('testcontainers');
  } catch {
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
  log(`started ${image} with testcontainers`);
  const url = `postgres://postgres:test@${container.getHost()}:${container.getMappedPort(5432)}/test`;
  return { connectionString: url, source: 'container', supportsConcurrency: true, stop: async () => void (await container.stop()) };
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

async function startEmbedded(): Promise<TestServer> {
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
  ]);
  const db = await PGlite.create();
  // More than one socket may be open (a pool plus a helper client, or a closing one);
  // they still share one session and PGlite runs their queries one at a time.
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 64 });
  await server.start();
  const connectionString = `postgres://postgres@${server.getServerConn()}/postgres`;
  return {
    connectionString,
    source: 'embedded',
    supportsConcurrency: false,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
