import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { describe, expect, it } from 'vitest';

import type { Condition } from '../../../src/repository/filter-condition.js';
import { conditionsExpression, type LooseDB } from '../../../src/repository/kysely-conditions.js';
import { conditionsShape, ShapeCache } from '../../../src/repository/shape-cache.js';

const kysely = new Kysely<LooseDB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const select = (conditions: readonly Condition[]) =>
  kysely
    .selectFrom('t')
    .selectAll()
    .where((eb) => conditionsExpression(eb, conditions));

const mixed = (team: string, low: number, ids: number[]): Condition[] => [
  { column: 'team', op: 'eq', value: team },
  {
    op: 'or',
    conditions: [
      { column: 'score', op: 'between', low, high: low + 10 },
      { op: 'not', condition: { column: 'email', op: 'like', pattern: `%${team}%` } },
    ],
  },
  { column: 'id', op: 'in', values: ids },
  { column: 'deleted_at', op: 'null' },
];

describe('conditionsShape mirrors conditionsExpression', () => {
  it('binds the values in the order Kysely compiles them', () => {
    const conditions = mixed('red', 5, [1, 2, 3]);
    expect(conditionsShape(conditions).parameters).toEqual(select(conditions).compile().parameters);
  });

  it('one key per structure, whatever the values; another structure, another key', () => {
    expect(conditionsShape(mixed('red', 5, [1, 2])).key).toBe(conditionsShape(mixed('blue', 9, [7, 8])).key);
    expect(conditionsShape(mixed('red', 5, [1, 2])).key).not.toBe(conditionsShape(mixed('red', 5, [1, 2, 3])).key);
    const eq: Condition[] = [{ column: 'a', op: 'eq', value: 1 }];
    const gt: Condition[] = [{ column: 'a', op: 'gt', value: 1 }];
    expect(conditionsShape(eq).key).not.toBe(conditionsShape(gt).key);
  });
});

describe('ShapeCache', () => {
  it('a hit binds the new values into the kept text, without building', () => {
    const cache = new ShapeCache();
    const first = mixed('red', 5, [1, 2]);
    const compiled = cache.compiled(conditionsShape(first), () => select(first));
    const second = mixed('blue', 9, [7, 8]);
    let built = false;
    const hit = cache.compiled(conditionsShape(second), () => {
      built = true;
      return select(second);
    });
    expect(built).toBe(false);
    expect(hit.sql).toBe(compiled.sql);
    expect(hit.parameters).toEqual(select(second).compile().parameters);
  });

  it('a shape whose values do not match what Kysely bound is never reused', () => {
    const cache = new ShapeCache();
    const conditions: Condition[] = [{ column: 'a', op: 'eq', value: 1 }];
    // A builder that inlines a value the shape does not know about.
    const build = () =>
      kysely
        .selectFrom('t')
        .selectAll()
        .where((eb) => eb.and([conditionsExpression(eb, conditions), sql<boolean>`b = ${'extra'}`]));
    cache.compiled(conditionsShape(conditions), build);
    let builds = 0;
    const again = cache.compiled(conditionsShape(conditions), () => {
      builds++;
      return build();
    });
    expect(builds).toBe(1);
    expect(again.parameters).toEqual([1, 'extra']);
  });

  it('keeps at most 256 shapes, dropping the least recently used', () => {
    const cache = new ShapeCache();
    const shapeOf = (n: number): Condition[] => [
      { column: 'id', op: 'in', values: Array.from({ length: n }, () => n) },
    ];
    for (let n = 1; n <= 300; n++) cache.compiled(conditionsShape(shapeOf(n)), () => select(shapeOf(n)));
    expect(cache.size).toBe(256);
  });
});
