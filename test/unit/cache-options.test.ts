import { describe, expect, it } from 'vitest';

import { ConfigError, type RepositoryMiddleware } from '../../src/index.js';
import { cache, type CacheOptions, memoryCacheStore } from '../../src/middleware/cache/index.js';

const store = memoryCacheStore({ maxEntries: 10 });
const valid: CacheOptions = { store, ttlSeconds: 60, keyPrefix: 'app:' };

describe('cache() options', () => {
  it('returns a RepositoryMiddleware named "cache" with zeroed metrics', () => {
    const middleware: RepositoryMiddleware = cache(valid);
    expect(middleware.name).toBe('cache');
    expect(middleware.metrics?.()).toEqual({ hits: 0, misses: 0, invalidations: 0, errors: 0 });
  });

  it.each<[string, Partial<Record<keyof CacheOptions, unknown>>]>([
    ['store', { store: undefined }],
    ['store', { store: { get() {} } }],
    ['ttlSeconds', { ttlSeconds: 0 }],
    ['ttlSeconds', { ttlSeconds: '60' }],
    ['ttlSeconds', { ttlSeconds: Number.POSITIVE_INFINITY }],
    ['keyPrefix', { keyPrefix: '' }],
    ['keyPrefix', { keyPrefix: undefined }],
    ['tables', { tables: 'people' }],
    ['tables', { tables: [''] }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['logIntervalMs', { logIntervalMs: -1 }],
    ['logger', { logger: {} }],
    ['varyBy', { varyBy: 'tenant' }],
  ])('names a bad %s in a ConfigError', (option, change) => {
    const options = { ...valid, ...change } as unknown as CacheOptions;
    expect(() => cache(options)).toThrow(ConfigError);
    expect(() => cache(options)).toThrow(expect.objectContaining({ option }) as Error);
  });
});
