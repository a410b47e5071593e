import { optionError } from '../../errors/option-error.js';

/**
 * Options of `tenantFilter()`: the tenant column, how isolation is enforced (a `WHERE`,
 * row-level security, or both), and the setting RLS policies read.
 *
 * @example
 * ```ts
 * const options: TenantFilterOptions = { column: 'tenant_id', mode: 'both', setting: 'app.tenant_id' }
 * const db = createDatabase<DB>({ middleware: [tenantFilter(options)] })
 * ```
 */
export interface TenantFilterOptions {
  /** The tenant column, unless a repository names its own `tenantColumn`. @default 'tenant_id' */
  column?: string | undefined;
  /**
   * - `filter`: every statement gets `tenant_column = current tenant`; creates are stamped.
   * - `rls`: the tenant is set with `set_config(setting, id, true)` inside the operation's
   *   transaction and row-level security policies enforce isolation (raw SQL included:
   *   database-wide, every statement in a transaction runs with its context's tenant).
   *   A scope never keeps another tenant's value after it ends (docs/multi-tenancy.md).
   * - `both`: both. @default 'filter'
   */
  mode?: 'filter' | 'rls' | 'both' | undefined;
  /** The setting RLS policies read. @default 'app.tenant_id' */
  setting?: string | undefined;
}

/**
 * Checks `tenantFilter()` options: a programming mistake is a `ConfigError` naming the
 * option (at start-up, never per request), not a 400.
 *
 * ```ts
 * checkedTenantFilterOptions({ mode: 'rls' }) // returned as given
 * checkedTenantFilterOptions({ mode: 'trust-me' as never }) // ConfigError, option: 'mode'
 * ```
 */
export function checkedTenantFilterOptions(options: TenantFilterOptions | undefined): TenantFilterOptions {
  if (options === undefined) return {};
  const fail = (option: string, expected: string) => optionError(option, expected, { factory: 'tenantFilter()' });
  if (typeof options !== 'object' || options === null)
    throw fail('options', 'expected an object such as { mode, column, setting }');
  if (options.mode !== undefined && !['filter', 'rls', 'both'].includes(options.mode))
    throw fail('mode', "expected 'filter', 'rls' or 'both'");
  if (options.setting !== undefined && (typeof options.setting !== 'string' || !SETTING_NAME.test(options.setting))) {
    throw fail('setting', 'expected a setting name like "app.tenant_id" (namespace.name, lower case)');
  }
  if (options.column !== undefined && (typeof options.column !== 'string' || options.column === ''))
    throw fail('column', 'expected a column name');
  return options;
}

const SETTING_NAME = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;
