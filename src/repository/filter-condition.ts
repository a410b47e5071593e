import type { ColumnType } from './column-types.js';

/** Comparison operators that take one value. */
export type ComparisonOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';

/**
 * A checked filter, as both the SQL builder and the in-memory evaluator read it. Leaves
 * name a column the table has; `type` is the column's type when known (the fake compares
 * with it). A list of conditions means all of them.
 */
export type Condition =
  | { readonly column: string; readonly op: ComparisonOp; readonly value: unknown; readonly type?: ColumnType }
  | {
      readonly column: string;
      readonly op: 'in' | 'notIn';
      readonly values: readonly unknown[];
      readonly type?: ColumnType;
    }
  | { readonly column: string; readonly op: 'null' | 'notNull' }
  | {
      readonly column: string;
      readonly op: 'between';
      readonly low: unknown;
      readonly high: unknown;
      readonly type?: ColumnType;
    }
  /** `pattern` is a LIKE pattern (backslash escapes); contains/startsWith arrive here escaped. */
  | { readonly column: string; readonly op: 'like' | 'ilike'; readonly pattern: string; readonly type?: ColumnType }
  | { readonly op: 'and' | 'or'; readonly conditions: readonly Condition[] }
  | { readonly op: 'not'; readonly condition: Condition };

/** The conditions that compare one column: every kind but `and`, `or`, `not`. */
export type ColumnCondition = Extract<Condition, { readonly column: string }>;
