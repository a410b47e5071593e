import { describe, expect, it } from 'vitest';

import { resolveOptions } from '../../src/config/resolve-options.js';
import {
  BaseRepository,
  cache,
  createDatabase,
  createMigrator,
  memoryCacheStore,
  tenantFilter,
} from '../../src/index.js';
import { resolveCacheOptions } from '../../src/middleware/cache/cache-options.js';
import { InMemoryRepository } from '../../src/testing/index.js';

// Under exactOptionalPropertyTypes the option types accept an explicit `undefined`
// (`connectionString: process.env.DATABASE_URL`); at run time it must mean "not given".
const env: Record<string, string | undefined> = {};

describe('an explicit undefined option is treated as absent', () => {
  it('createDatabase: the defaults stay, nothing conflicts', () => {
    const given = resolveOptions({
      connectionString: env.DATABASE_URL,
      host: undefined,
      port: undefined,
      password: env.DB_PASSWORD,
      ssl: undefined,
      pool: { max: undefined, min: undefined, idleTimeoutMs: undefined },
      retry: { attempts: undefined, maxDelayMs: undefined },
      statementTimeoutMs: undefined,
      slowQueryThresholdMs: undefined,
      logger: undefined,
      middleware: undefined,
      cursorSecret: undefined,
      embedded: undefined,
      migrations: undefined,
    });
    const absent = resolveOptions({});
    expect(given.pool).toEqual(absent.pool);
    expect(given.pool.max).toBe(10);
    expect(given.retry).toEqual(absent.retry);
    expect(given.slowQueryThresholdMs).toBe(absent.slowQueryThresholdMs);
    expect(given.embedded).toBeUndefined();
    expect(given.connection.target).toBe(absent.connection.target);
  });

  it('createDatabase: undefined beside embedded or connectionString is no conflict', () => {
    expect(() => resolveOptions({ embedded: true, connectionString: undefined, port: undefined })).not.toThrow();
    expect(() =>
      resolveOptions({ connectionString: 'postgres://u@h/db', host: undefined, user: undefined }),
    ).not.toThrow();
    expect(resolveOptions({ embedded: { dataDir: undefined, port: undefined } }).embedded).toEqual({});
    expect(
      resolveOptions({ migrations: { folder: 'migrations', migrations: undefined, schema: undefined } }).migrations,
    ).toMatchObject({ folder: 'migrations' });
    // a given value still wins over a default
    expect(resolveOptions({ pool: { max: 3, min: undefined } }).pool).toMatchObject({ max: 3, min: 0 });
  });

  it('cache(), tenantFilter(), createMigrator(): undefined takes the default', () => {
    const store = memoryCacheStore({ maxEntries: 100 });
    const resolved = resolveCacheOptions({
      store,
      ttlSeconds: 60,
      keyPrefix: 'app:',
      timeoutMs: undefined,
      tables: undefined,
      logger: undefined,
      varyBy: undefined,
    });
    const absent = resolveCacheOptions({ store, ttlSeconds: 60, keyPrefix: 'app:' });
    expect(resolved.timeoutMs).toBe(absent.timeoutMs);
    expect(resolved.logIntervalMs).toBe(absent.logIntervalMs);
    expect(resolved.tables).toBeUndefined();
    expect(() =>
      cache({ store, ttlSeconds: 60, keyPrefix: 'app:', tables: undefined, varyBy: undefined }),
    ).not.toThrow();
    expect(tenantFilter({ column: undefined, mode: undefined, setting: undefined }).name).toBe(tenantFilter().name);
    const db = createDatabase({ logger: 'silent' });
    expect(() => createMigrator(db, { folder: 'migrations', migrations: undefined, schema: undefined })).not.toThrow();
    void db.close();
  });

  it('repositories: undefined options are the defaults', async () => {
    const db = createDatabase({ logger: 'silent' });
    interface DB {
      notes: { id: number; body: string };
    }
    expect(
      () =>
        new BaseRepository<DB, 'notes'>(db as never, {
          table: 'notes',
          primaryKey: undefined,
          softDelete: undefined,
          timestamps: undefined,
          schemas: undefined,
          middleware: undefined,
        }),
    ).not.toThrow();
    await db.close();

    const notes = new InMemoryRepository<{ id: number; body: string }>({
      table: 'notes',
      columns: ['id', 'body'],
      primaryKey: undefined,
      softDelete: undefined,
      timestamps: { createdAt: undefined },
      defaults: undefined,
      generateId: undefined,
      seed: undefined,
    });
    expect(await notes.create({ body: 'hi' })).toEqual({ id: 1, body: 'hi' });
  });

  it('repository reads: undefined read options are the defaults', async () => {
    const notes = new InMemoryRepository<{ id: number; body: string }>({ table: 'notes', columns: ['id', 'body'] });
    await notes.createMany(Array.from({ length: 25 }, (_, index) => ({ body: `note ${index}` })));
    const page = await notes.paginate({ page: undefined, pageSize: undefined, where: undefined, orderBy: undefined });
    expect(page).toMatchObject({ page: 1, pageSize: 20, total: 25 });
    const first = await notes.paginateByCursor({ after: undefined, limit: undefined, where: undefined });
    expect(first.items).toHaveLength(20);
    expect(first.items[0]).toEqual({ id: 1, body: 'note 0' });
    const next = await notes.paginateByCursor({ after: first.nextCursor, limit: undefined });
    expect(next.items.map((note) => note.id)).toEqual([21, 22, 23, 24, 25]);
    const down = await notes.findMany({
      orderBy: { column: 'id', direction: undefined },
      limit: undefined,
      offset: undefined,
    });
    expect(down.map((note) => note.id)).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
  });
});
