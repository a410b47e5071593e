import { type Kysely, sql } from 'kysely';

import type { Database } from '../database.js';
import { MigrationError } from '../errors/migration-errors.js';
import { type LedgerTables, LOCK_ROW_ID } from './ledger.js';

/**
 * The migration lock, safe behind PgBouncer in transaction mode: never a session lock.
 *
 * - Every transaction that reads or writes the ledger first takes a transaction-scoped
 *   advisory lock (`pg_try_advisory_xact_lock`, polled until the deadline). It is released
 *   by COMMIT or ROLLBACK, so it cannot outlive its transaction, whichever server
 *   connection PgBouncer gives it.
 * - A `transaction: false` migration runs outside any transaction, so it holds a lease
 *   instead: the lock row gets `locked_by` / `locked_until` (taken under the advisory lock,
 *   kept alive by a heartbeat, released after). A crashed holder's lease expires.
 *   Transactional steps wait while someone else holds an unexpired lease.
 */
export interface LockSettings {
  readonly tables: LedgerTables;
  /** Unique per migrator run: who holds the lease. */
  readonly owner: string;
  readonly lockTimeoutMs: number;
  readonly leaseMs: number;
}

const POLL_MS = 50;

function lockKey(tables: LedgerTables) {
  return sql`hashtext('data-layer-migrations'), hashtext(${`${tables.schema}.${tables.table}`})`;
}

function timeoutError(settings: LockSettings, holder?: string): MigrationError {
  const who = holder ? ` (lease held by ${holder})` : '';
  return new MigrationError(
    `Could not take the migration lock on ${settings.tables.schema}.${settings.tables.table} within lockTimeoutMs=${settings.lockTimeoutMs}${who}: another migration is running`,
    { reason: 'lock-timeout' },
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function tryAdvisoryLock(db: Kysely<unknown>, tables: LedgerTables): Promise<boolean> {
  const { rows } = await sql<{
    locked: boolean;
  }>`select pg_try_advisory_xact_lock(${lockKey(tables)}) as locked`.execute(db);
  return rows[0]?.locked === true;
}

async function leaseHolder(db: Kysely<unknown>, settings: LockSettings): Promise<string | undefined> {
  const { rows } = await sql<{
    locked_by: string | null;
  }>`select locked_by from ${sql.table(`${settings.tables.schema}.${settings.tables.lockTable}`)}
    where id = ${LOCK_ROW_ID} and locked_until > clock_timestamp() and locked_by is distinct from ${settings.owner}`.execute(
    db,
  );
  return rows[0]?.locked_by ?? undefined;
}

/** Another runner holds the lease: the caller ends its transaction, waits and tries again. */
export class LeaseBusy extends Error {
  constructor(readonly holder: string) {
    super(`lease held by ${holder}`);
  }
}

/**
 * Inside a transaction: takes the advisory lock (polling until the deadline). With the
 * ledger in place, throws `LeaseBusy` while another runner holds an unexpired lease, so
 * the caller does not wait inside a transaction (which would also hold up the holder's
 * `CREATE INDEX CONCURRENTLY`).
 */
export async function lockInTransaction(
  db: Kysely<unknown>,
  settings: LockSettings,
  options: { ledgerReady: boolean; deadline?: number },
): Promise<void> {
  const deadline = options.deadline ?? Date.now() + settings.lockTimeoutMs;
  while (!(await tryAdvisoryLock(db, settings.tables))) {
    if (Date.now() >= deadline) throw timeoutError(settings);
    await sleep(POLL_MS);
  }
  if (!options.ledgerReady) return;
  const holder = await leaseHolder(db, settings);
  if (holder !== undefined) throw new LeaseBusy(holder);
}

/** Runs `attempt` again while it meets a foreign lease, until the lock deadline. */
export async function retryWhileLeased<T>(
  settings: LockSettings,
  attempt: (deadline: number) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + settings.lockTimeoutMs;
  for (;;) {
    try {
      return await attempt(deadline);
    } catch (error) {
      if (!(error instanceof LeaseBusy)) throw error;
      if (Date.now() >= deadline) throw timeoutError(settings, error.holder);
      await sleep(POLL_MS * 2);
    }
  }
}

/** A lease on the lock row for work outside a transaction. */
export interface Lease {
  release(): Promise<void>;
}

/** Takes the lease (each attempt a short transaction under the advisory lock) and keeps it alive. */
export async function acquireLease(database: Database<unknown>, settings: LockSettings): Promise<Lease> {
  const table = sql.table(`${settings.tables.schema}.${settings.tables.lockTable}`);
  const deadline = Date.now() + settings.lockTimeoutMs;
  let holder: string | undefined;
  for (;;) {
    const taken = await database.transaction(async (tx) => {
      if (!(await tryAdvisoryLock(tx, settings.tables))) return false;
      holder = await leaseHolder(tx, settings);
      if (holder !== undefined) return false;
      await sql`update ${table} set is_locked = 1, locked_by = ${settings.owner},
        locked_until = clock_timestamp() + make_interval(secs => ${settings.leaseMs / 1000}) where id = ${LOCK_ROW_ID}`.execute(
        tx,
      );
      return true;
    });
    if (taken) break;
    if (Date.now() >= deadline) throw timeoutError(settings, holder);
    await sleep(POLL_MS);
  }
  const heartbeat = setInterval(
    () => {
      sql`update ${table} set locked_until = clock_timestamp() + make_interval(secs => ${settings.leaseMs / 1000})
      where id = ${LOCK_ROW_ID} and locked_by = ${settings.owner}`
        .execute(database.kysely)
        .catch(() => {});
    },
    Math.max(100, Math.floor(settings.leaseMs / 3)),
  );
  heartbeat.unref();
  return {
    release: async () => {
      clearInterval(heartbeat);
      await sql`update ${table} set is_locked = 0, locked_by = null, locked_until = null where id = ${LOCK_ROW_ID} and locked_by = ${settings.owner}`.execute(
        database.kysely,
      );
    },
  };
}
