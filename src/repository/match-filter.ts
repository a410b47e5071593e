import type { ColumnCondition, Condition } from './filter-condition.js';
import { likeMatches } from './like-pattern.js';
import { sqlCompare, sqlEqualsAs } from './sql-compare.js';

/** SQL's three truth values: a comparison with NULL is neither true nor false. */
type Truth = boolean | null;

/**
 * In-memory evaluation of checked conditions with PostgreSQL's semantics: three-valued
 * logic (so `ne`, `notIn` and `NOT` never match NULL), LIKE with backslash escapes, and
 * comparisons by the column's type. A row matches when every condition is true.
 *
 * @example
 * matches({ team: null }, [{ column: 'team', op: 'ne', value: 'red' }]) // false: NULL <> 'red' is unknown
 */
export function matches(row: Readonly<Record<string, unknown>>, conditions: readonly Condition[]): boolean {
  return conditions.every((condition) => truth(row, condition) === true);
}

function truth(row: Readonly<Record<string, unknown>>, condition: Condition): Truth {
  switch (condition.op) {
    case 'and':
      return all(condition.conditions.map((each) => truth(row, each)));
    case 'or':
      return any(condition.conditions.map((each) => truth(row, each)));
    case 'not': {
      const inner = truth(row, condition.condition);
      return inner === null ? null : !inner;
    }
    default:
      return leafTruth(row, condition);
  }
}

function leafTruth(row: Readonly<Record<string, unknown>>, condition: ColumnCondition): Truth {
  const actual = row[condition.column];
  const isNull = actual === null || actual === undefined;
  if (condition.op === 'null') return isNull;
  if (condition.op === 'notNull') return !isNull;
  if (condition.op === 'in' || condition.op === 'notIn') {
    // x IN () is false and x NOT IN () true, even for NULL (as `= ANY('{}')` / `<> ALL('{}')`).
    if (condition.values.length === 0) return condition.op === 'notIn';
    if (isNull) return null;
    const found = any(
      condition.values.map((value) => (value === null ? null : sqlEqualsAs(actual, value, condition.type))),
    );
    return condition.op === 'in' ? found : found === null ? null : !found;
  }
  if (isNull) return null;
  switch (condition.op) {
    case 'eq':
      return sqlEqualsAs(actual, condition.value, condition.type);
    case 'ne':
      return !sqlEqualsAs(actual, condition.value, condition.type);
    case 'like':
    case 'ilike':
      if (typeof actual !== 'string') return false;
      // citext's LIKE ignores case, as its ILIKE does.
      return likeMatches(actual, condition.pattern, condition.op === 'ilike' || condition.type?.name === 'citext');
    case 'between':
      return (
        sqlCompare(actual, condition.low, condition.type) >= 0 &&
        sqlCompare(actual, condition.high, condition.type) <= 0
      );
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return RANGE[condition.op](sqlCompare(actual, condition.value, condition.type));
    default:
      return null;
  }
}

const RANGE: Readonly<Record<'gt' | 'gte' | 'lt' | 'lte', (order: number) => boolean>> = {
  gt: (order) => order > 0,
  gte: (order) => order >= 0,
  lt: (order) => order < 0,
  lte: (order) => order <= 0,
};

function all(values: readonly Truth[]): Truth {
  if (values.includes(false)) return false;
  return values.includes(null) ? null : true;
}

function any(values: readonly Truth[]): Truth {
  if (values.includes(true)) return true;
  return values.includes(null) ? null : false;
}
