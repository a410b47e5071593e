import { ConfigError } from '../errors/application-errors.js';
import { LOG_LEVELS, type LogLevel } from '../logging/logger.js';
import type { DatabaseOptions, TlsOptions } from './options-schema.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads database options from environment variables: `DATABASE_URL`, or `DB_HOST`,
 * `DB_PORT`, `DB_NAME`, `DB_USER`, `DB_PASSWORD`, `DB_SSL`, plus pool, retry and timeout
 * settings. Returns plain options, so a host can read and then override. A malformed
 * value is a `ConfigError` naming the variable (never its value).
 *
 * @example
 * ```ts
 * const db = createDatabase({ ...loadEnvOptions(), pool: { max: 4 } })
 * ```
 */
export function loadEnvOptions(env: Env = process.env): DatabaseOptions {
  const options: DatabaseOptions = {};
  const url = text(env, 'DATABASE_URL');
  if (url !== undefined) {
    options.connectionString = url;
  } else {
    assign(options, 'host', text(env, 'DB_HOST'));
    assign(options, 'port', integer(env, 'DB_PORT'));
    assign(options, 'database', text(env, 'DB_NAME'));
    assign(options, 'user', text(env, 'DB_USER'));
    assign(options, 'password', env.DB_PASSWORD);
  }
  assign(options, 'ssl', ssl(env));

  const pool: NonNullable<DatabaseOptions['pool']> = {};
  assign(pool, 'max', integer(env, 'DB_POOL_MAX'));
  assign(pool, 'min', integer(env, 'DB_POOL_MIN'));
  assign(pool, 'idleTimeoutMs', integer(env, 'DB_IDLE_TIMEOUT_MS'));
  assign(pool, 'connectionTimeoutMs', integer(env, 'DB_CONNECTION_TIMEOUT_MS'));
  assign(pool, 'maxLifetimeMs', integer(env, 'DB_MAX_LIFETIME_MS'));
  if (Object.keys(pool).length > 0) options.pool = pool;

  const retry: NonNullable<DatabaseOptions['retry']> = {};
  assign(retry, 'attempts', integer(env, 'DB_RETRY_ATTEMPTS'));
  assign(retry, 'minDelayMs', integer(env, 'DB_RETRY_DELAY_MS'));
  if (Object.keys(retry).length > 0) options.retry = retry;

  assign(options, 'statementTimeoutMs', integer(env, 'DB_STATEMENT_TIMEOUT_MS'));
  assign(options, 'slowQueryThresholdMs', integer(env, 'DB_SLOW_QUERY_MS'));
  assign(options, 'logger', logLevel(env));
  return options;
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string): number | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new ConfigError(`Invalid environment variable ${name}: expected a non-negative integer`, { option: name });
  return Number(value);
}

function ssl(env: Env): boolean | TlsOptions | undefined {
  const value = text(env, 'DB_SSL')?.toLowerCase();
  if (value === undefined) return undefined;
  if (['1', 'true', 'require', 'verify-full', 'on'].includes(value)) return true;
  if (['0', 'false', 'disable', 'off'].includes(value)) return false;
  if (value === 'no-verify') return { rejectUnauthorized: false };
  throw new ConfigError('Invalid environment variable DB_SSL: expected true, false, require, disable or no-verify', {
    option: 'DB_SSL',
  });
}

function logLevel(env: Env): LogLevel | undefined {
  const value = text(env, 'DB_LOG_LEVEL')?.toLowerCase();
  if (value === undefined) return undefined;
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new ConfigError(`Invalid environment variable DB_LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}`, {
    option: 'DB_LOG_LEVEL',
  });
}
