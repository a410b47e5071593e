// The contract every library's adapter implements: the same SQL, the same fixture (bench.*
// tables from lib/fixture.ts), pool size 10. Optional methods are workloads a library lacks
// (shown as "–" in the report). Types only: no library is imported here.
import type { LibraryId } from '../lib/types.js';

export type TenantMode = 'filter' | 'rls';

export interface Adapter {
  readonly library: LibraryId;
  /** `select * from items where id = $1` */
  findById(id: number): Promise<unknown>;
  /** Keyset page position `index` (modulo the prepared positions): 50 rows by (created_at, id). Returns the row count. */
  keysetPage(index: number): Promise<number>;
  /** `insert into events (tag, qty) values ($1, $2) returning *` */
  insertReturning(tag: string, qty: number): Promise<unknown>;
  /** BEGIN; insert ... returning *; update events set qty = 1 where id = $id returning *; COMMIT */
  txInsertUpdate(tag: string): Promise<void>;
  /** BEGIN; insert (kept); SAVEPOINT; insert qty 9; ROLLBACK TO SAVEPOINT; COMMIT */
  txSavepointRollback(tag: string): Promise<void>;
  /** One multi-row insert of `count` rows, returning them; resolves to the rows returned. */
  createMany?(tag: string, count: number): Promise<number>;
  /** findById answered by a cache (data-layer's memory store); every call a hit. */
  cacheHit?(id: number): Promise<unknown>;
  /** findById of tenant_items under the tenant: a filter, or RLS with a transaction-local setting. */
  tenantFindById?(mode: TenantMode, tenant: string, id: number): Promise<unknown>;
  /** Reads every row of stream_rows through a server-side cursor; calls onRow per row; resolves to the count. */
  stream?(onRow: () => void): Promise<number>;
  /** findById of items with its author (belongsTo) included. */
  findByIdWithAuthor?(id: number): Promise<unknown>;
  /** Called once before a workload runs (warm caches, collect cursors, open extra pools). */
  prepare?(workload: string): Promise<void>;
  close(): Promise<void>;
}

/** Connection settings the child hands to an adapter. */
export interface AdapterConfig {
  /** postgres://user@host:port/db of the superuser (fixture owner). */
  readonly url: string;
  /** The same server as the non-superuser role RLS applies to. */
  readonly rlsUrl: string;
  readonly schema: string;
  readonly poolSize: number;
  /**
   * Idle connections close this soon: the other libraries' workers wait idle between their
   * turns, and together they must stay far below the server's max_connections.
   */
  readonly idleTimeoutMs: number;
  readonly items: number;
}
