import type { ColumnCondition } from './filter-condition.js';
import { assertColumn } from './parse-filter.js';

// The filter's pieces live one concept per file; this module is where the repository and
// the in-memory fake import them from.
export type { ColumnCondition, ComparisonOp, Condition } from './filter-condition.js';
export type { ColumnFilter, FilterOperators, Where } from './filter-types.js';
export { matches } from './match-filter.js';
export { assertColumn } from './parse-filter.js';
export { toConditions } from './parse-filter.js';
export { sqlEquals } from './sql-compare.js';

/** Column → value equalities as conditions, without checking names (callers check or trust them). */
export function equalityConditions(values: Readonly<Record<string, unknown>>): ColumnCondition[] {
  const conditions: ColumnCondition[] = [];
  for (const [column, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (value === null) conditions.push({ column, op: 'null' });
    else if (Array.isArray(value)) conditions.push({ column, op: 'in', values: value as unknown[] });
    else conditions.push({ column, op: 'eq', value });
  }
  return conditions;
}

/** Scope equalities (from middleware) as conditions; a `null` scope value means IS NULL. */
export function scopeConditions(
  scope: Readonly<Record<string, unknown>>,
  columns: ReadonlySet<string>,
  table: string,
): ColumnCondition[] {
  // Scopes come from middleware, not from callers: names are checked, values trusted.
  for (const column of Object.keys(scope)) assertColumn(column, columns, table, 'where');
  return equalityConditions(scope);
}
