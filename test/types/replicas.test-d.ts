import { describe, expectTypeOf, it } from 'vitest';

import {
  BaseRepository,
  createDatabase,
  type DatabaseHealthReport,
  type PickReplica,
  type ReplicaCandidate,
  type ReplicaReport,
} from '../../src/index.js';

interface DB {
  notes: { id: number; body: string };
}

describe('replica options and routing helpers', () => {
  it('accepts URLs or connection objects and a typed pickReplica', () => {
    const pick: PickReplica = (candidates) => {
      expectTypeOf(candidates).toEqualTypeOf<readonly ReplicaCandidate[]>();
      return candidates.find((each) => each.lagMs < 100);
    };
    createDatabase<DB>({
      replicas: ['postgres://replica-a/db', { name: 'b', host: 'replica-b', pool: { max: 4 } }],
      pickReplica: pick,
      maxLagMs: 2_000,
      maxWaitMs: 100,
      replicaFallback: 'error',
    });
    // @ts-expect-error replicaFallback is 'primary' or 'error'
    createDatabase<DB>({ replicaFallback: 'replica' });
    // @ts-expect-error a replica's pool takes only max
    createDatabase<DB>({ replicas: [{ host: 'h', pool: { min: 1 } }] });
  });

  it('returns what the callback returns from primary() and withConsistencyToken()', () => {
    const db = createDatabase<DB>();
    expectTypeOf(db.primary(() => 42)).toEqualTypeOf<number>();
    expectTypeOf(db.withConsistencyToken(undefined, async () => 'x')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(db.consistencyToken()).toEqualTypeOf<string | undefined>();
    expectTypeOf(db.metrics().replicas).toEqualTypeOf<ReplicaReport[] | undefined>();
    expectTypeOf<DatabaseHealthReport['replicas']>().toEqualTypeOf<ReplicaReport[] | undefined>();
  });

  it("takes { consistency: 'strong' } on repository reads only", () => {
    const notes = new BaseRepository<DB, 'notes'>(createDatabase<DB>(), { table: 'notes' });
    void notes.findById(1, { consistency: 'strong' });
    void notes.count(undefined, { consistency: 'strong' });
    void notes.findMany({ consistency: 'strong', limit: 5 });
    // @ts-expect-error only 'strong' exists
    void notes.findById(1, { consistency: 'eventual' });
  });
});
