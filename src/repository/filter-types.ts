/** Values a range operator (`gt`, `between`, ...) compares: numbers, bigints, strings (text, numeric, int8), dates. */
type Ordered = number | bigint | string | Date;

/** Values compared as a whole, never read as an operator object. */
type Atomic = Date | Uint8Array | ReadonlyArray<unknown>;

/**
 * The shorthand value of a column in `where`: any value of the column's type except a
 * plain object, which `where` always reads as operators (compare a json/jsonb column with
 * an object through `{ eq: {...} }`).
 */
type Shorthand<V> = V extends Atomic ? V : V extends object ? never : V;

/**
 * The operators of one column, typed by the column: every column has `eq`, `ne`, `in` and
 * `notIn`; nullable ones `isNull`; numbers, bigints, strings and dates the range operators;
 * strings the pattern operators. Several operators in one object must all hold.
 *
 * @example
 * ```ts
 * const filter: FilterOperators<number | null> = { gte: 1, lt: 10, isNull: false }
 * ```
 */
export type FilterOperators<V> = {
  /** `=`; `{ eq: {...} }` compares a json/jsonb column with an object. */
  readonly eq?: NonNullable<V>;
  /** `<>`: never matches NULL (SQL's three-valued logic). */
  readonly ne?: NonNullable<V>;
  /** `IN (...)`: an empty list matches nothing. */
  readonly in?: ReadonlyArray<NonNullable<V>>;
  /** `NOT IN (...)`: never matches NULL; an empty list excludes nothing; a `null` in the list is refused. */
  readonly notIn?: ReadonlyArray<NonNullable<V>>;
} & (null extends V
  ? {
      /** `IS NULL` when true, `IS NOT NULL` when false. */
      readonly isNull?: boolean;
    }
  : unknown) &
  (NonNullable<V> extends Ordered
    ? {
        readonly gt?: NonNullable<V>;
        readonly gte?: NonNullable<V>;
        readonly lt?: NonNullable<V>;
        readonly lte?: NonNullable<V>;
        /** `BETWEEN low AND high`, both ends included; low above high matches nothing. */
        readonly between?: readonly [NonNullable<V>, NonNullable<V>];
      }
    : unknown) &
  (NonNullable<V> extends string
    ? {
        /** `LIKE`: `%` and `_` are wildcards, `\` escapes the next character. */
        readonly like?: string;
        /** `ILIKE`: `like` ignoring case. */
        readonly ilike?: string;
        /** The value occurs in the column, literally (`%`, `_` and `\` match themselves). */
        readonly contains?: string;
        /** The column starts with the value, literally. */
        readonly startsWith?: string;
      }
    : unknown);

/**
 * What `where` accepts for one column: a value (`=`), an array (`IN`), `null` (`IS NULL`),
 * or an object of operators.
 *
 * @example
 * ```ts
 * const score: ColumnFilter<number> = { between: [1, 5] }
 * ```
 */
export type ColumnFilter<V> = Shorthand<V> | ReadonlyArray<NonNullable<Shorthand<V>>> | FilterOperators<V>;

/**
 * A filter over a row's columns: each key is a column and its `ColumnFilter`, all of which
 * must hold; `AND`, `OR` and `NOT` combine filters. Typed by column; at run time every
 * column, operator and value is checked (a `ValidationError`, never SQL), and a key whose
 * value is `undefined` is refused (it would drop the filter).
 *
 * @example
 * ```ts
 * const where: Where<{ status: string; priority: number; owner: string | null }> = {
 *   OR: [{ status: 'open' }, { priority: { gte: 3 } }],
 *   NOT: { owner: null },
 * }
 * ```
 */
export type Where<Row> = { readonly [K in keyof Row]?: ColumnFilter<Row[K]> } & {
  /** Every filter holds; an empty list is refused. */
  readonly AND?: ReadonlyArray<Where<Row>>;
  /** At least one filter holds; an empty list is refused. */
  readonly OR?: ReadonlyArray<Where<Row>>;
  /** The filter does not hold (and is not unknown: a NULL comparison inside matches neither way). */
  readonly NOT?: Where<Row>;
};
