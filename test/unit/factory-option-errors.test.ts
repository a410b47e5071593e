import { afterAll, describe, expect, it } from 'vitest';

import {
  auditLog,
  auditTableSql,
  BaseRepository,
  cache,
  ConfigError,
  createDatabase,
  memoryCacheStore,
  redisCacheStore,
  tenantFilter,
  tenantPolicySql,
} from '../../src/index.js';
import { InMemoryRepository } from '../../src/testing/index.js';

// Never connects: the constructor checks options before any SQL.
const db = createDatabase({ connectionString: 'postgres://nobody@127.0.0.1:1/none', logger: 'silent' });
afterAll(() => db.close());

const store = memoryCacheStore({ maxEntries: 10 });

/** [factory label, option the error must name, the call] */
const MISTAKES: Array<[string, string, () => unknown]> = [
  ['cache()', 'store', () => cache({ store: {} as never, ttlSeconds: 1, keyPrefix: 'a:' })],
  ['cache()', 'ttlSeconds', () => cache({ store, ttlSeconds: -1, keyPrefix: 'a:' })],
  ['cache()', 'keyPrefix', () => cache({ store, ttlSeconds: 1, keyPrefix: '' })],
  ['tenantFilter()', 'mode', () => tenantFilter({ mode: 'trust-me' as never })],
  ['tenantFilter()', 'setting', () => tenantFilter({ setting: 'tenant' })],
  ['tenantFilter()', 'column', () => tenantFilter({ column: '' })],
  ['tenantFilter()', 'options', () => tenantFilter(null as never)],
  ['tenantPolicySql()', 'table', () => tenantPolicySql({} as never)],
  ['tenantPolicySql()', 'columnType', () => tenantPolicySql({ table: 't', columnType: 'json' as never })],
  ['auditLog()', 'table', () => auditLog({ table: '' })],
  ['auditLog()', 'actor', () => auditLog({ actor: 'root' as never })],
  ['auditLog()', 'redact', () => auditLog({ redact: 'password' as never })],
  ['auditLog()', 'options', () => auditLog(null as never)],
  ['auditTableSql()', 'table', () => auditTableSql({ table: ' ' })],
  ['auditTableSql()', 'tenant.setting', () => auditTableSql({ tenant: { setting: 'tenant' } })],
  ['memoryCacheStore()', 'maxEntries', () => memoryCacheStore({ maxEntries: 0 })],
  ['memoryCacheStore()', 'maxEntries', () => memoryCacheStore(undefined as never)],
  ['redisCacheStore()', 'client', () => redisCacheStore({} as never)],
  [
    'redisCacheStore()',
    'codec',
    () => redisCacheStore({ get: async () => null, set: async () => 'OK' }, { codec: {} as never }),
  ],
  ['BaseRepository', 'table', () => new BaseRepository(db, {} as never)],
  ['BaseRepository', 'options', () => new BaseRepository(db, undefined as never)],
  ['BaseRepository', 'primaryKey', () => new BaseRepository(db, { table: 't', primaryKey: 7 } as never)],
  ['BaseRepository', 'skipMiddleware', () => new BaseRepository(db, { table: 't', skipMiddleware: 'tenant' } as never)],
  ['BaseRepository', 'middleware', () => new BaseRepository(db, { table: 't', middleware: [{}] } as never)],
  [
    'BaseRepository',
    'timestamps.created',
    () => new BaseRepository(db, { table: 't', timestamps: { created: 'x' } } as never),
  ],
  ['InMemoryRepository', 'table', () => new InMemoryRepository({ columns: ['id'] } as never)],
  ['InMemoryRepository', 'columns', () => new InMemoryRepository({ table: 'notes' } as never)],
  ['InMemoryRepository', 'primaryKey', () => new InMemoryRepository({ table: 'notes', columns: ['key'] } as never)],
];

describe('option mistakes in factories', () => {
  it.each(MISTAKES)(
    '%s: a bad "%s" is a ConfigError naming it, in the createDatabase style',
    (factory, option, call) => {
      let thrown: unknown;
      try {
        call();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect(thrown).toMatchObject({ option, statusCode: 500, code: 'CONFIG_INVALID' });
      expect(
        (thrown as Error).message.startsWith(`Invalid ${factory} option "${option}": expected`) ||
          (thrown as Error).message.includes(`option "${option}": unknown`),
      ).toBe(true);
    },
  );

  it('createDatabase keeps its own message format through the same helper', () => {
    expect(() => createDatabase({ pool: { max: 0 } })).toThrow('Invalid option "pool.max": expected an integer >= 1');
  });
});
