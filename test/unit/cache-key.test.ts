import { describe, expect, it } from 'vitest';

import { digestOf, entryKey, stableKeyMaterial, versionKey } from '../../src/middleware/cache/cache-key.js';

describe('stableKeyMaterial', () => {
  it('does not depend on object key order, at any depth', () => {
    expect(stableKeyMaterial({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe(
      stableKeyMaterial({ a: { c: 'x', d: [1, 2] }, b: 1 }),
    );
  });

  it('tells apart values that print alike', () => {
    const distinct = [
      1,
      '1',
      1n,
      true,
      'true',
      null,
      undefined,
      'null',
      new Date(0),
      new Date(0).toISOString(),
      0,
      -0,
      [1],
      [[1]],
      { a: undefined },
      {},
      Buffer.from('a'),
      'a',
    ];
    const materials = distinct.map((value) => stableKeyMaterial(value));
    expect(new Set(materials).size).toBe(distinct.length);
  });

  it('tells apart arrays and objects whose parts could be regrouped', () => {
    expect(stableKeyMaterial(['a,b'])).not.toBe(stableKeyMaterial(['a', 'b']));
    expect(stableKeyMaterial({ 'a:1': 2 })).not.toBe(stableKeyMaterial({ a: '1:2' }));
    expect(stableKeyMaterial({ 'x y': 1 })).not.toBe(stableKeyMaterial({ x: 1, y: 1 }));
  });

  it('returns undefined for values it cannot key reliably', () => {
    class Custom {}
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    for (const value of [() => 1, Symbol('s'), new Custom(), new Map(), cyclic, [1, { f: () => 1 }]]) {
      expect(stableKeyMaterial(value)).toBeUndefined();
    }
  });
});

describe('key layout', () => {
  it('puts prefix, table, version and kind in front of a fixed-length digest', () => {
    expect(versionKey('app:', 'people')).toBe('app:v:people');
    const digest = digestOf('anything');
    expect(digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(entryKey('app:', 'people', 'v7', 'findById', digest)).toBe(`app:e2:people:v7:findById:${digest}`);
    expect(digestOf('x'.repeat(10_000))).toHaveLength(43);
  });
});
