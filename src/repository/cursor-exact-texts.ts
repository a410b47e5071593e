import { sql } from 'kysely';

import { ConfigError } from '../errors/application-errors.js';
import { type CursorContext, encodeCursor } from './cursor-codec.js';
import type { ColumnType } from './cursor-column-types.js';
import type { CursorPageRequest } from './cursor-page.js';
import { afterCursorExpression, type CursorBound } from './kysely-conditions.js';
import type { CursorPage } from './repository-contract.js';

type Loose = Record<string, unknown>;

/** What `cursorPage` hands over when the texts of the row it read cannot go into a cursor: its request, and what it worked out. */
export interface ExactTextsPageRequest extends Omit<CursorPageRequest, 'after' | 'binding' | 'keys'> {
  readonly bounds: readonly CursorBound[] | undefined;
  /** The page statement's bound values (the limit last). */
  readonly parameters: readonly unknown[];
  readonly columnTypes: readonly ColumnType[];
  readonly context: CursorContext;
}

const ALIAS = '__data_layer_cursor_';
const PAGE = '__data_layer_page';

/**
 * The page again, for a session whose DateStyle is not ISO (the texts the server sent
 * for dates and times do not read back under another DateStyle): the statement also
 * selects each order column's exact text in JSON's ISO 8601 (`to_json(col) #>> '{}'`,
 * which no DateStyle changes), filled on the row the next cursor points at only (helper
 * columns, removed from the returned rows). Rare, so it costs a second statement.
 */
export async function exactTextsPage<Row>(request: ExactTextsPageRequest): Promise<CursorPage<Row>> {
  const { terms, limit, bounds, columnTypes } = request;
  if ([...request.types.keys()].some((column) => column.startsWith(ALIAS))) {
    throw new ConfigError(`A column name starting with "${ALIAS}" clashes with cursor pagination's helper columns`, {
      option: 'orderBy',
    });
  }
  const key = `cursor-exact|${request.shape.key}|${columnTypes.map((type) => type.type).join(',')}|${bounds === undefined ? 'first' : 'after'}`;
  const compiled = request.shapes.compiled({ key, parameters: request.parameters }, () => {
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
  const nextCursor =
    hasNextPage && lastRow !== undefined
      ? encodeCursor(
          terms.map((_, index) => {
            const text = lastRow[`${ALIAS}${index}`];
            return typeof text === 'string' ? { type: columnTypes[index]!.type, text } : undefined;
          }),
          request.context,
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
