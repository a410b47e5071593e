import { ValidationError } from '../errors/application-errors.js';
import { isBinary, valueProblem } from './check-value.js';
import { type ColumnType, typesOf } from './column-types.js';
import type { ColumnCondition, Condition } from './filter-condition.js';
import { endsWithEscape, escapeLike } from './like-pattern.js';

/** How deep `AND`/`OR`/`NOT` may nest: far beyond hand-written filters, and a bound on hostile input. */
export const MAX_FILTER_DEPTH = 8;

const COMBINATORS = new Set(['AND', 'OR', 'NOT']);
const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar', 'citext', 'name']);
// Types compared only for equality here: no order the in-memory fake could share with PostgreSQL.
const UNORDERED_TYPES = new Set(['bool', 'json', 'jsonb', 'bytea']);
const OPERATORS =
  'eq, ne, gt, gte, lt, lte, in, notIn, isNull, like, ilike, contains, startsWith, between (and AND, OR, NOT)';

type Path = readonly (string | number)[];

interface Context {
  readonly columns: ReadonlySet<string>;
  readonly table: string;
}

/**
 * Turns a caller's `where` into checked conditions: known columns and operators, no
 * `undefined` anywhere, values of the column's type. A plain object as a column's filter
 * is always an operator object (so `$`-prefixed or unknown keys are refused, never
 * compared as a json value); `AND`, `OR` and `NOT` are the combinators.
 *
 * @example
 * toConditions({ OR: [{ status: 'open' }, { priority: { gte: 3 } }] }, columns, 'tasks')
 */
export function toConditions(where: unknown, columns: ReadonlySet<string>, table: string): Condition[] {
  if (where === undefined || where === null) return [];
  if (typeof where !== 'object' || Array.isArray(where) || isBinary(where) || where instanceof Date) {
    throw new ValidationError(`where for "${table}" must be an object of column → value`, [
      { path: ['where'], message: 'expected an object', code: 'invalid_type' },
    ]);
  }
  return parseFilter(where as Record<string, unknown>, { columns, table }, ['where'], 0);
}

function parseFilter(where: Record<string, unknown>, context: Context, path: Path, depth: number): Condition[] {
  const entries = Object.entries(where);
  // An empty filter inside AND/OR/NOT would silently mean "every row" (or none).
  if (depth > 0 && entries.length === 0)
    refuse(context, path, 'is an empty filter: give at least one column or leave it out', 'empty_filter');
  const conditions: Condition[] = [];
  for (const [key, value] of entries) {
    const at = [...path, key];
    if (COMBINATORS.has(key)) conditions.push(combination(key, value, context, at, depth + 1));
    else {
      assertColumn(key, context.columns, context.table, 'where');
      conditions.push(...columnConditions(key, value, context, at));
    }
  }
  return conditions;
}

function combination(key: string, value: unknown, context: Context, path: Path, depth: number): Condition {
  if (value === undefined) undefinedFilter(context, path, undefined);
  if (depth > MAX_FILTER_DEPTH)
    refuse(context, path, `nests AND/OR/NOT deeper than ${MAX_FILTER_DEPTH} levels`, 'filter_too_deep');
  const nested = (item: unknown, at: Path): Condition => {
    if (!isPlainObject(item)) refuse(context, at, 'must be a filter object', 'invalid_type');
    return allOf(parseFilter(item, context, at, depth));
  };
  if (key === 'NOT') return { op: 'not', condition: nested(value, path) };
  if (!Array.isArray(value)) refuse(context, path, 'must be an array of filters', 'invalid_type');
  // AND of nothing would be every row, OR of nothing no row: both are a filter lost on the way.
  if (value.length === 0) refuse(context, path, 'is an empty list: give at least one filter', 'empty_filter');
  const conditions = (value as unknown[]).map((item, index) => nested(item, [...path, index]));
  return { op: key === 'AND' ? 'and' : 'or', conditions };
}

function allOf(conditions: Condition[]): Condition {
  return conditions.length === 1 ? (conditions[0] as Condition) : { op: 'and', conditions };
}

function columnConditions(column: string, value: unknown, context: Context, path: Path): ColumnCondition[] {
  if (value === undefined) undefinedFilter(context, path, column);
  const type = typesOf(context.columns)?.get(column);
  if (value === null) return [{ column, op: 'null' }];
  if (type?.name === 'json' && !(isPlainObject(value) && Object.keys(value).every((key) => key === 'isNull'))) {
    refuse(context, path, 'compares a json column, which has no equality; use jsonb', 'invalid_type', column);
  }
  if (Array.isArray(value))
    return [{ column, op: 'in', values: listValues(value, column, type, context, path, true), type }];
  if (isPlainObject(value)) return operatorConditions(column, value, type, context, path);
  checkValue(value, column, type, context, path);
  return [{ column, op: 'eq', value, type }];
}

function operatorConditions(
  column: string,
  operators: Record<string, unknown>,
  type: ColumnType | undefined,
  context: Context,
  path: Path,
): ColumnCondition[] {
  const entries = Object.entries(operators);
  if (entries.length === 0) {
    refuse(
      context,
      path,
      `is an empty operator object: give an operator (${OPERATORS}); compare a jsonb column with an object through { eq: {...} }`,
      'unknown_operator',
      column,
    );
  }
  return entries.map(([op, operand]) => {
    const at = [...path, op];
    if (op.startsWith('$')) {
      refuse(
        context,
        at,
        `uses the operator "${op}": operators are named without "$" (${OPERATORS})`,
        'unsupported_operator',
        column,
      );
    }
    if (operand === undefined) undefinedFilter(context, at, column);
    return operatorCondition(column, op, operand, type, context, at);
  });
}

function operatorCondition(
  column: string,
  op: string,
  operand: unknown,
  type: ColumnType | undefined,
  context: Context,
  path: Path,
): ColumnCondition {
  switch (op) {
    case 'eq':
    case 'ne':
      return { column, op, value: comparedValue(operand, column, type, context, path), type };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      assertOrdered(column, op, type, operand, context, path);
      return { column, op, value: comparedValue(operand, column, rangeType(type), context, path), type };
    case 'between': {
      if (!Array.isArray(operand) || operand.length !== 2)
        refuse(context, path, 'must be a pair [low, high]', 'invalid_between', column);
      const [low, high] = operand as unknown[];
      assertOrdered(column, op, type, low, context, path);
      return {
        column,
        op,
        low: comparedValue(low, column, rangeType(type), context, [...path, 0]),
        high: comparedValue(high, column, rangeType(type), context, [...path, 1]),
        type,
      };
    }
    case 'in':
    case 'notIn':
      if (!Array.isArray(operand)) refuse(context, path, 'must be an array of values', 'invalid_type', column);
      return { column, op, values: listValues(operand, column, type, context, path, op === 'in'), type };
    case 'isNull':
      if (typeof operand !== 'boolean') refuse(context, path, 'must be true or false', 'invalid_type', column);
      return { column, op: operand ? 'null' : 'notNull' };
    case 'like':
    case 'ilike':
      return { column, op, pattern: patternOf(operand, column, op, type, context, path), type };
    case 'contains':
    case 'startsWith': {
      const text = escapeLike(patternOf(operand, column, op, type, context, path));
      return { column, op: 'like', pattern: op === 'contains' ? `%${text}%` : `${text}%`, type };
    }
    default:
      return refuse(context, path, `uses an unknown operator "${op}" (${OPERATORS})`, 'unknown_operator', column);
  }
}

/** One value compared with the column: not null (`isNull` says that), not an operator object, of the column's type. */
function comparedValue(value: unknown, column: string, type: ColumnType | undefined, context: Context, path: Path) {
  if (value === undefined) undefinedFilter(context, path, column);
  if (value === null) refuse(context, path, 'is null, which matches no row: use isNull', 'invalid_type', column);
  checkValue(value, column, type, context, path);
  return value;
}

function listValues(
  values: readonly unknown[],
  column: string,
  type: ColumnType | undefined,
  context: Context,
  path: Path,
  allowNull: boolean,
): unknown[] {
  values.forEach((item, index) => {
    if (item === undefined) undefinedFilter(context, [...path, index], column);
    // NOT IN with a NULL is never true (x <> NULL is unknown): surely not what was meant.
    if (item === null && !allowNull)
      refuse(context, [...path, index], 'holds null, so NOT IN would match no row', 'invalid_type', column);
    if (item !== null) checkValue(item, column, type, context, [...path, index]);
  });
  return [...values];
}

function checkValue(value: unknown, column: string, type: ColumnType | undefined, context: Context, path: Path): void {
  if (isPlainObject(value) && Object.keys(value).some((key) => key.startsWith('$'))) {
    refuse(context, path, 'holds an object with a "$" key, which where refuses', 'unsupported_operator', column);
  }
  const problem = valueProblem(value, type);
  if (problem !== undefined) refuse(context, path, `is invalid: expected ${problem}`, 'invalid_type', column);
}

function assertOrdered(
  column: string,
  op: string,
  type: ColumnType | undefined,
  value: unknown,
  context: Context,
  path: Path,
): void {
  const unordered =
    type !== undefined
      ? type.element !== undefined || UNORDERED_TYPES.has(type.name)
      : typeof value === 'boolean' || Array.isArray(value) || isPlainObject(value) || isBinary(value);
  if (unordered)
    refuse(
      context,
      path,
      `cannot use ${op}: "${column}" is not a number, text or date column`,
      'invalid_operator',
      column,
    );
}

/** Range bounds of char(n)/varchar(n) are not held to the length: `gt: 'abcd'` is a fine bound for varchar(3). */
function rangeType(type: ColumnType | undefined): ColumnType | undefined {
  return type?.maxLength === undefined ? type : { name: type.name };
}

function patternOf(
  value: unknown,
  column: string,
  op: string,
  type: ColumnType | undefined,
  context: Context,
  path: Path,
): string {
  if (type !== undefined && (type.element !== undefined || !TEXT_TYPES.has(type.name)))
    refuse(context, path, `cannot use ${op}: "${column}" is not a text column`, 'invalid_operator', column);
  if (typeof value !== 'string' || value.includes('\u0000'))
    refuse(context, path, 'must be a string without NUL characters', 'invalid_type', column);
  if ((op === 'like' || op === 'ilike') && endsWithEscape(value))
    refuse(context, path, 'ends with an unpaired "\\" escape', 'invalid_pattern', column);
  return value;
}

function undefinedFilter(context: Context, path: Path, column: string | undefined): never {
  throw new ValidationError(
    `${pathText(path)} for "${context.table}" is undefined: give a value, null for IS NULL, or leave the key out`,
    [{ path, message: 'undefined would drop the filter', code: 'undefined_filter', ...(column ? { column } : {}) }],
  );
}

function refuse(context: Context, path: Path, message: string, code: string, column?: string): never {
  throw new ValidationError(`${pathText(path)} for "${context.table}" ${message}`, [
    { path, message, code, ...(column === undefined ? {} : { column }) },
  ]);
}

function pathText(path: Path): string {
  return path
    .map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`))
    .join('')
    .slice(1);
}

/** Objects built from `{}` (or with a null prototype): what JSON bodies and literals produce. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

export function assertColumn(column: string, columns: ReadonlySet<string>, table: string, where: string): void {
  if (!columns.has(column)) {
    throw new ValidationError(`Unknown column "${column}" in ${where} for table "${table}"`, [
      { path: [where, column], message: `"${table}" has no column "${column}"`, code: 'unknown_column' },
    ]);
  }
}
