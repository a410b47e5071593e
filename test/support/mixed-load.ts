import { type Generated, sql } from 'kysely';
import pg from 'pg';

import { BaseRepository, ConnectionError, type Database, DataLayerError } from '../../src/index.js';

/** Tables of the fault tests: each transaction writes ITEMS_PER_TXN items and one ledger row under one id. */
export interface LoadDB {
  ledger: { txn_id: string; rows: number };
  items: { id: Generated<number>; txn_id: string; n: number };
  notes: { id: Generated<number>; body: string; updated_at: Generated<Date> };
}

/** Rows a committed transaction leaves in `items`: three in its body, one in a released savepoint. */
export const ITEMS_PER_TXN = 4;
/** The `n` of the row written in a savepoint that is always rolled back: it must never exist. */
const ROLLED_BACK_N = 99;

export async function createLoadTables(db: Database<LoadDB>): Promise<void> {
  await sql`create table ledger (txn_id text primary key, rows int not null)`.execute(db.kysely);
  await sql`create table items (id serial primary key, txn_id text not null, n int not null, unique (txn_id, n))`.execute(
    db.kysely,
  );
  await sql`create table notes (id serial primary key, body text not null, updated_at timestamptz not null default now())`.execute(
    db.kysely,
  );
}

export interface OperationRecord {
  kind: 'transaction' | 'crud' | 'read';
  startedAt: number;
  ms: number;
  /** The error's class name, or `raw:<name>` for anything that is not a DataLayerError. */
  error?: string;
  /** For a ConnectionError: whether no connection could be opened, or an open one was lost. */
  connection?: 'refused' | 'lost';
}

export interface LoadReport {
  operations: OperationRecord[];
  /** Operations that had not settled within `boundMs` (abandoned, counted, never awaited again). */
  hung: number;
  /** Transaction ids whose `db.transaction()` resolved. */
  committed: Set<string>;
  /** Transaction ids whose `db.transaction()` rejected, with the error class name. */
  failed: Map<string, string>;
  /** A CRUD read that returned something else than the write just before it. */
  wrongReads: number;
}

class IntendedRollback extends Error {}

/**
 * Refused: no connection could be opened (nothing listens, or the server is starting or
 * shutting down). Lost: a connection in use was cut (terminated backend, server stopped).
 */
function connectionFailure(error: ConnectionError): 'refused' | 'lost' {
  const refused = /ECONNREFUSED|starting up|shutting down/i.test(error.message) || error.sqlState === '57P03';
  return refused ? 'refused' : 'lost';
}

/**
 * Runs `workers` loops of mixed work on one `db` until `stop()` returns true: transactions
 * with a released and a rolled-back savepoint, repository CRUD, and reads that hold a
 * connection for a few milliseconds. Every call is timed and bounded by `boundMs`.
 */
export async function runMixedLoad(options: {
  db: Database<LoadDB>;
  workers: number;
  stop: () => boolean;
  boundMs: number;
  /** Starts every transaction id and note body, so runs on one table never collide. @default 'load' */
  label?: string;
}): Promise<LoadReport> {
  const { db, workers, stop, boundMs, label = 'load' } = options;
  const notes = new BaseRepository(db, { table: 'notes', timestamps: { updatedAt: 'updated_at' } });
  const report: LoadReport = { operations: [], hung: 0, committed: new Set(), failed: new Map(), wrongReads: 0 };

  const timed = async (
    kind: OperationRecord['kind'],
    work: () => Promise<void>,
    onError?: (name: string) => void,
  ): Promise<void> => {
    const startedAt = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), boundMs)));
    let connection: OperationRecord['connection'];
    const settled = work().then(
      () => undefined,
      (error: unknown) => {
        if (error instanceof ConnectionError) connection = connectionFailure(error);
        return error instanceof DataLayerError
          ? error.name
          : `raw:${error instanceof Error ? error.name : typeof error}`;
      },
    );
    const outcome = await Promise.race([settled, bound]);
    clearTimeout(timer);
    if (outcome === 'hung') {
      report.hung++;
      return;
    }
    report.operations.push({
      kind,
      startedAt,
      ms: Date.now() - startedAt,
      ...(outcome === undefined ? {} : { error: outcome, connection }),
    });
    if (outcome !== undefined) onError?.(outcome);
  };

  const transaction = (txnId: string) =>
    timed(
      'transaction',
      async () => {
        await db.transaction(async (tx) => {
          await tx
            .insertInto('items')
            .values([0, 1, 2].map((n) => ({ txn_id: txnId, n })))
            .execute();
          await db.transaction(async (inner) => {
            await inner.insertInto('items').values({ txn_id: txnId, n: 3 }).execute();
          });
          await db
            .transaction(async (inner) => {
              await inner.insertInto('items').values({ txn_id: txnId, n: ROLLED_BACK_N }).execute();
              throw new IntendedRollback();
            })
            .catch((error: unknown) => {
              if (!(error instanceof IntendedRollback)) throw error;
            });
          await sql`select pg_sleep(0.005)`.execute(tx);
          await tx.insertInto('ledger').values({ txn_id: txnId, rows: ITEMS_PER_TXN }).execute();
        });
        report.committed.add(txnId);
      },
      (name) => report.failed.set(txnId, name),
    );

  const crud = (label: string) =>
    timed('crud', async () => {
      const created = await notes.create({ body: `${label}:0` });
      await notes.update(created.id, { body: `${label}:1` });
      const read = await notes.findById(created.id);
      if (read?.body !== `${label}:1`) report.wrongReads++;
    });

  const read = () =>
    timed('read', async () => {
      await sql`select pg_sleep(0.01)`.execute(db.kysely);
      await notes.findMany({ limit: 5 });
    });

  const worker = async (index: number) => {
    for (let sequence = 0; !stop(); sequence++) {
      const id = `${label}-w${index}-${sequence}`;
      const pick = sequence % 3;
      if (pick === 0) await transaction(id);
      else if (pick === 1) await crud(id);
      else await read();
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, index) => worker(index)));
  return report;
}

export interface AtomicityReport {
  /** Transaction ids with some rows but not all (or a ledger row without its items). */
  partial: string[];
  /** Rows of the always-rolled-back savepoint that exist anyway. */
  rolledBackRowsPresent: number;
  /** Ids whose `db.transaction()` resolved but whose rows are missing. */
  committedButMissing: string[];
  /** Ids whose `db.transaction()` failed with something else than a lost connection, yet are present. */
  failedButPresent: string[];
  /** Ids that failed with a lost connection and are present: COMMIT reached the server, its answer did not. */
  ambiguousCommitted: number;
  presentTransactions: number;
}

/** Checks every transaction id row by row: all ITEMS_PER_TXN items and the ledger row, or nothing. */
export async function checkAtomicity(client: pg.Client, report: LoadReport): Promise<AtomicityReport> {
  const { rows } = await client.query<{
    txn_id: string;
    ledger_rows: number | null;
    items: number;
    ns: number[] | null;
  }>(`
    select coalesce(l.txn_id, i.txn_id) as txn_id, l.rows as ledger_rows, coalesce(i.items, 0)::int as items, i.ns
    from ledger l
    full join (select txn_id, count(*) as items, array_agg(n order by n) as ns from items group by txn_id) i on i.txn_id = l.txn_id
  `);
  const complete = (row: (typeof rows)[number]) =>
    row.ledger_rows === ITEMS_PER_TXN &&
    row.items === ITEMS_PER_TXN &&
    JSON.stringify(row.ns) === JSON.stringify([0, 1, 2, 3]);
  const present = new Set(rows.map((row) => row.txn_id));
  const { rows: rolledBack } = await client.query<{ count: number }>(
    'select count(*)::int as count from items where n = $1',
    [ROLLED_BACK_N],
  );
  const failedButPresent = [...report.failed]
    .filter(([id, name]) => present.has(id) && name !== 'ConnectionError')
    .map(([id]) => id);
  return {
    partial: rows.filter((row) => !complete(row)).map((row) => row.txn_id),
    rolledBackRowsPresent: rolledBack[0]?.count ?? -1,
    committedButMissing: [...report.committed].filter((id) => !present.has(id)),
    failedButPresent,
    ambiguousCommitted: [...report.failed].filter(([id, name]) => present.has(id) && name === 'ConnectionError').length,
    presentTransactions: present.size,
  };
}

/** Sessions of `applicationName` on the server by state (`active`, `idle`, `idle in transaction`, ...). */
export async function sessionsByState(client: pg.Client, applicationName: string): Promise<Record<string, number>> {
  const { rows } = await client.query<{ state: string | null; count: number }>(
    'select state, count(*)::int as count from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid() group by state',
    [applicationName],
  );
  return Object.fromEntries(rows.map((row) => [row.state ?? 'unknown', row.count]));
}

/** An admin connection of the test itself (its own application_name), outside the pool under test. */
export async function adminClient(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, application_name: 'reliability-admin' });
  client.on('error', () => {}); // it may be cut by a restart; the test reconnects
  await client.connect();
  return client;
}

/** Error class names and how often each occurred. */
export function errorCounts(operations: readonly OperationRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const each of operations) if (each.error !== undefined) counts[each.error] = (counts[each.error] ?? 0) + 1;
  return counts;
}
