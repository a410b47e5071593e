import { ConfigError } from './application-errors.js';

/**
 * The one way a factory reports a bad option: a `ConfigError` (500, a programming or
 * deployment mistake, never the client's) whose `option` names the offending field and
 * whose message says what was expected, never the value given (it may be a secret).
 * `createDatabase` and every other factory (`cache`, `tenantFilter`, the stores,
 * repositories, `withRollback`) build their option errors here, so they read alike.
 *
 * ```ts
 * if (typeof options.ttlSeconds !== 'number') throw optionError('ttlSeconds', 'expected a positive number', { factory: 'cache()' })
 * // ConfigError: Invalid cache() option "ttlSeconds": expected a positive number   (error.option === 'ttlSeconds')
 * ```
 */
export function optionError(
  option: string,
  expected: string,
  context: { factory?: string; cause?: unknown } = {},
): ConfigError {
  const subject = context.factory === undefined ? 'option' : `${context.factory} option`;
  return new ConfigError(`Invalid ${subject} "${option}": ${expected}`, { option, cause: context.cause });
}
