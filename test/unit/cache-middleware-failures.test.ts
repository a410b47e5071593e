import { afterEach, describe, expect, it, vi } from 'vitest';

import { cache } from '../../src/middleware/cache/index.js';
import { fakeStore, run, warnings } from './cache-fakes.js';

const setup = (extra: { timeoutMs?: number; logIntervalMs?: number; ttlSeconds?: number } = {}) => {
  const store = fakeStore();
  const logger = warnings();
  const middleware = cache({
    store,
    ttlSeconds: extra.ttlSeconds ?? 60,
    keyPrefix: 'unit:',
    logger,
    timeoutMs: extra.timeoutMs,
    logIntervalMs: extra.logIntervalMs,
  });
  return { store, logger, middleware };
};
const read = (middleware: ReturnType<typeof cache>, execute: () => unknown) =>
  run([middleware], { kind: 'findById', args: [1, undefined] }, execute);

afterEach(() => {
  vi.useRealTimers();
});

describe('cache(): an unavailable store', () => {
  it.each([false, true])(
    'falls through to the database when the store fails (async: %s), counting and never throwing',
    async (async) => {
      const { store, middleware } = setup();
      store.async = async;
      store.failing.add('getVersion');
      const execute = vi.fn(() => 'from the database');
      expect(await read(middleware, execute)).toBe('from the database');
      store.failing.clear();
      store.failing.add('get');
      expect(await read(middleware, execute)).toBe('from the database');
      expect(store.count('set')).toBe(0); // a store that failed the read is not written to
      store.failing.clear();
      store.failing.add('set');
      expect(await read(middleware, execute)).toBe('from the database');
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(middleware.metrics()).toEqual({ hits: 0, misses: 3, invalidations: 0, errors: 3 });
    },
  );

  it('bounds a hanging store by timeoutMs on every call', async () => {
    const { store, middleware } = setup({ timeoutMs: 30 });
    store.async = true;
    for (const method of ['getVersion', 'get'] as const) {
      store.hanging.clear();
      store.hanging.add(method);
      const started = performance.now();
      expect(await read(middleware, () => 'db')).toBe('db');
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(25);
      expect(elapsed).toBeLessThan(500);
    }
    store.hanging.clear();
    store.hanging.add('bumpVersion');
    const started = performance.now();
    await expect(run([middleware], { kind: 'update', args: [1, {}] }, () => 'written')).resolves.toBe('written');
    expect(performance.now() - started).toBeLessThan(500);
    expect(middleware.metrics().errors).toBe(3);
  });

  it('logs once per interval and category, then says how many it suppressed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { store, logger, middleware } = setup({ logIntervalMs: 1_000 });
    store.failing.add('getVersion');
    for (let i = 0; i < 5; i++) await read(middleware, () => 'db');
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatchObject({
      message: 'cache store unavailable; reading from the database',
      fields: { store: 'fake', table: 'people', kind: 'findById' },
    });
    expect(logger.lines[0]!.fields).toMatchObject({ err: { message: 'fake store: getVersion failed' } });
    vi.setSystemTime(Date.now() + 1_001);
    await read(middleware, () => 'db');
    expect(logger.lines).toHaveLength(2);
    expect(logger.lines[1]!.fields).toMatchObject({ suppressed: 4 });
    expect(middleware.metrics().errors).toBe(6);
  });

  it('a throwing logger does not break reads', async () => {
    const store = fakeStore();
    store.failing.add('getVersion');
    const middleware = cache({
      store,
      ttlSeconds: 60,
      keyPrefix: 'unit:',
      logger: {
        warn: () => {
          throw new Error('logger down');
        },
      },
    });
    expect(await read(middleware, () => 'db')).toBe('db');
  });
});

describe('cache(): a failed invalidation', () => {
  it('is logged, and this process stops serving the table from cache until a retry succeeds', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { store, logger, middleware } = setup();
    let value = 'old';
    const execute = vi.fn(() => value);
    await read(middleware, execute); // cached: 'old'
    store.failing.add('bumpVersion');
    await run([middleware], { kind: 'update', args: [1, {}] }, () => (value = 'new'));
    expect(logger.lines.at(-1)).toMatchObject({
      message: 'cache invalidation failed; other processes may read stale entries of this table until they expire',
      fields: { table: 'people', staleForAtMostSeconds: 60 },
    });
    // The stale entry is still in the store, but this process does not read it (or fill it).
    expect(await read(middleware, execute)).toBe('new');
    expect(await read(middleware, execute)).toBe('new');
    expect(store.count('set')).toBe(1);
    // A retry happens at most once a second; once it succeeds, caching resumes on the new version.
    store.failing.clear();
    vi.setSystemTime(Date.now() + 1_001);
    expect(await read(middleware, execute)).toBe('new'); // triggers the retry, still bypassing
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(middleware.metrics().invalidations).toBe(1);
    expect(await read(middleware, execute)).toBe('new'); // miss on the new version, filled
    const calls = execute.mock.calls.length;
    expect(await read(middleware, execute)).toBe('new');
    expect(execute.mock.calls.length).toBe(calls); // a hit again
  });

  it('stops bypassing once ttlSeconds passed even if Redis never recovers, since every stale entry expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { store, middleware } = setup({ ttlSeconds: 10 });
    store.failing.add('bumpVersion');
    await run([middleware], { kind: 'delete', args: [1] }, () => undefined);
    const execute = vi.fn(() => 'db');
    await read(middleware, execute);
    expect(store.count('getVersion')).toBe(0);
    vi.setSystemTime(Date.now() + 10_001);
    await read(middleware, execute);
    expect(store.count('getVersion')).toBe(1);
  });
});
