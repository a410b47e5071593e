import type { CompiledQuery, Kysely, SelectQueryBuilder } from 'kysely';

import { RowTextCapture, withRowTexts } from '../driver/statement-query.js';
import { ConfigError } from '../errors/application-errors.js';
import { type CursorContext, type CursorValue, decodeCursor, encodeCursor } from './cursor-codec.js';
import { type ColumnType, isValidForColumn } from './cursor-column-types.js';
import { exactTextsPage } from './cursor-exact-texts.js';
import type { CursorKeys } from './cursor-signing.js';
import { isoTimestampText } from './cursor-values.js';
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
  /** Where the statement is built when it needs exact texts of its own (the table's). */
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
  /** `cursorBinding(...)`: what the cursor is bound to, as canonical JSON. */
  readonly binding: string;
  readonly keys: CursorKeys;
}

/**
 * Runs one keyset page: the filtered, ordered select with `limit + 1` rows (the extra row
 * says whether there is a next page), the same statement a hand-written keyset query
 * sends. The next cursor carries the exact text of the last row's order values as the
 * server sent it, read by the driver before any type parser ran (`RowTextCapture`), so
 * no value passes through a lossy JavaScript type (a `Date` has milliseconds,
 * timestamptz microseconds).
 *
 * ```ts
 * const page = await cursorPage({ build, shape, shapes, execute, terms, limit: 20, after, types, binding, keys: [] })
 * ```
 */
export async function cursorPage<Row>(request: CursorPageRequest): Promise<CursorPage<Row>> {
  const { terms, types, limit } = request;
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
  // The SQL text depends on the order columns' types (the cast) and on whether there is a
  // cursor; the cursor's texts and the limit are bound values.
  const key = `cursor|${request.shape.key}|${columnTypes.map((type) => type.type).join(',')}|${bounds === undefined ? 'first' : 'after'}`;
  const parameters = [...request.shape.parameters, ...cursorParameters(terms, bounds), limit + 1];
  const compiled = request.shapes.compiled({ key, parameters }, () => {
    const query = request.build();
    return (bounds === undefined ? query : query.where((eb) => afterCursorExpression(eb, terms, bounds))).limit(
      limit + 1,
    );
  });
  const lastRow = new RowTextCapture(limit - 1);
  const rows = await request.execute(withRowTexts(compiled, lastRow));
  const hasNextPage = rows.length > limit;
  const items = hasNextPage ? rows.slice(0, limit) : rows;
  if (!hasNextPage) return { items: items as Row[], hasNextPage, nextCursor: undefined };
  const texts = lastRow.texts;
  if (texts === undefined) throw new Error('internal: the driver did not report the texts of the cursor row');
  const values = terms.map((term, index) => wireCursorText(texts.get(term.column) ?? null, columnTypes[index]!));
  if (values.includes(NOT_ISO)) {
    // A date or time written in another DateStyle than ISO: the page again, with the
    // exact texts in JSON's ISO 8601, which no DateStyle changes.
    return exactTextsPage<Row>({ ...request, bounds, parameters, columnTypes, context });
  }
  return {
    items: items as Row[],
    hasNextPage,
    nextCursor: encodeCursor(values as Array<CursorValue | undefined>, context),
  };
}

const NOT_ISO = Symbol('not in DateStyle ISO');

/**
 * A value as the server sent it, in the form cursors carry (what `to_json(value) #>> '{}'`
 * writes for dates and times, `value::text` for the rest): undefined for NULL (which
 * encodeCursor refuses); NOT_ISO for a date or time the session's DateStyle wrote in
 * another style than ISO.
 */
function wireCursorText(text: string | null, type: ColumnType): CursorValue | undefined | typeof NOT_ISO {
  if (text === null) return undefined;
  if (type.kind === 'boolean') return { type: type.type, text: text === 't' ? 'true' : text === 'f' ? 'false' : text };
  if (type.kind !== 'timestamp' && type.kind !== 'timestamptz') {
    if (type.kind === 'date' && !isValidForColumn(text, type)) return NOT_ISO;
    return { type: type.type, text };
  }
  const exact = isoTimestampText(text, type.kind === 'timestamptz');
  return exact === undefined || !isValidForColumn(exact, type) ? NOT_ISO : { type: type.type, text: exact };
}

/** The cursor's texts in the order `afterCursorExpression` binds them. */
function cursorParameters(terms: readonly OrderTerm[], bounds: readonly CursorBound[] | undefined): unknown[] {
  if (bounds === undefined || terms.length === 0) return [];
  const texts = bounds.map((bound) => bound.text);
  if (terms.every((term) => term.direction === terms[0]!.direction)) return texts;
  return [texts[0], ...terms.flatMap((_, index) => texts.slice(0, index + 1))];
}
