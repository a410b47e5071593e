import type { TableColumns } from './column-types.js';
import type { Condition } from './filter-condition.js';

const INTEGER = /^-?(?:0|[1-9]\d*)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTEGER_TYPES = new Set(['int2', 'int4', 'int8']);
const TEXT_TYPES = new Set(['text', 'varchar']);

/**
 * One spelling per primary-key value, as the row's own key would print it, so a batched
 * `where pk = any($1)` can hand each row back to the caller that asked for it: `7`, `7n`
 * and `'7'` of an integer key are all `'7'`, a uuid compares lower-case. Undefined for a
 * value whose server-side spelling could differ (`'07'`, a uuid in braces, a `char(n)`
 * key, a type not listed here): such a call is not batched.
 */
export function canonicalKey(value: unknown, columns: TableColumns, primaryKey: string): string | undefined {
  const type = columns.types.get(primaryKey)?.name;
  if (type === undefined) return undefined;
  if (INTEGER_TYPES.has(type)) {
    if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : undefined;
    if (typeof value === 'bigint') return String(value);
    return typeof value === 'string' && INTEGER.test(value) ? value : undefined;
  }
  if (typeof value !== 'string') return undefined;
  if (TEXT_TYPES.has(type)) return value;
  if (type === 'uuid') return UUID.test(value) ? value.toLowerCase() : undefined;
  return undefined;
}

/** The key of a returned row in the same spelling (int8 arrives as a string, a uuid lower-case). */
export function rowKey(value: unknown): string {
  return String(value);
}

/**
 * How a batch of `findById` calls under different scopes (tenants) can share one
 * statement: `shape` groups the calls that may (the same filters, where an equality on a
 * column whose values have one spelling (`canonicalKey`) may differ in value), and
 * `values` are this call's canonical values of those equalities, in filter order. A
 * returned row goes to a caller only when its key and its own values of those columns
 * spell exactly the caller's (`rowMatchKey`): never a row of another scope.
 */
export interface ScopeKey {
  readonly shape: string;
  readonly values: readonly string[];
  /** Positions in `filters` of those equalities (the same for every call of one shape). */
  readonly scoped: readonly number[];
}

/** Undefined when a filter value is not a plain scalar (then the call is not batched). */
export function scopeKey(filters: readonly Condition[], columns: TableColumns): ScopeKey | undefined {
  let shape = '';
  const values: string[] = [];
  const scoped: number[] = [];
  for (const [index, filter] of filters.entries()) {
    if (filter.op === 'eq') {
      const canonical = canonicalKey(filter.value, columns, filter.column);
      if (canonical !== undefined) {
        shape += `${filter.column}=?;`;
        values.push(canonical);
        scoped.push(index);
        continue;
      }
    }
    const fixed = filtersKey([filter]);
    if (fixed === undefined) return undefined;
    shape += fixed;
  }
  return { shape, values, scoped };
}

/**
 * One string per (key, scope values) pair: what a caller asked for, and what a returned
 * row is. Undefined for a value that is no string or number (a null scope column of a
 * row): it matches no caller.
 */
export function matchKey(key: string, values: readonly unknown[]): string | undefined {
  const parts = [key];
  for (const value of values) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') return undefined;
    parts.push(String(value));
  }
  return JSON.stringify(parts);
}

/**
 * The filters (tenant scope, soft delete) with their values as one string, so only calls
 * that would run the same SQL with the same settings share a batch; undefined when a value
 * is not a plain scalar (then the call is not batched).
 */
export function filtersKey(filters: readonly Condition[]): string | undefined {
  let key = '';
  for (const filter of filters) {
    if (filter.op === 'null') key += `${filter.column}:null;`;
    else if (filter.op === 'eq') {
      const value = scalarKey(filter.value);
      if (value === undefined) return undefined;
      key += `${filter.column}=${value};`;
    } else if (filter.op === 'in') {
      const values = filter.values.map(scalarKey);
      if (values.includes(undefined)) return undefined;
      key += `${filter.column} in ${JSON.stringify(values)};`;
    } else return undefined;
  }
  return key;
}

function scalarKey(value: unknown): string | undefined {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'bigint' || type === 'boolean'
    ? `${type}:${String(value)}`
    : undefined;
}
