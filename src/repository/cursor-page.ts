import { type CompiledQuery, type Kysely, type SelectQueryBuilder, sql } from 'kysely';

import { ConfigError } from '../errors/application-errors.js';
import { type CursorContext, decodeCursor, encodeCursor } from './cursor-codec.js';
import { type ColumnType, isValidForColumn } from './cursor-column-types.js';
import type { CursorKeys } from './cursor-signing.js';
import { afterCursorExpression, type CursorBound, type LooseDB } from './kysely-conditions.js';
import type { OrderTerm } from './order-by.js';
import type { CursorPage } from './repository-contract.js';
import type { ShapeCache, StatementShape } from './shape-cache.js';

type Loose = Record<string, unknown>;
type LooseSelect = SelectQueryBuilder<LooseDB, string, Loose>;

/** Everything one page of `paginateByCursor` on PostgreSQL needs. */
export interface CursorPageRequest {
  /** Builds the filtered, ordered select of the page's rows: only for a shape not compiled yet. */
  readonly build: () => LooseSelect;
  /** Where the page's outer select is built (the table's). */
  readonly kysely: Kysely<LooseDB>;
  /** The shape of `build()`'s statement (filters and order) and its bound values. */
  readonly shape: StatementShape;
  /** Where the page statement's text is kept per shape (the repository's). */
  readonly shapes: ShapeCache;
  readonly execute: (query: CompiledQuery) => Promise<readonly Loose[]>;
  readonly terms: readonly OrderTerm[];
  readonly limit: number;
  readonly after: unknown;
  /** Every column's type, from the catalog. */
  readonly types: ReadonlyMap<string, ColumnType>;
  readonly binding: unknown;
  readonly keys: CursorKeys;
}

const ALIAS = '__data_layer_cursor_';
const PAGE = '__data_layer_page';

/**
 * Runs one keyset page. The query also selects the exact text of each order column
 * (helper aliases, removed from the returned rows), which the next cursor carries, so no
 * value passes through a lossy JavaScript type (a `Date` has milliseconds, timestamptz
 * microseconds). Only the row the next cursor points at carries them: the page is a
 * subquery (its ORDER BY and LIMIT keep their top-N plan) and the outer select fills
 * the helper columns on its second-to-last row (the page's last when there is a next
 * page), NULL on the others, so a page of 50 rows does not send and parse 100 texts.
 *
 * ```ts
 * const page = await cursorPage({ build, shape, shapes, execute, terms, limit: 20, after, types, binding, keys: [] })
 * ```
 */
export async function cursorPage<Row>(request: CursorPageRequest): Promise<CursorPage<Row>> {
  const { terms, types, limit } = request;
  if ([...types.keys()].some((column) => column.startsWith(ALIAS))) {
    throw new ConfigError(`A column name starting with "${ALIAS}" clashes with cursor pagination's helper columns`, {
      option: 'orderBy',
    });
  }
  const columnTypes = terms.map((term) => {
    const type = types.get(term.column);
    if (type === undefined)
      throw new ConfigError(`Column "${term.column}" has no type in the catalog`, { option: 'orderBy' });
    return type;
  });
  const context: CursorContext = {
    terms,
    binding: request.binding,
    keys: request.keys,
    types: columnTypes.map((type) => type.type),
    isValid: (text, _type, index) => isValidForColumn(text, columnTypes[index]!),
  };
  const bounds =
    request.after === undefined
      ? undefined
      : decodeCursor(request.after, context).map((value, index) => ({
          text: value.text,
          type: columnTypes[index]!.type,
        }));
  // The SQL text depends on the order columns' types (cast and exact-text form) and on
  // whether there is a cursor; the cursor's texts and the limit are bound values.
  const key = `cursor|${request.shape.key}|${columnTypes.map((type) => type.type).join(',')}|${bounds === undefined ? 'first' : 'after'}`;
  const parameters = [...request.shape.parameters, ...cursorParameters(terms, bounds), limit + 1];
  const compiled = request.shapes.compiled({ key, parameters }, () => {
    let query = request.build();
    if (bounds !== undefined) query = query.where((eb) => afterCursorExpression(eb, terms, bounds));
    const order = sql.join(terms.map((term) => sql`${sql.ref(term.column)} ${sql.raw(term.direction)}`));
    // count(*) - row_number() = 1 on the second-to-last row; the page is at most limit + 1 rows.
    const atCursorRow = sql`count(*) over () - row_number() over (order by ${order}) = 1`;
    const outer = request.kysely
      .selectFrom(query.limit(limit + 1).as(PAGE))
      .selectAll(PAGE)
      .select(
        terms.map((term, index) =>
          sql<string | null>`case when ${atCursorRow} then ${exactText(term.column, columnTypes[index]!)} end`.as(
            `${ALIAS}${index}`,
          ),
        ),
      );
    return terms.reduce((ordered, term) => ordered.orderBy(sql.ref(term.column), term.direction), outer);
  });
  const rows = await request.execute(compiled);
  const hasNextPage = rows.length > limit;
  const page = hasNextPage ? rows.slice(0, limit) : rows;
  // Copying the row's own columns into a new object keeps V8's fast layout (deleting the
  // helper columns would turn every row into a slow dictionary object).
  const first = page[0];
  const own = first === undefined ? [] : Object.keys(first).filter((column) => !column.startsWith(ALIAS));
  const items = page.map((row) => pick(row, own));
  const lastRow = page[page.length - 1];
  const last = lastRow === undefined ? undefined : terms.map((_, index) => aliasText(lastRow, index));
  const nextCursor =
    hasNextPage && last !== undefined
      ? encodeCursor(
          last.map((text, index) => (text === null ? undefined : { type: columnTypes[index]!.type, text })),
          context,
        )
      : undefined;
  return { items: items as Row[], hasNextPage, nextCursor };
}

/** The value's text as PostgreSQL writes it: JSON's ISO 8601 for dates and timestamps (whatever DateStyle says), else `::text`. */
function exactText(column: string, type: ColumnType) {
  const iso = type.kind === 'date' || type.kind === 'timestamp' || type.kind === 'timestamptz';
  return iso ? sql<string | null>`to_json(${sql.ref(column)}) #>> '{}'` : sql<string | null>`${sql.ref(column)}::text`;
}

function pick(row: Loose, columns: readonly string[]): Loose {
  const picked: Loose = {};
  for (const column of columns) picked[column] = row[column];
  return picked;
}

function aliasText(row: Loose, index: number): string | null {
  const value = row[`${ALIAS}${index}`];
  return typeof value === 'string' ? value : null;
}

/** The cursor's texts in the order `afterCursorExpression` binds them. */
function cursorParameters(terms: readonly OrderTerm[], bounds: readonly CursorBound[] | undefined): unknown[] {
  if (bounds === undefined || terms.length === 0) return [];
  const texts = bounds.map((bound) => bound.text);
  if (terms.every((term) => term.direction === terms[0]!.direction)) return texts;
  return [texts[0], ...terms.flatMap((_, index) => texts.slice(0, index + 1))];
}
