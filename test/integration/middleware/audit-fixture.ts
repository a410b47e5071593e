import { type Generated, sql } from 'kysely';
import { beforeAll, beforeEach } from 'vitest';

import {
  auditLog,
  type AuditLogOptions,
  type AuditRow,
  auditTableSql,
  BaseRepository,
  type Database,
  type RepositoryMiddleware,
} from '../../../src/index.js';
import { useTestDatabase } from '../../support/test-database.js';

/** A soft-deletable, timestamped table with a secret column. */
export interface AccountsTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string | null;
  team: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Date | null;
}

export interface AuditDB {
  accounts: AccountsTable;
  audit_log: AuditRow;
}

export const accountsTableSql = `create table accounts (
  id serial primary key,
  email text not null unique,
  name text not null,
  password_hash text,
  team text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
)`;

/** A schema with the accounts and audit tables, emptied before every test. */
export function useAuditFixture(label: string) {
  const t = useTestDatabase<AuditDB>(label);
  beforeAll(async () => {
    await sql.raw(accountsTableSql).execute(t.db.kysely);
    await sql.raw(auditTableSql()).execute(t.db.kysely);
  });
  beforeEach(async () => {
    await sql`truncate accounts, audit_log restart identity`.execute(t.db.kysely);
  });
  const accounts = (
    options: AuditLogOptions = {},
    extra: { db?: Database<AuditDB>; middleware?: RepositoryMiddleware[]; timestamps?: boolean } = {},
  ) =>
    new BaseRepository<AuditDB, 'accounts', 'deleted_at'>(extra.db ?? t.db, {
      table: 'accounts',
      softDelete: 'deleted_at',
      ...(extra.timestamps === false ? {} : { timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' } }),
      middleware: [auditLog(options), ...(extra.middleware ?? [])],
    });
  /** The audit rows, oldest first. */
  const auditRows = async (): Promise<AuditRow[]> =>
    (await sql<AuditRow>`select * from audit_log order by id`.execute(t.db.kysely)).rows;
  return { t, accounts, auditRows };
}
