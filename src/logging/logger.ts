import { pino } from 'pino';

/**
 * The logging shape the library needs. A pino logger satisfies it, and so does any
 * object with these methods, so hosts can pass their own logger.
 *
 * @example
 * ```ts
 * const logger: Logger = {
 *   debug: (fields, message) => console.debug(message, fields),
 *   info: (fields, message) => console.info(message, fields),
 *   warn: (fields, message) => console.warn(message, fields),
 *   error: (fields, message) => console.error(message, fields),
 * }
 * const db = createDatabase<DB>({ logger })
 * ```
 */
export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  /**
   * Optional (pino has it): lets the library skip building debug lines, such as the
   * per-statement `query` line, when the level is off. Without it, `debug` is called.
   */
  isLevelEnabled?(level: string): boolean;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/**
 * A pino level name: `createDatabase({ logger: 'debug' })` builds a pino logger at that level
 * (`debug` logs every statement).
 *
 * @example
 * ```ts
 * const level: LogLevel = process.env.NODE_ENV === 'production' ? 'warn' : 'debug'
 * const db = createDatabase<DB>({ logger: level })
 * ```
 */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** pino at `warn` unless a level or a logger is given. */
export function resolveLogger(logger: Logger | LogLevel | undefined): Logger {
  if (logger === undefined || typeof logger === 'string') {
    return pino({ name: '@org/data-layer', level: logger ?? 'warn' });
  }
  return logger;
}

/** Replaces the password of a postgres URL with `***`, for log lines and error messages. */
export function redactConnectionString(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password !== '') url.password = '***';
    url.searchParams.forEach((_value, key) => {
      if (/pass|secret|key/i.test(key)) url.searchParams.set(key, '***');
    });
    return url.toString();
  } catch {
    return '(unparseable connection string)';
  }
}
