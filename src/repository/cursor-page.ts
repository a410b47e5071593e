import { type SelectQueryBuilder, sql } from 'kysely';

import { ConfigError } from '../errors/application-errors.js';
import { type CursorContext, decodeCursor, encodeCursor } from './cursor-codec.js';
import { type ColumnType, isValidForColumn } from './cursor-column-types.js';
import type { CursorKeys } from './cursor-signing.js';
import { afterCursorExpression, type LooseDB } from './kysely-conditions.js';
import type { OrderTerm } from './order-by.js';
import type { CursorPage } from './repository-contract.js';

type Loose = Record<string, unknown>;
type LooseSelect = SelectQueryBuilder<LooseDB, string, Loose>;

/** Everything one page of `paginateByCursor` on PostgreSQL needs. */
export interface CursorPageRequest {
  /** The filtered, ordered select of the page's rows. */
  readonly query: LooseSelect;
  readonly terms: readonly OrderTerm[];
  readonly limit: number;
  readonly after: unknown;
  /** Every column's type, from the catalog. */
  readonly types: ReadonlyMap<string, ColumnType>;
  readonly binding: unknown;
  readonly keys: CursorKeys;
}

const ALIAS = '__data_layer_cursor_';

/**
 * Runs one keyset page. The query also selects the exact text of each order column
 * (helper aliases, removed from the returned rows), which the next cursor carries, so no
 * value passes through a lossy JavaScript type (a `Date` has milliseconds, timestamptz
 * microseconds).
 *
 * ```ts
 * const page = await cursorPage({ query, terms, limit: 20, after, types, binding, keys: [] })
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
  let query = request.query;
  if (request.after !== undefined) {
    const values = decodeCursor(request.after, context).map((value, index) => ({
      text: value.text,
      type: columnTypes[index]!.type,
    }));
    query = query.where((eb) => afterCursorExpression(eb, terms, values));
  }
  query = query.select(terms.map((term, index) => exactText(term.column, columnTypes[index]!).as(`${ALIAS}${index}`)));
  const rows = await query.limit(limit + 1).execute();
  const texts = rows.map((row) => terms.map((_, index) => takeAlias(row, `${ALIAS}${index}`)));
  const hasNextPage = rows.length > limit;
  const items = hasNextPage ? rows.slice(0, limit) : rows;
  const last = texts[items.length - 1];
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

function takeAlias(row: Loose, alias: string): string | null {
  const value = row[alias];
  delete row[alias];
  return typeof value === 'string' ? value : null;
}
