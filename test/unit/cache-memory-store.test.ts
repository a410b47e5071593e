import { describe, expect, it } from 'vitest';

import { ConfigError } from '../../src/index.js';
import { memoryCacheStore } from '../../src/middleware/cache/index.js';
import { sleep } from '../support/async.js';

describe('memoryCacheStore', () => {
  it('answers synchronously with copies: mutating what it returned or what was stored changes nothing', () => {
    const store = memoryCacheStore({ maxEntries: 10 });
    const row = { id: 1, at: new Date(1_000), tags: ['a'] };
    store.set('k', row, 60);
    row.tags.push('changed-after-set');
    const first = store.get('k') as { value: typeof row };
    expect(first).toEqual({ value: { id: 1, at: new Date(1_000), tags: ['a'] } });
    expect(first.value.at).toBeInstanceOf(Date);
    first.value.at.setTime(0);
    first.value.tags.push('changed-after-get');
    expect(store.get('k')).toEqual({ value: { id: 1, at: new Date(1_000), tags: ['a'] } });
  });

  it('caches undefined as a hit, distinct from no entry', () => {
    const store = memoryCacheStore({ maxEntries: 10 });
    store.set('missing-row', undefined, 60);
    expect(store.get('missing-row')).toEqual({ value: undefined });
    expect(store.get('never-set')).toBeUndefined();
  });

  it('expires entries after their TTL', async () => {
    const store = memoryCacheStore({ maxEntries: 10 });
    store.set('short', 1, 0.05);
    store.set('long', 2, 60);
    await sleep(80);
    expect(store.get('short')).toBeUndefined();
    expect(store.get('long')).toEqual({ value: 2 });
  });

  it('evicts the least recently used entry beyond maxEntries, never a version', () => {
    const store = memoryCacheStore({ maxEntries: 2 });
    const version = store.getVersion('v:people');
    store.set('a', 1, 60);
    store.set('b', 2, 60);
    store.get('a'); // a is now more recent than b
    store.set('c', 3, 60);
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toEqual({ value: 1 });
    expect(store.size).toBe(2);
    expect(store.getVersion('v:people')).toBe(version);
  });

  it('creates a version on first read and replaces it with a never-used one on bump', () => {
    const store = memoryCacheStore({ maxEntries: 2 });
    const seen = new Set<string>();
    const first = store.getVersion('v:t');
    expect(store.getVersion('v:t')).toBe(first);
    seen.add(first);
    for (let i = 0; i < 100; i++) seen.add(store.bumpVersion('v:t'));
    expect(seen.size).toBe(101);
    expect(store.getVersion('v:other')).not.toBe(store.getVersion('v:t'));
  });

  it('rejects a bad maxEntries with ConfigError', () => {
    for (const maxEntries of [0, -1, 1.5, Number.NaN])
      expect(() => memoryCacheStore({ maxEntries })).toThrow(ConfigError);
    // @ts-expect-error missing options, on purpose
    expect(() => memoryCacheStore()).toThrow(ConfigError);
  });
});
