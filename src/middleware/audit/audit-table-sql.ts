import { optionError } from '../../errors/option-error.js';
import { quoteIdentifier } from '../../repository/sql-identifier.js';
import type { OperationKind, OPERATIONS } from '../operations.js';
import type { AuditChanges } from './audit-changes.js';

/** The write operations, the ones an audit row can name (from the operation table). */
type AuditedOperation = {
  [K in OperationKind]: (typeof OPERATIONS)[K]['access'] extends 'write' ? K : never;
}[OperationKind];

/**
 * Options of `auditTableSql()`: the table's name, and row-level security per tenant.
 *
 * @example
 * ```ts
 * const options: AuditTableOptions = { table: 'audit_log', tenant: { column: 'tenant_id', columnType: 'text' } }
 * await sql.raw(auditTableSql(options)).execute(db.kysely)
 * ```
 */
export interface AuditTableOptions {
  /** The table `auditLog({ table })` writes to; may be schema-qualified. @default 'audit_log' */
  table?: string;
  /**
   * For `tenantFilter({ mode: 'rls' | 'both' })`: adds a tenant column filled from the
   * tenant setting of the writing transaction, and row-level security on the audit table
   * so a tenant inserts rows only for itself and reads only its own.
   */
  tenant?: {
    /** @default 'tenant_id' */
    column?: string;
    /** The setting `tenantFilter` sets. @default 'app.tenant_id' */
    setting?: string;
    /** @default 'text' */
    columnType?: 'text' | 'uuid' | 'integer' | 'bigint';
  };
}

/**
 * An audit row as `select * from audit_log` returns it (without the optional tenant column).
 *
 * @example
 * ```ts
 * const history = await sql<AuditRow>`select * from audit_log where table_name = 'orders' and row_id = ${'42'} order by id`.execute(db.kysely)
 * for (const row of history.rows) console.log(row.created_at, row.operation, row.actor, row.changes)
 * ```
 */
export interface AuditRow {
  /** bigint identity, as the driver returns int8: text. Orders the rows of one transaction. */
  id: string;
  table_name: string;
  /** The primary key as text. */
  row_id: string;
  /** create, createMany, update, updateMany, upsert, delete, hardDelete or restore. */
  operation: AuditedOperation;
  changes: AuditChanges;
  actor: string | null;
  /** The operation's scope (`{ tenant_id: 'acme' }` under `tenantFilter()` in filter mode). */
  scope: Record<string, unknown>;
  /** `pg_current_xact_id()` of the writing transaction (xid8, as text). */
  transaction_id: string;
  /** The writing transaction's start (`now()`). */
  created_at: Date;
}

const FACTORY = { factory: 'auditTableSql()' };
const SETTING_NAME = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/**
 * The DDL of the audit table `auditLog()` writes to, for a migration: the table, an index
 * per row's history and one per transaction, and with `tenant` row-level security. Needs
 * PostgreSQL 13 or later (`pg_current_xact_id()`).
 *
 * @example
 * ```ts
 * import { sql } from 'kysely'
 * export async function up(db: MigrationDb) { await sql.raw(auditTableSql()).execute(db) }
 * export async function down(db: MigrationDb) { await sql`drop table audit_log`.execute(db) }
 * ```
 */
export function auditTableSql(options: AuditTableOptions = {}): string {
  const name = options.table ?? 'audit_log';
  if (typeof name !== 'string' || name.trim() === '' || name.split('.').some((part) => part === ''))
    throw optionError('table', 'expected the audit table name (e.g. "audit_log" or "audit.audit_log")', FACTORY);
  const table = quoteIdentifier(name);
  const base = name.split('.').at(-1) ?? name;
  const tenant = options.tenant === undefined ? undefined : tenantParts(options.tenant);
  const statements = [
    [
      `create table ${table} (`,
      `  id bigint generated always as identity primary key,`,
      `  table_name text not null,`,
      `  row_id text not null,`,
      `  operation text not null,`,
      `  changes jsonb not null,`,
      `  actor text,`,
      `  scope jsonb not null default '{}',`,
      ...(tenant === undefined ? [] : [`  ${tenant.column} ${tenant.type} default ${tenant.current},`]),
      `  transaction_id xid8 not null default pg_current_xact_id(),`,
      `  created_at timestamptz not null default now()`,
      `);`,
    ].join('\n'),
    `create index ${quoteIdentifier(`${base}_row_idx`)} on ${table} (table_name, row_id, id);`,
    `create index ${quoteIdentifier(`${base}_transaction_idx`)} on ${table} (transaction_id);`,
  ];
  if (tenant !== undefined) {
    // No UPDATE or DELETE policy: under RLS the table is append-only for the application.
    statements.push(
      `alter table ${table} enable row level security;`,
      `alter table ${table} force row level security;`,
      `create policy ${quoteIdentifier(`${base}_tenant_insert`)} on ${table} for insert with check (${tenant.column} is not distinct from ${tenant.current});`,
      `create policy ${quoteIdentifier(`${base}_tenant_select`)} on ${table} for select using (${tenant.column} = ${tenant.current});`,
    );
  }
  return statements.join('\n');
}

function tenantParts(tenant: NonNullable<AuditTableOptions['tenant']>) {
  if (typeof tenant !== 'object' || tenant === null)
    throw optionError('tenant', 'expected { column, setting, columnType }', FACTORY);
  const column = tenant.column ?? 'tenant_id';
  const setting = tenant.setting ?? 'app.tenant_id';
  const type = tenant.columnType ?? 'text';
  if (typeof column !== 'string' || column === '')
    throw optionError('tenant.column', 'expected a column name', FACTORY);
  if (typeof setting !== 'string' || !SETTING_NAME.test(setting))
    throw optionError(
      'tenant.setting',
      'expected a setting name like "app.tenant_id" (namespace.name, lower case)',
      FACTORY,
    );
  if (!['text', 'uuid', 'integer', 'bigint'].includes(type))
    throw optionError('tenant.columnType', "expected 'text', 'uuid', 'integer' or 'bigint'", FACTORY);
  return { column: quoteIdentifier(column), type, current: `nullif(current_setting('${setting}', true), '')::${type}` };
}
