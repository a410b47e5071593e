import { ValidationError } from '../errors/application-errors.js';
import { isBinary } from './check-value.js';
import { typesOf } from './column-types.js';
import { assertValue } from './input-rules.js';

/**
 * Equality filter over a row's columns: a value means `=`, an array means `IN`, `null`
 * means `IS NULL`. Keys and value types are checked by TypeScript; at run time keys are
 * checked against the table's columns and values against the columns' types, so an
 * unknown key or a wrong value is a `ValidationError`, never SQL. A key whose value is
 * `undefined` is refused (it would silently drop the filter), and so is an object that is
 * not a value of the column (operators such as `{ $ne: x }` are not supported).
 */
export type Where<Row> = { readonly [K in keyof Row]?: Row[K] | ReadonlyArray<NonNullable<Row[K]>> };

export type Condition =
  | { readonly column: string; readonly op: 'eq'; readonly value: unknown }
  | { readonly column: string; readonly op: 'in'; readonly values: readonly unknown[] }
  | { readonly column: string; readonly op: 'null' };

/**
 * Turns a caller's `where` object into checked conditions: known columns, no `undefined`
 * values, no operator objects, values of the column's type.
 */
export function toConditions(where: unknown, columns: ReadonlySet<string>, table: string): Condition[] {
  if (where === undefined || where === null) return [];
  if (typeof where !== 'object' || Array.isArray(where) || isBinary(where) || where instanceof Date) {
    throw new ValidationError(`where for "${table}" must be an object of column → value`, [
      { path: ['where'], message: 'expected an object', code: 'invalid_type' },
    ]);
  }
  for (const [column, value] of Object.entries(where)) {
    assertColumn(column, columns, table, 'where');
    assertWhereValue(value, column, columns, table);
  }
  return equalityConditions(where as Record<string, unknown>);
}

function assertWhereValue(value: unknown, column: string, columns: ReadonlySet<string>, table: string): void {
  if (value === undefined) {
    throw new ValidationError(
      `where.${column} for "${table}" is undefined: give a value, null for IS NULL, or leave the key out`,
      [{ path: ['where', column], message: 'undefined would drop the filter', code: 'undefined_filter', column }],
    );
  }
  const type = typesOf(columns)?.get(column);
  if (type?.name === 'json') {
    throw new ValidationError(
      `where.${column} for "${table}" compares a json column, which has no equality; use jsonb`,
      [{ path: ['where', column], message: 'json has no equality operator', code: 'invalid_type', column }],
    );
  }
  const items: unknown[] = Array.isArray(value) ? (value as unknown[]) : [value];
  for (const item of items) {
    if (isOperatorObject(item)) {
      throw new ValidationError(
        `where.${column} for "${table}" uses an operator object, which where does not support: give a value, an array (IN) or null`,
        [{ path: ['where', column], message: 'operators are not supported', code: 'unsupported_operator', column }],
      );
    }
    if (item === undefined) assertWhereValue(item, column, columns, table);
    else if (item === null && Array.isArray(value)) continue;
    else assertValue(item, column, columns, table, 'where');
  }
}

/** A plain object with a `$`-prefixed key, or any plain object where the column's type does not hold objects. */
function isOperatorObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date || isBinary(value))
    return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.keys(value).some((key) => key.startsWith('$'));
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
export function scopeConditions(
  scope: Readonly<Record<string, unknown>>,
  columns: ReadonlySet<string>,
  table: string,
): Condition[] {
  // Scopes come from middleware, not from callers: names are checked, values trusted.
  for (const column of Object.keys(scope)) assertColumn(column, columns, table, 'where');
  return equalityConditions(scope);
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
  // An integer given as a decimal string ('42' from a URL) equals the number, as PostgreSQL casts it.
  if (typeof a === 'number' && typeof b === 'string') return integerText(b) === a;
  if (typeof a === 'string' && typeof b === 'number') return integerText(a) === b;
  return a === b;
}

function integerText(text: string): number | undefined {
  return /^[+-]?\d{1,15}$/.test(text) ? Number(text) : undefined;
}
