import { inspect } from 'node:util';

import { describe, expect, it } from 'vitest';

import { resolveOptions } from '../../src/config/resolve-options.js';
import { ConfigError, createDatabase } from '../../src/index.js';
import { configError } from '../support/config-error.js';

describe('createDatabase options', () => {
  it.each([
    [{ pool: { max: 0 } }, 'pool.max', />=?\s*1|too small/i],
    [{ pool: { max: 2.5 } }, 'pool.max', /integer/i],
    [{ pool: { max: 'ten' } }, 'pool.max', /expected a number/i],
    [{ port: 70000 }, 'port', /65535/],
    [{ retry: { attempts: 0 } }, 'retry.attempts', />= 1/],
    [{ statementTimeoutMs: -1 }, 'statementTimeoutMs', />= 1/],
    [{ connectionString: 'mysql://x' }, 'connectionString', /postgres:\/\//],
    [{ logger: 'loud' }, 'logger', /warn|logger/],
    [{ logger: { info() {} } }, 'logger', /debug, info, warn and error/],
    [{ onSlowQuery: 'log it' }, 'onSlowQuery', /function/],
    [{ searchPath: 'public; drop table x' }, 'searchPath', /identifier/],
    [{ ssl: 'yes' }, 'ssl', /boolean/],
    [{ pool: { min: 5, max: 2 } }, 'pool.min', /pool\.max/],
    [{ retry: { minDelayMs: 500, maxDelayMs: 100 } }, 'retry.minDelayMs', /maxDelayMs/],
    [{ retry: { minDelayMs: 10_000 } }, 'retry.minDelayMs', /5000/],
    [{ connectionString: 'postgres://h/db', host: 'other' }, 'host', /connectionString/],
  ])('rejects %j naming the option', (options, option, expected) => {
    const error = configError(options);
    expect(error.option).toBe(option);
    expect(error.message).toContain(`"${option}"`);
    expect(error.message).toMatch(expected);
    expect(error).toMatchObject({ name: 'ConfigError', code: 'CONFIG_INVALID', statusCode: 500 });
  });

  it('rejects unknown options, so a typo is not silently ignored', () => {
    expect(configError({ pool: { maxx: 3 } })).toMatchObject({
      option: 'pool.maxx',
      message: 'Unknown option "pool.maxx"',
    });
    expect(configError({ hots: 'db' })).toMatchObject({ option: 'hots' });
  });

  it('applies defaults', () => {
    const resolved = resolveOptions({});
    expect(resolved.pool).toEqual({
      max: 10,
      min: 0,
      idleTimeoutMs: 10_000,
      connectionTimeoutMs: 10_000,
      maxLifetimeMs: 0,
    });
    expect(resolved.retry).toEqual({ attempts: 5, minDelayMs: 100, maxDelayMs: 5_000 });
    expect(resolved.slowQueryThresholdMs).toBe(1_000);
    expect(resolved.logParameters).toBe(false);
  });

  it('never exposes the password or the connection string with its password', () => {
    const fromFields = resolveOptions({ host: 'db', user: 'app', password: 's3cret-pw' });
    const fromUrl = resolveOptions({ connectionString: 'postgres://app:s3cret-pw@db:5432/app' });
    for (const resolved of [fromFields, fromUrl]) {
      expect(JSON.stringify(resolved.connection)).not.toContain('s3cret-pw');
      expect(inspect(resolved.connection, { depth: 5 })).not.toContain('s3cret-pw');
      expect(Object.keys(resolved.connection)).not.toContain('password');
    }
    expect(fromFields.connection.password).toBe('s3cret-pw');
    expect(fromUrl.connection.target).toBe('postgres://app:***@db:5432/app');
  });

  it('is what createDatabase throws, before any connection is made', () => {
    expect(() => createDatabase({ pool: { max: -1 } })).toThrow(ConfigError);
  });

  it('does not echo a rejected value in the message', () => {
    const error = configError({ password: 12345678 });
    expect(error.message).not.toContain('12345678');
  });
});
