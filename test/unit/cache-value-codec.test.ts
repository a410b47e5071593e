import { describe, expect, it } from 'vitest';

import { cloneCacheValue, decodeCacheValue, encodeCacheValue } from '../../src/middleware/cache/index.js';

const roundTrip = (value: unknown) => decodeCacheValue(encodeCacheValue(value));

describe('encodeCacheValue / decodeCacheValue', () => {
  it('round-trips rows with Dates, bigints, Buffers and JSON columns, keeping their types', () => {
    const row = {
      id: 12345678901234567890n,
      email: 'ada@example.com',
      score: 1.5,
      active: true,
      team: null,
      created_at: new Date('2024-02-29T12:34:56.789Z'),
      avatar: Buffer.from([0, 1, 2, 255]),
      settings: { theme: 'dark', tags: ['a', 'b'], nested: { at: new Date(0) } },
    };
    const back = roundTrip(row) as typeof row;
    expect(back).toEqual(row);
    expect(back.created_at).toBeInstanceOf(Date);
    expect(back.settings.nested.at).toBeInstanceOf(Date);
    expect(typeof back.id).toBe('bigint');
    expect(Buffer.isBuffer(back.avatar)).toBe(true);
  });

  it('round-trips undefined (a cached "not found"), NaN, ±Infinity, -0 and invalid Dates', () => {
    expect(roundTrip(undefined)).toBeUndefined();
    expect(roundTrip([1, undefined, 3])).toEqual([1, undefined, 3]);
    expect(roundTrip(Number.NaN)).toBeNaN();
    expect(roundTrip([Infinity, -Infinity])).toEqual([Infinity, -Infinity]);
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect((roundTrip(new Date(Number.NaN)) as Date).getTime()).toBeNaN();
    expect(roundTrip({ a: undefined })).toEqual({ a: undefined });
    expect(Object.keys(roundTrip({ a: undefined }) as object)).toEqual(['a']);
  });

  it('never mistakes data for its own tags', () => {
    const tricky = {
      $date: '2020-01-01T00:00:00.000Z',
      inner: { $bigint: '1' },
      list: [{ $undefined: 1 }, { $object: 'x' }],
      $: 1,
    };
    expect(roundTrip(tricky)).toEqual(tricky);
    expect((roundTrip(tricky) as typeof tricky).$date).toBe('2020-01-01T00:00:00.000Z');
  });

  it('keeps a "__proto__" key of JSON data as a field, never as a prototype', () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const back = roundTrip(data) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'a']);
    expect((back as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('refuses what it cannot represent', () => {
    expect(() => encodeCacheValue({ f: () => 1 })).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeCacheValue(cyclic)).toThrow(TypeError);
    expect(() => decodeCacheValue('{"$bigint": 5}')).toThrow(TypeError);
  });
});

describe('cloneCacheValue', () => {
  it('makes a deep, independent copy that keeps Dates, Buffers, Maps, Sets and prototypes', () => {
    class Interval {
      constructor(public hours: number) {}
    }
    const value = {
      at: new Date(5),
      bytes: Buffer.from('hi'),
      map: new Map([['k', { n: 1 }]]),
      set: new Set([1]),
      interval: new Interval(2),
      list: [{ n: 1 }],
    };
    const copy = cloneCacheValue(value);
    expect(copy).toEqual(value);
    expect(copy.at).not.toBe(value.at);
    expect(copy.at).toBeInstanceOf(Date);
    expect(Buffer.isBuffer(copy.bytes)).toBe(true);
    expect(copy.interval).toBeInstanceOf(Interval);
    copy.list[0]!.n = 99;
    copy.at.setTime(0);
    copy.map.get('k')!.n = 99;
    expect(value.list[0]!.n).toBe(1);
    expect(value.at.getTime()).toBe(5);
    expect(value.map.get('k')!.n).toBe(1);
  });

  it('returns primitives as they are', () => {
    for (const primitive of [1, 'a', 1n, true, null, undefined]) expect(cloneCacheValue(primitive)).toBe(primitive);
  });
});
