import { describe, expect, it } from 'vitest';

import { currentNeed, type ReadNeed, servable } from '../../src/middleware/cache/entry-freshness.js';

const at = (lsn: bigint): ReadNeed => ({ seen: lsn.toString(16), tag: `|${lsn.toString(16)}` });
const primary: ReadNeed = { seen: 'primary', tag: '|primary' };
const none: ReadNeed = { seen: null, tag: '' };
const entry = (seen: string | null) => ({ seen, value: { id: 1 } });

describe('which cached entries a read may take', () => {
  it('needs nothing outside replica routing', () => {
    expect(currentNeed()).toEqual(none);
  });

  it('compares positions as numbers, not as text (across the 32-bit boundary too)', () => {
    expect(servable(entry(0x100n.toString(16)), at(0xffn))).toBe(true);
    expect(servable(entry(0xffn.toString(16)), at(0x100n))).toBe(false);
    expect(servable(entry((1n << 32n).toString(16)), at(0xffffffffn))).toBe(true);
    expect(servable(entry('1f'), at(0x1fn))).toBe(true);
  });

  it('serves primary entries to every read, unpositioned ones only to reads that need nothing', () => {
    expect(servable(entry('primary'), primary)).toBe(true);
    expect(servable(entry('primary'), at(1n << 40n))).toBe(true);
    expect(servable(entry(null), none)).toBe(true);
    expect(servable(entry(null), at(1n))).toBe(false);
    expect(servable(entry(null), primary)).toBe(false);
    expect(servable(entry('ff'), primary)).toBe(false);
  });

  it('never serves a value of another shape (a bare result, a foreign store value)', () => {
    for (const stored of [undefined, null, 42, 'x', { id: 1 }, { value: 1 }, { seen: 7, value: 1 }])
      expect(servable(stored, none)).toBe(false);
  });
});
