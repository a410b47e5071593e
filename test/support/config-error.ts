import { resolveOptions } from '../../src/config/resolve-options.js';
import { ConfigError } from '../../src/index.js';

/** The ConfigError that resolving `options` throws; fails the test when there is none. */
export function configError(options: unknown): ConfigError {
  try {
    resolveOptions(options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
