// The workloads of issue 12, as data: what one operation is, how many run in flight, which
// libraries have it, and how its writes are verified. The runner is lib/measure.ts.
import type { Adapter } from '../adapters/adapter.js';
import type { LibraryId } from './types.js';

export type WorkloadKind =
  /** Operations for a time window; throughput in operations per second. */
  | 'ops'
  /** createMany batches against single inserts; throughput in rows per second. */
  | 'batch'
  /** One pass over stream_rows; throughput in rows per second, RSS growth reported. */
  | 'stream';

/** The rows a write workload must leave behind, checked after the window (lib/verify.ts). */
export type Verification = 'inserted' | 'inserted-and-updated' | 'savepoint-rolled-back';

export interface Workload {
  readonly id: string;
  readonly label: string;
  readonly kind: WorkloadKind;
  readonly inFlight: number;
  /** Libraries that have it; pg-pool always runs (the reference). */
  readonly libraries: readonly LibraryId[];
  readonly verify?: Verification;
  /** One operation; `i` counts operations, `tag` marks this run's rows. */
  readonly run?: (adapter: Adapter, i: number, tag: string) => Promise<unknown>;
}

const ALL: readonly LibraryId[] = ['pg-pool', 'pg-named', 'kysely', 'postgres.js', 'data-layer'];
const TENANTS = ['t0', 't1', 't2', 't3'] as const;

/** Spreads operation numbers over the seeded ids 1..items (a prime stride, so not sequential). */
export function itemId(i: number, items: number): number {
  return ((i * 7_919) % items) + 1;
}

/** The fixture gives item `id` to tenant `t${id % 4}` (lib/fixture.ts). */
export function tenantOf(id: number): string {
  return TENANTS[id % TENANTS.length]!;
}

export function defineWorkloads(items: number): readonly Workload[] {
  const byId = (i: number) => itemId(i, items);
  return [
    {
      id: 'findById-1',
      label: 'findById, 1 in flight',
      kind: 'ops',
      inFlight: 1,
      libraries: ALL,
      run: (a, i) => a.findById(byId(i)),
    },
    {
      id: 'findById-32',
      label: 'findById, 32 in flight',
      kind: 'ops',
      inFlight: 32,
      libraries: ALL,
      run: (a, i) => a.findById(byId(i)),
    },
    {
      id: 'keyset-50',
      label: 'keyset page of 50, 32 in flight',
      kind: 'ops',
      inFlight: 32,
      libraries: ALL,
      run: (a, i) => a.keysetPage(i),
    },
    {
      id: 'insert-32',
      label: 'insert returning, 32 in flight',
      kind: 'ops',
      inFlight: 32,
      libraries: ALL,
      verify: 'inserted',
      run: (a, i, tag) => a.insertReturning(tag, i % 1000),
    },
    {
      id: 'tx-insert-update-16',
      label: 'transaction insert + update, 16 in flight',
      kind: 'ops',
      inFlight: 16,
      libraries: ALL,
      verify: 'inserted-and-updated',
      run: (a, _i, tag) => a.txInsertUpdate(tag),
    },
    {
      id: 'tx-savepoint-16',
      label: 'transaction with savepoint rollback, 16 in flight',
      kind: 'ops',
      inFlight: 16,
      libraries: ['pg-pool', 'kysely', 'postgres.js', 'data-layer'],
      verify: 'savepoint-rolled-back',
      run: (a, _i, tag) => a.txSavepointRollback(tag),
    },
    {
      id: 'createMany-10k',
      label: 'createMany of 10,000 rows (rows/s)',
      kind: 'batch',
      inFlight: 1,
      libraries: ['pg-pool', 'kysely', 'postgres.js', 'data-layer'],
      verify: 'inserted',
    },
    {
      id: 'cache-hit-32',
      label: 'findById, cache hit (memory store), 32 in flight',
      kind: 'ops',
      inFlight: 32,
      // pg-pool runs the read the hit replaces (findById), so the ratio is what the cache buys.
      libraries: ['pg-pool', 'data-layer'],
      run: (a, i) => (a.cacheHit ? a.cacheHit(byId(i)) : a.findById(byId(i))),
    },
    {
      id: 'tenant-filter-32',
      label: 'tenant findById, filter mode, 32 in flight',
      kind: 'ops',
      inFlight: 32,
      libraries: ALL,
      run: (a, i) => a.tenantFindById!('filter', tenantOf(byId(i)), byId(i)),
    },
    {
      id: 'tenant-rls-32',
      label: 'tenant findById, rls mode, 32 in flight',
      kind: 'ops',
      inFlight: 32,
      libraries: ['pg-pool', 'kysely', 'postgres.js', 'data-layer'],
      run: (a, i) => a.tenantFindById!('rls', tenantOf(byId(i)), byId(i)),
    },
    {
      id: 'stream',
      label: 'stream all rows (RSS growth)',
      kind: 'stream',
      inFlight: 1,
      libraries: ['pg-pool', 'kysely', 'postgres.js', 'data-layer'],
    },
    {
      id: 'findById-author-32',
      label: 'findById with one relation included, 32 in flight',
      kind: 'ops',
      inFlight: 32,
      libraries: ALL,
      run: (a, i) => a.findByIdWithAuthor!(byId(i)),
    },
  ];
}
