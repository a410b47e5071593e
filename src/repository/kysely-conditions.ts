import { type Expression, type ExpressionBuilder, sql, type SqlBool } from 'kysely';

import type { Condition } from './filter-condition.js';
import type { OrderTerm } from './order-by.js';

/** Builders the repository works with, typed loosely: column names were checked at run time. */
export type LooseDB = Record<string, Record<string, unknown>>;
type Builder = ExpressionBuilder<LooseDB, string>;

/**
 * `and` of the conditions, as a Kysely expression. Every value is a bound parameter
 * (`eb.val`, so an array is one array parameter, not a list); column names were checked.
 * An empty `IN` list matches nothing, an empty `NOT IN` list excludes nothing.
 */
export function conditionsExpression(eb: Builder, conditions: readonly Condition[]): Expression<SqlBool> {
  return eb.and(conditions.map((condition) => conditionExpression(eb, condition)));
}

function conditionExpression(eb: Builder, condition: Condition): Expression<SqlBool> {
  switch (condition.op) {
    case 'and':
      return eb.and(condition.conditions.map((each) => conditionExpression(eb, each)));
    case 'or':
      return eb.or(condition.conditions.map((each) => conditionExpression(eb, each)));
    case 'not':
      return eb.not(conditionExpression(eb, condition.condition));
    case 'null':
      return eb(condition.column, 'is', null);
    case 'notNull':
      return eb(condition.column, 'is not', null);
    case 'in':
    case 'notIn': {
      if (condition.values.length === 0) return sql<SqlBool>`${sql.lit(condition.op === 'notIn')}`;
      const values = condition.values.map((value) => eb.val(value));
      return eb(condition.column, condition.op === 'in' ? 'in' : 'not in', values);
    }
    case 'between':
      return eb.between(eb.ref(condition.column), eb.val(condition.low), eb.val(condition.high));
    case 'like':
    case 'ilike':
      return eb(condition.column, condition.op, eb.val(condition.pattern));
    default:
      return eb(condition.column, SQL_COMPARISON[condition.op], eb.val(condition.value));
  }
}

const SQL_COMPARISON = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** A cursor value: its exact text and the catalog type the parameter is cast to. */
export interface CursorBound {
  readonly text: string;
  /** From the catalog (`format_type`), never from the cursor. */
  readonly type: string;
}

/**
 * Rows strictly after `values` in the order of `terms` (keyset pagination). Each value is
 * a text parameter cast to its column's type (`$1::timestamp with time zone`), so the
 * comparison is exact and the column side stays bare for the index. One direction gives
 * a row comparison, `(a, b) > ($1, $2)`, an index range; mixed directions give
 * `a >= $1 and ((a > $1) or (a = $1 and b < $2) ...)`, the first term still bounding the scan.
 */
export function afterCursorExpression(
  eb: Builder,
  terms: readonly OrderTerm[],
  values: readonly CursorBound[],
): Expression<SqlBool> {
  const param = (index: number) => {
    const value = values[index];
    if (value === undefined) throw new Error('afterCursorExpression: one value per order term');
    return sql`${value.text}::${sql.raw(value.type)}`;
  };
  const first = terms[0];
  if (first === undefined) return sql<SqlBool>`true`;
  const operator = (direction: OrderTerm['direction'], inclusive = false) =>
    sql.raw(`${direction === 'asc' ? '>' : '<'}${inclusive ? '=' : ''}`);
  if (terms.every((term) => term.direction === first.direction)) {
    const columns = sql.join(terms.map((term) => sql.ref(term.column)));
    return sql<SqlBool>`(${columns}) ${operator(first.direction)} (${sql.join(terms.map((_, index) => param(index)))})`;
  }
  const alternatives = terms.map((term, index) =>
    eb.and([
      ...terms.slice(0, index).map((previous, i) => sql<SqlBool>`${sql.ref(previous.column)} = ${param(i)}`),
      sql<SqlBool>`${sql.ref(term.column)} ${operator(term.direction)} ${param(index)}`,
    ]),
  );
  return eb.and([
    sql<SqlBool>`${sql.ref(first.column)} ${operator(first.direction, true)} ${param(0)}`,
    eb.or(alternatives),
  ]);
}
