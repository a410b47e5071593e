import { describe, expect, it } from 'vitest';

import { ConfigError, loadEnvOptions } from '../../src/index.js';

describe('loadEnvOptions', () => {
  it('prefers DATABASE_URL over the DB_* connection variables', () => {
    expect(loadEnvOptions({ DATABASE_URL: 'postgres://u@h/db', DB_HOST: 'ignored' })).toEqual({
      connectionString: 'postgres://u@h/db',
    });
  });

  it('reads every documented variable', () => {
    const options = loadEnvOptions({
      DB_HOST: 'db.internal',
      DB_PORT: '6432',
      DB_NAME: 'app',
      DB_USER: 'svc',
      DB_PASSWORD: 'pw',
      DB_SSL: 'no-verify',
      DB_POOL_MAX: '20',
      DB_POOL_MIN: '2',
      DB_IDLE_TIMEOUT_MS: '30000',
      DB_CONNECTION_TIMEOUT_MS: '2000',
      DB_MAX_LIFETIME_MS: '600000',
      DB_STATEMENT_TIMEOUT_MS: '5000',
      DB_RETRY_ATTEMPTS: '7',
      DB_RETRY_DELAY_MS: '250',
      DB_SLOW_QUERY_MS: '300',
      DB_LOG_LEVEL: 'debug',
    });
    expect(options).toEqual({
      host: 'db.internal',
      port: 6432,
      database: 'app',
      user: 'svc',
      password: 'pw',
      ssl: { rejectUnauthorized: false },
      pool: { max: 20, min: 2, idleTimeoutMs: 30_000, connectionTimeoutMs: 2_000, maxLifetimeMs: 600_000 },
      retry: { attempts: 7, minDelayMs: 250 },
      statementTimeoutMs: 5_000,
      slowQueryThresholdMs: 300,
      logger: 'debug',
    });
  });

  it('returns plain options a host can override', () => {
    const options = { ...loadEnvOptions({ DB_HOST: 'h', DB_POOL_MAX: '20' }), pool: { max: 4 } };
    expect(options).toEqual({ host: 'h', pool: { max: 4 } });
  });

  it.each([
    ['DB_PORT', 'abc'],
    ['DB_POOL_MAX', '-3'],
    ['DB_SSL', 'maybe'],
    ['DB_LOG_LEVEL', 'verbose'],
  ])('names the variable %s when its value is malformed, without echoing it', (name, value) => {
    let caught: unknown;
    try {
      loadEnvOptions({ [name]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).option).toBe(name);
    expect((caught as ConfigError).message).toContain(name);
    expect((caught as ConfigError).message).not.toContain(value);
  });

  it('ignores empty variables', () => {
    expect(loadEnvOptions({ DB_HOST: '', DB_PORT: '  ' })).toEqual({});
  });
});
