import { ValidationError } from '../errors/application-errors.js';

/**
 * Equality filter over a row's columns: a value means `=`, an array means `IN`, `null`
 * means `IS NULL`. Keys and value types are checked by TypeScript; at run time keys are
 * checked against the table's columns, so an unknown key is a `ValidationError`, never SQL.
 */
export type Where<Row> = { readonly [K in keyof Row]?: Row[K] | ReadonlyArray<NonNullable<Row[K]>> };

export type Condition =
  | { readonly column: string; readonly op: 'eq'; readonly value: unknown }
  | { readonly column: string; readonly op: 'in'; readonly values: readonly unknown[] }
  | { readonly column: string; readonly op: 'null' };

/** Turns a `where` object into checked conditions; `undefined` values are ignored. */
export function toConditions(where: unknown, columns: ReadonlySet<string>, table: string): Condition[] {
  if (where === undefined || where === null) return [];
  if (typeof where !== 'object' || Array.isArray(where)) {
    throw new ValidationError(`where for "${table}" must be an object of column → value`, [{ path: ['where'], message: 'expected an object', code: 'invalid_type' }]);
  }
  for (const column of Object.keys(where)) assertColumn(column, columns, table, 'where');
  return equalityConditions(where as Record<string, unknown>);
}

/** Column → value equalities as conditions, without checking names (callers check or trust them). */
export function equalityConditions(values: Readonly<Record<string, unknown>>): Condition[] {
  const conditions: Condition[] = [];
  for (const [column, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (value === null) conditions.push({ column, op: 'null' });
    else if (Array.isArray(value)) conditions.push({ column, op: 'in', values: value as unknown[] });
    else conditions.push({ column, op: 'eq', value });
  }
  return conditions;
}

/** Scope equalities (from middleware) as conditions; a `null` scope value means IS NULL. */
export function scopeConditions(scope: Readonly<Record<string, unknown>>, columns: ReadonlySet<string>, table: string): Condition[] {
  return toConditions(scope, columns, table);
}

export function assertColumn(column: string, columns: ReadonlySet<string>, table: string, where: string): void {
  if (!columns.has(column)) {
    throw new ValidationError(`Unknown column "${column}" in ${where} for table "${table}"`, [
      { path: [where, column], message: `"${table}" has no column "${column}"`, code: 'unknown_column' },
    ]);
  }
}

/** In-memory evaluation with PostgreSQL's equality for the value kinds rows hold. */
export function matches(row: Readonly<Record<string, unknown>>, conditions: readonly Condition[]): boolean {
  return conditions.every((condition) => {
    const actual = row[condition.column];
    if (condition.op === 'null') return actual === null || actual === undefined;
    if (actual === null || actual === undefined) return false;
    if (condition.op === 'eq') return sqlEquals(actual, condition.value);
    return condition.values.some((value) => sqlEquals(actual, value));
  });
}

export function sqlEquals(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a === 'bigint' || typeof b === 'bigint') return String(a) === String(b);
  return a === b;
}
