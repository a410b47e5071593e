import { describe, expect, it } from 'vitest';

import { ValidationError } from '../../src/errors/index.js';
import { endsWithEscape, escapeLike, likeMatches } from '../../src/repository/like-pattern.js';
import { InMemoryRepository } from '../../src/testing/index.js';

// The fake without declared column types: filters compare by the kind of the stored value
// (the typed cases run against PostgreSQL in the contract suite and the property tests).

interface Item {
  id: number;
  label: string | null;
  size: number | null;
  big: bigint | null;
  seen: Date | null;
}

const items = () =>
  new InMemoryRepository<Item>({
    table: 'items',
    columns: ['id', 'label', 'size', 'big', 'seen'],
    seed: [
      { id: 1, label: 'a_c', size: 1.5, big: 10n, seen: new Date('2024-01-01T00:00:00Z') },
      { id: 2, label: 'abc', size: 10, big: 2n ** 60n, seen: new Date('2024-06-01T00:00:00Z') },
      { id: 3, label: null, size: null, big: null, seen: null },
    ],
  });

const ids = (rows: readonly Item[]) => rows.map((row) => row.id);

describe('InMemoryRepository filters without column types', () => {
  it('compares numbers, bigints across spellings, and Dates with ISO strings', async () => {
    const repo = items();
    expect(ids(await repo.findMany({ where: { size: { gt: 2 } } }))).toEqual([2]);
    expect(ids(await repo.findMany({ where: { size: { lte: '1.5' as unknown as number } } }))).toEqual([1]);
    expect(ids(await repo.findMany({ where: { big: { gt: 2n ** 59n } } }))).toEqual([2]);
    expect(ids(await repo.findMany({ where: { big: { in: ['10' as unknown as bigint] } } }))).toEqual([1]);
    const march = '2024-03-01T00:00:00Z' as unknown as Date;
    expect(ids(await repo.findMany({ where: { seen: { gt: march } } }))).toEqual([2]);
    expect(ids(await repo.findMany({ where: { seen: { between: [new Date(0), new Date()] } } }))).toEqual([1, 2]);
  });

  it('keeps NULL out of ne, notIn and NOT', async () => {
    const repo = items();
    expect(ids(await repo.findMany({ where: { size: { ne: 10 } } }))).toEqual([1]);
    expect(ids(await repo.findMany({ where: { label: { notIn: ['abc'] } } }))).toEqual([1]);
    expect(ids(await repo.findMany({ where: { NOT: { label: { like: 'a%' } } } }))).toEqual([]);
  });

  it('refuses what it cannot order, even without types', async () => {
    const repo = new InMemoryRepository<{ id: number; flag: boolean }>({ table: 'flags', columns: ['id', 'flag'] });
    await expect(repo.count({ flag: { gt: true } } as never)).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('LIKE patterns', () => {
  it('escapeLike makes %, _ and \\ literal', () => {
    expect(escapeLike('50%_off\\')).toBe('50\\%\\_off\\\\');
    for (const text of ['50%', 'a_b', 'back\\slash', '%_\\', 'plain']) {
      expect(likeMatches(text, escapeLike(text), false)).toBe(true);
      expect(likeMatches(`${text}x`, escapeLike(text), false)).toBe(false);
    }
    expect(likeMatches('a-b', escapeLike('a_b'), false)).toBe(false);
  });

  it('matches % and _ across any character, newlines and astral ones included', () => {
    expect(likeMatches('a\nb', 'a_b', false)).toBe(true);
    expect(likeMatches('a😀b', 'a_b', false)).toBe(true);
    expect(likeMatches('a(.*)b', 'a(.*)%', false)).toBe(true);
    expect(likeMatches('ABC', 'a%', true)).toBe(true);
    expect(likeMatches('ABC', 'a%', false)).toBe(false);
  });

  it('detects a pattern ending in an unpaired escape', () => {
    expect(endsWithEscape('abc\\')).toBe(true);
    expect(endsWithEscape('abc\\\\')).toBe(false);
    expect(endsWithEscape('abc')).toBe(false);
  });
});
