import { Redis, type RedisOptions } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';

import { BaseRepository, type DatabaseOptions, type RepositoryMiddleware } from '../../../src/index.js';
import { statementSpy } from '../../support/statement-spy.js';
import { type TestDatabaseHandle, useTestDatabase } from '../../support/test-database.js';
import { createPeopleTable, type PeopleDB, peopleOptions } from '../repository/repository-fixture.js';

/** Fails fast instead of queueing while Redis is unreachable: the cache's failure mode under test. */
export const BOUNDED_REDIS: RedisOptions = { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false };

export type People = BaseRepository<PeopleDB, 'people', 'deleted_at'>;

export interface CacheFixture {
  readonly t: TestDatabaseHandle<PeopleDB>;
  /** A connected client on the shared Redis, quit after the file. */
  readonly redis: Redis;
  /** A key prefix no other file or test uses; its version keys are deleted after the file. */
  prefix(): string;
  /** A repository over `people` on the file's database, with `middleware`. */
  people(middleware: readonly RepositoryMiddleware[], options?: { coalesce?: boolean }): People;
  /** SELECTs on `people` the file's database ran since the last `beforeEach` (or `clear()`). */
  selects(): number;
  clearStatements(): void;
  /** A client of its own (closed after the file), e.g. to disconnect mid-test. */
  client(options?: RedisOptions & { port?: number }): Redis;
}

/**
 * One schema with a seeded `people` table (truncated and re-seeded before each test), a
 * statement spy on the file's database, and Redis clients that are quit after the file.
 * Seeding uses plain SQL: it bypasses every cache, so each test starts from known rows.
 */
export function useCacheFixture(label: string, extra: DatabaseOptions = {}): CacheFixture {
  const spy = statementSpy();
  const t = useTestDatabase<PeopleDB>(label, { ...spy.options, ...extra });
  const clients: Redis[] = [];
  const prefixes: string[] = [];
  let shared: Redis | undefined;
  let sequence = 0;
  const client = (options: RedisOptions & { port?: number } = {}) => {
    const url = new URL(inject('redisUrl'));
    const created = new Redis({ host: url.hostname, port: Number(url.port || 6379), ...BOUNDED_REDIS, ...options });
    created.on('error', () => {}); // failures are what some tests are about; the cache reports them
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    // Without Redis the file's Redis tests are skipped (redisUnavailable); memory-store ones still run.
    if (!inject('redisUnavailable')) {
      shared = client();
      await shared.connect();
    }
    await createPeopleTable(t.db);
  });
  beforeEach(async () => {
    await sql`truncate people restart identity`.execute(t.db.kysely);
    await sql`
      insert into people (email, team, score, created_at) values
        ('r1@x.io', 'red', 5, '2024-01-01T00:00:00Z'),
        ('r2@x.io', 'red', 50, '2024-01-02T00:00:00Z'),
        ('b1@x.io', 'blue', 60, '2024-01-03T00:00:00Z')
    `.execute(t.db.kysely);
    spy.clear();
  });
  afterAll(async () => {
    if (shared?.status === 'ready' && prefixes.length > 0)
      await shared.del(...prefixes.map((prefix) => `${prefix}v:people`));
    for (const each of clients) {
      if (each.status === 'ready') await each.quit().catch(() => each.disconnect());
      else each.disconnect();
    }
  });

  return {
    t,
    get redis() {
      if (shared === undefined) {
        throw new Error(
          inject('redisUnavailable')
            ? `Redis is unavailable (${inject('redisUnavailable')}): skip this test with redisUnavailable()`
            : 'the Redis client is only available inside tests and hooks',
        );
      }
      return shared;
    },
    prefix() {
      const prefix = `test:${label}:${process.pid}:${Date.now().toString(36)}:${++sequence}:`;
      prefixes.push(prefix);
      return prefix;
    },
    people: (middleware, options = {}) => new BaseRepository(t.db, { ...peopleOptions, ...options, middleware }),
    selects: () => spy.statements.filter((statement) => /^select\b[\s\S]*\bfrom "people"/i.test(statement)).length,
    clearStatements: () => spy.clear(),
    client,
  };
}
