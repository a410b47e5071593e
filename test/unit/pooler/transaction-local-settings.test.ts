import { describe, expect, it } from 'vitest';

import { localSettingsSql, runsOutsideTransaction } from '../../../src/driver/transaction-local-settings.js';
import { ConfigError, mapPostgresError } from '../../../src/index.js';

describe('localSettingsSql', () => {
  it('is undefined when neither setting is configured (autocommit statements stay unwrapped)', () => {
    expect(localSettingsSql({})).toBeUndefined();
    expect(localSettingsSql({ searchPath: [] })).toBeUndefined();
  });

  it('sets both with SET LOCAL, schemas quoted and folded like the startup option folds them', () => {
    expect(localSettingsSql({ statementTimeoutMs: 5000, searchPath: ['App', 'public', 'a$b'] })).toBe(
      'set local statement_timeout = 5000; set local search_path = "app", "public", "a$b"',
    );
    expect(localSettingsSql({ statementTimeoutMs: 250 })).toBe('set local statement_timeout = 250');
  });

  it('refuses a timeout that is not an integer (the schema validated it; never interpolate anything else)', () => {
    expect(() => localSettingsSql({ statementTimeoutMs: 1.5 })).toThrow(TypeError);
    expect(() => localSettingsSql({ statementTimeoutMs: Number.NaN })).toThrow(TypeError);
  });
});

describe('runsOutsideTransaction', () => {
  it.each([
    'begin',
    '  BEGIN ISOLATION LEVEL SERIALIZABLE',
    'start transaction',
    'commit',
    'rollback',
    'savepoint a',
    'vacuum analyze items',
    'create index concurrently items_label on items (label)',
    'CREATE UNIQUE INDEX CONCURRENTLY x ON t (a)',
    'drop index concurrently x',
    'reindex table concurrently items',
    'create database other',
    'alter system set work_mem = 1',
    '-- a comment\n/* and another */ vacuum',
    'discard all',
  ])('leaves %j unwrapped', (sql) => {
    expect(runsOutsideTransaction(sql)).toBe(true);
  });

  it.each([
    'select 1',
    'insert into begin_log values (1)',
    'create index items_label on items (label)',
    'update items set label = $1',
    'with x as (select 1) select * from x',
    'beginning',
    '/* vacuum */ select 1',
  ])('wraps %j', (sql) => {
    expect(runsOutsideTransaction(sql)).toBe(false);
  });
});

describe('a startup parameter PgBouncer refuses', () => {
  const refused = (parameter: string) =>
    Object.assign(new Error(`unsupported startup parameter: ${parameter}`), { code: '08P01' });

  it('is a ConfigError that names the parameter, its option and the pooler setting', () => {
    const mapped = mapPostgresError(refused('statement_timeout'));
    expect(mapped).toBeInstanceOf(ConfigError);
    expect(mapped).toMatchObject({ option: 'pooler', retryable: false });
    expect(mapped.message).toContain('"statement_timeout"');
    expect(mapped.message).toContain('statementTimeoutMs');
    expect(mapped.message).toContain("pooler: 'pgbouncer-transaction'");
    expect(mapPostgresError(refused('options')).message).toContain('searchPath');
  });

  it('other protocol violations stay non-retryable ConnectionErrors', () => {
    const other = Object.assign(new Error('invalid frontend message type 0'), { code: '08P01' });
    expect(mapPostgresError(other)).toMatchObject({ name: 'ConnectionError', retryable: false });
  });
});
