import { type ExpressionBuilder, type Expression, type SqlBool, sql } from 'kysely';
import type { OrderTerm } from './order-by.js';
import type { Condition } from './where-filter.js';

/** Builders the repository works with, typed loosely: column names were checked at run time. */
export type LooseDB = Record<string, Record<string, unknown>>;
type Builder = ExpressionBuilder<LooseDB, string>;

/** `and` of the conditions, as a Kysely expression. An empty `IN` list matches nothing. */
export function conditionsExpression(eb: Builder, conditions: readonly Condition[]): Expression<SqlBool> {
  return eb.and(
    conditions.map((condition) => {
      if (condition.op === 'null') return eb(condition.column, 'is', null);
      if (condition.op === 'eq') return eb(condition.column, '=', condition.value);
      return condition.values.length === 0 ? sql<SqlBool>`false` : eb(condition.column, 'in', condition.values);
    }),
  );
}

/**
 * Rows strictly after `values` in the order of `terms` (keyset pagination):
 * (a > x) or (a = x and b > y) or ... , with > or < per term direction.
 */
export function afterCursorExpression(eb: Builder, terms: readonly OrderTerm[], values: readonly unknown[]): Expression<SqlBool> {
  return eb.or(
    terms.map((term, index) =>
      eb.and([
        ...terms.slice(0, index).map((previous, i) => eb(previous.column, '=', values[i])),
        eb(term.column, term.direction === 'asc' ? '>' : '<', values[index]),
      ]),
    ),
  );
}
