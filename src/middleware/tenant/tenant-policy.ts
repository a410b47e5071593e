import { optionError } from '../../errors/option-error.js';
import { quoteIdentifier } from '../../repository/sql-identifier.js';

/**
 * Options of `tenantPolicySql()`: the table, its tenant column and type, the setting and the
 * policy's name.
 *
 * @example
 * ```ts
 * const options: TenantPolicyOptions = { table: 'orders', column: 'tenant_id', columnType: 'uuid' }
 * await sql.raw(tenantPolicySql(options)).execute(db.kysely)
 * ```
 */
export interface TenantPolicyOptions {
  table: string;
  /** @default 'tenant_id' */
  column?: string | undefined;
  /** The setting `tenantFilter` sets. @default 'app.tenant_id' */
  setting?: string | undefined;
  /** SQL type of the tenant column. @default 'text' */
  columnType?: 'text' | 'uuid' | 'integer' | 'bigint' | undefined;
  /** @default `${table}_tenant_isolation` */
  policyName?: string | undefined;
}

/**
 * SQL that turns on row-level security for a table so only the current tenant's rows
 * are visible and writable, for every role except superusers and roles with BYPASSRLS
 * (FORCE applies it to the table owner too). With no tenant set, no row matches: it
 * fails closed. Run it in a migration.
 *
 * @example
 * ```ts
 * await sql.raw(tenantPolicySql({ table: 'orders' })).execute(db.kysely)
 * ```
 */
export function tenantPolicySql(options: TenantPolicyOptions): string {
  if (typeof options?.table !== 'string' || options.table === '')
    throw optionError('table', 'expected a table name', { factory: 'tenantPolicySql()' });
  const column = quoteIdentifier(options.column ?? 'tenant_id');
  const setting = options.setting ?? 'app.tenant_id';
  const type = options.columnType ?? 'text';
  if (!/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/.test(setting)) {
    throw optionError('setting', 'expected a setting name like "app.tenant_id" (namespace.name, lower case)', {
      factory: 'tenantPolicySql()',
    });
  }
  if (!['text', 'uuid', 'integer', 'bigint'].includes(type)) {
    throw optionError('columnType', "expected 'text', 'uuid', 'integer' or 'bigint'", { factory: 'tenantPolicySql()' });
  }
  const table = quoteIdentifier(options.table);
  const policy = quoteIdentifier(
    options.policyName ?? `${options.table.split('.').at(-1) ?? 'table'}_tenant_isolation`,
  );
  const current = `nullif(current_setting('${setting}', true), '')::${type}`;
  return [
    `alter table ${table} enable row level security;`,
    `alter table ${table} force row level security;`,
    `create policy ${policy} on ${table} using (${column} = ${current}) with check (${column} = ${current});`,
  ].join('\n');
}
