import { optionError } from '../../errors/option-error.js';
import type { TenantFilterOptions } from './tenant-filter.js';

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
  if (typeof options !== 'object' || options === null) throw fail('options', 'expected an object such as { mode, column, setting }');
  if (options.mode !== undefined && !['filter', 'rls', 'both'].includes(options.mode)) throw fail('mode', "expected 'filter', 'rls' or 'both'");
  if (options.setting !== undefined && (typeof options.setting !== 'string' || !SETTING_NAME.test(options.setting))) {
    throw fail('setting', 'expected a setting name like "app.tenant_id" (namespace.name, lower case)');
  }
  if (options.column !== undefined && (typeof options.column !== 'string' || options.column === '')) throw fail('column', 'expected a column name');
  return options;
}

const SETTING_NAME = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

