import { type Kysely, sql } from 'kysely';

/** Where the ledger lives: `<schema>.<table>`, `<table>_lock` (lease) and `<table>_repairs`. */
export interface LedgerTables {
  readonly schema: string;
  readonly table: string;
  readonly lockTable: string;
  readonly repairTable: string;
}

/** One applied migration as the ledger records it. */
export interface LedgerRow {
  name: string;
  appliedAt: Date;
  checksum: string | undefined;
  durationMs: number | undefined;
}

/** The row id Kysely's Migrator uses in its lock table; the lease lives on it. */
export const LOCK_ROW_ID = 'migration_lock';

export function ledgerTables(schema: string, table: string): LedgerTables {
  return { schema, table, lockTable: `${table}_lock`, repairTable: `${table}_repairs` };
}

function ref(tables: LedgerTables, name: string) {
  return sql.table(`${tables.schema}.${name}`);
}

/**
 * Creates the ledger tables if needed. Kysely's Migrator finds them in place and skips
 * its own creation (its table shape, `name` + `timestamp`, plus our checksum columns).
 * Run it under the migration lock: concurrent `create table if not exists` can fail.
 */
export async function ensureLedger(db: Kysely<unknown>, tables: LedgerTables): Promise<void> {
  await sql`create schema if not exists ${sql.id(tables.schema)}`.execute(db);
  await sql`create table if not exists ${ref(tables, tables.table)} (
    name varchar(255) not null primary key,
    timestamp varchar(255) not null,
    checksum text,
    duration_ms integer,
    applied_by text
  )`.execute(db);
  await sql`create table if not exists ${ref(tables, tables.lockTable)} (
    id varchar(255) not null primary key,
    is_locked integer not null default 0,
    locked_by text,
    locked_until timestamptz
  )`.execute(db);
  await sql`insert into ${ref(tables, tables.lockTable)} (id, is_locked) values (${LOCK_ROW_ID}, 0) on conflict (id) do nothing`.execute(
    db,
  );
  await sql`create table if not exists ${ref(tables, tables.repairTable)} (
    id bigserial primary key,
    name varchar(255) not null,
    previous_checksum text,
    accepted_checksum text not null,
    reason text not null,
    repaired_by text not null,
    database_user text not null default current_user,
    repaired_at timestamptz not null default now()
  )`.execute(db);
}

/** Whether the ledger table exists yet (status() on a fresh database creates nothing). */
export async function ledgerExists(db: Kysely<unknown>, tables: LedgerTables): Promise<boolean> {
  const { rows } = await sql<{
    found: boolean;
  }>`select to_regclass(${`${quote(tables.schema)}.${quote(tables.table)}`}) is not null as found`.execute(db);
  return rows[0]?.found === true;
}

export async function readLedger(db: Kysely<unknown>, tables: LedgerTables): Promise<LedgerRow[]> {
  const { rows } = await sql<{ name: string; timestamp: string; checksum: string | null; duration_ms: number | null }>`
    select name, timestamp, checksum, duration_ms from ${ref(tables, tables.table)} order by timestamp, name`.execute(
    db,
  );
  return rows.map((row) => ({
    name: row.name,
    appliedAt: new Date(row.timestamp),
    checksum: row.checksum ?? undefined,
    durationMs: row.duration_ms ?? undefined,
  }));
}

/** Adds what Kysely's Migrator does not record to the row it just inserted. */
export async function recordApplied(
  db: Kysely<unknown>,
  tables: LedgerTables,
  entry: { name: string; checksum: string; durationMs: number; appliedBy: string },
): Promise<void> {
  await sql`update ${ref(tables, tables.table)} set checksum = ${entry.checksum}, duration_ms = ${entry.durationMs}, applied_by = ${entry.appliedBy}
    where name = ${entry.name}`.execute(db);
}

export async function recordRepair(
  db: Kysely<unknown>,
  tables: LedgerTables,
  entry: { name: string; previous: string | undefined; accepted: string; reason: string; by: string },
): Promise<void> {
  await sql`update ${ref(tables, tables.table)} set checksum = ${entry.accepted} where name = ${entry.name}`.execute(
    db,
  );
  await sql`insert into ${ref(tables, tables.repairTable)} (name, previous_checksum, accepted_checksum, reason, repaired_by)
    values (${entry.name}, ${entry.previous ?? null}, ${entry.accepted}, ${entry.reason}, ${entry.by})`.execute(db);
}

export async function deleteLedgerRow(db: Kysely<unknown>, tables: LedgerTables, name: string): Promise<void> {
  await sql`delete from ${ref(tables, tables.table)} where name = ${name}`.execute(db);
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
