import { describe, expect, it } from 'vitest';

import { ConfigError } from '../../src/index.js';
import { type RedisCacheClient, redisCacheStore } from '../../src/middleware/cache/index.js';

/** The commands the store sends, against a Map, with Redis's SET semantics. */
function fakeRedis() {
  const data = new Map<string, string>();
  const commands: string[][] = [];
  const client: RedisCacheClient & { data: Map<string, string>; commands: string[][] } = {
    data,
    commands,
    async get(key: string) {
      commands.push(['GET', key]);
      return data.get(key) ?? null;
    },
    async set(key: string, value: string, ...rest: Array<string | number>) {
      commands.push(['SET', key, value, ...rest.map(String)]);
      if (rest[0] === 'NX' && data.has(key)) return null;
      data.set(key, value);
      return 'OK';
    },
  };
  return client;
}

describe('redisCacheStore (fake client)', () => {
  it('stores entries as typed JSON with a millisecond TTL, and decodes them back', async () => {
    const redis = fakeRedis();
    const store = redisCacheStore(redis);
    await store.set('k', { at: new Date(0), n: 1n }, 1.5);
    expect(redis.commands.at(-1)).toEqual([
      'SET',
      'k',
      '{"at":{"$date":"1970-01-01T00:00:00.000Z"},"n":{"$bigint":"1"}}',
      'PX',
      '1500',
    ]);
    expect(await store.get('k')).toEqual({ value: { at: new Date(0), n: 1n } });
    expect(await store.get('absent')).toBeUndefined();
  });

  it('serializes before it awaits, so later mutation of the value cannot leak in', async () => {
    const redis = fakeRedis();
    const store = redisCacheStore(redis);
    const row = { n: 1 };
    const pending = store.set('k', row, 60);
    row.n = 2;
    await pending;
    expect(await store.get('k')).toEqual({ value: { n: 1 } });
  });

  it('creates a version with SET NX, and adopts the one another process created first', async () => {
    const redis = fakeRedis();
    const store = redisCacheStore(redis);
    const created = await store.getVersion('p:v:people');
    expect(redis.commands.map((command) => command.slice(0, 2).concat(command.slice(3)))).toEqual([
      ['GET', 'p:v:people'],
      ['SET', 'p:v:people', 'NX'],
    ]);
    expect(await store.getVersion('p:v:people')).toBe(created);

    const racing = fakeRedis();
    const plainSet: (key: string, value: string, ...rest: Array<string | number>) => Promise<unknown> =
      racing.set.bind(racing);
    const racingSet = async (key: string, value: string, ...rest: Array<string | number>) => {
      if (rest[0] === 'NX') racing.data.set(key, 'theirs'); // another process won between our GET and our SET NX
      return plainSet(key, value, ...rest);
    };
    racing.set = racingSet;
    expect(await redisCacheStore(racing).getVersion('p:v:people')).toBe('theirs');
  });

  it('bumps to a fresh random token without ":" each time', async () => {
    const redis = fakeRedis();
    const store = redisCacheStore(redis);
    const tokens = new Set<string>();
    for (let i = 0; i < 50; i++) tokens.add(await store.bumpVersion('p:v:people'));
    expect(tokens.size).toBe(50);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await store.getVersion('p:v:people')).toBe([...tokens].at(-1));
  });

  it('uses a given codec', async () => {
    const redis = fakeRedis();
    const store = redisCacheStore(redis, {
      codec: { encode: (value) => `<${String(value)}>`, decode: (text) => text.slice(1, -1) },
    });
    await store.set('k', 'x', 60);
    expect(redis.data.get('k')).toBe('<x>');
    expect(await store.get('k')).toEqual({ value: 'x' });
  });

  it('rejects something that is not a client with ConfigError', () => {
    // @ts-expect-error not a client, on purpose
    expect(() => redisCacheStore({})).toThrow(ConfigError);
    // @ts-expect-error not a codec, on purpose
    expect(() => redisCacheStore(fakeRedis(), { codec: {} })).toThrow(ConfigError);
  });
});

describe('redisCacheStore: a corrupt entry', () => {
  it('fails with an error that does not quote the stored text', async () => {
    const redis = fakeRedis();
    redis.data.set('k', 'secret-value-not-json');
    const failure = await Promise.resolve(redisCacheStore(redis).get('k')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe('cache entry "k" could not be decoded');
    expect((failure as Error).message).not.toContain('secret');
  });
});
