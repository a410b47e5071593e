import { ValidationError } from '../errors/application-errors.js';
import { assertColumn } from './parse-filter.js';

/**
 * `asc` or `desc`, the direction of one `orderBy` column.
 *
 * @example
 * ```ts
 * const direction: SortDirection = req.query.sort === 'oldest' ? 'asc' : 'desc'
 * const page = await orders.paginate({ orderBy: { column: 'created_at', direction } })
 * ```
 */
export type SortDirection = 'asc' | 'desc';

/**
 * A column, or a column with a direction, or a list of them (first is most significant).
 *
 * @example
 * ```ts
 * const newestFirst: OrderBy<Order> = [{ column: 'created_at', direction: 'desc' }, 'id']
 * const recent = await orders.findMany({ orderBy: newestFirst, limit: 10 })
 * ```
 */
export type OrderBy<Row> =
  | (keyof Row & string)
  | { readonly column: keyof Row & string; readonly direction?: SortDirection | undefined }
  | ReadonlyArray<
      (keyof Row & string) | { readonly column: keyof Row & string; readonly direction?: SortDirection | undefined }
    >;

export interface OrderTerm {
  readonly column: string;
  readonly direction: SortDirection;
}

/**
 * Checked order terms, always ending with the primary key so the order is total
 * (stable pages, keyset cursors). The tie-break follows the last term's direction.
 */
export function toOrderTerms(
  orderBy: unknown,
  fallback: unknown,
  columns: ReadonlySet<string>,
  primaryKey: string,
  table: string,
): OrderTerm[] {
  const source = orderBy ?? fallback;
  const list: unknown[] = source === undefined ? [] : Array.isArray(source) ? source : [source];
  const terms = list.map((entry): OrderTerm => {
    const term = (typeof entry === 'string' ? { column: entry } : (entry ?? {})) as {
      column?: unknown;
      direction?: unknown;
    };
    const direction = term.direction ?? 'asc';
    if (typeof term.column !== 'string' || (direction !== 'asc' && direction !== 'desc')) {
      throw new ValidationError(
        `Invalid orderBy for "${table}": expected a column name or { column, direction: 'asc' | 'desc' }`,
        [{ path: ['orderBy'], message: 'expected a column name or { column, direction }', code: 'invalid_type' }],
      );
    }
    assertColumn(term.column, columns, table, 'orderBy');
    return { column: term.column, direction };
  });
  if (!terms.some((term) => term.column === primaryKey))
    terms.push({ column: primaryKey, direction: terms.at(-1)?.direction ?? 'asc' });
  return terms;
}

/** PostgreSQL's default order: NULLS LAST for ascending, NULLS FIRST for descending. */
export function compareRows(
  a: Readonly<Record<string, unknown>>,
  b: Readonly<Record<string, unknown>>,
  terms: readonly OrderTerm[],
): number {
  for (const { column, direction } of terms) {
    const order = compareValues(a[column], b[column]);
    if (order !== 0) return direction === 'asc' ? order : -order;
  }
  return 0;
}

/** Ascending comparison with nulls greater than everything (so last when ascending). */
export function compareValues(a: unknown, b: unknown): number {
  const aNull = a === null || a === undefined;
  const bNull = b === null || b === undefined;
  if (aNull || bNull) return aNull === bNull ? 0 : aNull ? 1 : -1;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const left = typeof a === 'string' ? a : comparableText(a);
  const right = typeof b === 'string' ? b : comparableText(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Mixed or structured values, compared by a text that never throws (bigints included). */
function comparableText(value: unknown): string {
  return typeof value === 'bigint'
    ? value.toString()
    : (JSON.stringify(value, (_, each: unknown) => (typeof each === 'bigint' ? each.toString() : each)) ??
        String(value));
}
