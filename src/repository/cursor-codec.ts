import { ValidationError } from '../errors/application-errors.js';
import { bindingDigest, type CursorKeys, signPayload, verifyingKey } from './cursor-signing.js';
import type { OrderTerm } from './order-by.js';

/**
 * Opaque keyset cursors. The payload (base64url JSON) holds, for each order column, its
 * type and the exact text of the last row's value; the order it belongs to; and a digest
 * of what it is bound to (table, where filter, scope, tenant). With `cursorSecret` the
 * payload is followed by `.` and its HMAC-SHA256, so it cannot be forged or edited.
 */
export interface CursorContext {
  readonly terms: readonly OrderTerm[];
  /** Table, filter, middleware scope and tenant as canonical JSON (`cursorBinding`): a cursor is valid only for the same ones. */
  readonly binding: string;
  /** `cursorSecret`: the first key signs, all verify; none means unsigned cursors. */
  readonly keys: CursorKeys;
  /** The expected type of each order column; undefined lets the cursor say (the fake, for a column it holds no value of). */
  readonly types?: ReadonlyArray<string | undefined>;
  /** Whether `text` is a valid value of `type` for the term at `index`. */
  readonly isValid: (text: string, type: string, index: number) => boolean;
}

/** One decoded cursor value: its type and its exact text. */
export interface CursorValue {
  readonly type: string;
  readonly text: string;
}

/** Far above any real cursor; a longer string is refused before it is decoded. */
export const MAX_CURSOR_LENGTH = 65_536;

/**
 * The cursor pointing after the row whose order values are `values`.
 *
 * ```ts
 * const context = { terms: [{ column: 'id', direction: 'asc' }], binding: '{"table":"orders"}', keys: [], isValid: () => true }
 * const cursor = encodeCursor([{ type: 'integer', text: '42' }], context)
 * decodeCursor(cursor, context) // [{ type: 'integer', text: '42' }]
 * ```
 */
export function encodeCursor(values: ReadonlyArray<CursorValue | undefined>, context: CursorContext): string {
  const columns = context.terms.map((term, index) => {
    const value = values[index];
    if (value === undefined) {
      throw new ValidationError(
        `Cursor pagination needs non-null values in its order columns; "${term.column}" is null`,
        [
          {
            path: ['orderBy', term.column],
            message: 'order column is null in a returned row',
            code: 'null_order_value',
          },
        ],
      );
    }
    return [value.type, value.text];
  });
  const key = context.keys[0];
  const payload = Buffer.from(
    JSON.stringify({ o: orderSignature(context.terms), b: bindingDigest(context.binding, key), c: columns }),
  ).toString('base64url');
  return key === undefined ? payload : `${payload}.${signPayload(payload, key)}`;
}

/**
 * The values of the row the cursor points after; a malformed, forged or foreign cursor,
 * or a value not valid for its column, is a ValidationError (see `encodeCursor` for an example).
 */
export function decodeCursor(cursor: unknown, context: CursorContext): CursorValue[] {
  if (typeof cursor !== 'string') throw invalidCursor('expected the string returned as nextCursor');
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH)
    throw invalidCursor('it is not a cursor returned by paginateByCursor');
  const [payload = '', signature, ...extra] = cursor.split('.');
  const bytes = extra.length > 0 ? undefined : canonicalBase64Url(payload);
  if (bytes === undefined || (signature !== undefined && canonicalBase64Url(signature) === undefined)) {
    throw invalidCursor('it is not a cursor returned by paginateByCursor');
  }
  let key: string | undefined;
  if (context.keys.length > 0) {
    if (signature === undefined) throw invalidCursor('it is not signed (cursorSecret is set)');
    key = verifyingKey(payload, signature, context.keys);
    if (key === undefined)
      throw invalidCursor(
        'its signature does not match (forged, edited, or signed with a key no longer in cursorSecret)',
      );
  }
  const parsed = parsePayload(bytes);
  if (parsed.o !== orderSignature(context.terms)) throw invalidCursor('it was made for a different orderBy');
  if (parsed.c.length !== context.terms.length) throw invalidCursor('it is malformed');
  if (parsed.b !== bindingDigest(context.binding, key))
    throw invalidCursor('it was made for another table, where filter or tenant');
  return parsed.c.map((entry, index) => {
    const column = context.terms[index]!.column;
    const expected = context.types?.[index];
    // Checked before any SQL: a number, object or array where the text was is refused here.
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || typeof entry[1] !== 'string') {
      throw invalidValue(column, `its value for "${column}" is not a valid ${expected ?? 'value'}`);
    }
    const [type, text] = entry as [string, string];
    if (expected !== undefined && type !== expected)
      throw invalidValue(column, `it was made for a column of type ${type}, and "${column}" is ${expected}`);
    if (!context.isValid(text, type, index))
      throw invalidValue(column, `its value for "${column}" is not a valid ${expected ?? type}`);
    return { type, text };
  });
}

function parsePayload(bytes: Buffer): { o: string; b: string; c: unknown[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalidCursor('it is not a cursor returned by paginateByCursor');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidCursor('it is malformed');
  const { o, b, c } = parsed as Record<string, unknown>;
  if (typeof o !== 'string' || typeof b !== 'string' || !Array.isArray(c)) throw invalidCursor('it is malformed');
  return { o, b, c };
}

/**
 * The bytes `text` encodes, when it is their exact base64url encoding; else undefined.
 * Node decodes base64 leniently; only the exact encoding is accepted, so one cursor has
 * one spelling.
 */
function canonicalBase64Url(text: string): Buffer | undefined {
  if (text.length === 0 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function orderSignature(terms: readonly OrderTerm[]): string {
  return terms.map((term) => `${term.column}:${term.direction}`).join(',');
}

function invalidCursor(why: string): ValidationError {
  return new ValidationError(`Invalid cursor: ${why}`, [{ path: ['after'], message: why, code: 'invalid_cursor' }]);
}

function invalidValue(column: string, why: string): ValidationError {
  return new ValidationError(`Invalid cursor: ${why}`, [
    { path: ['after', column], message: why, code: 'invalid_cursor_value' },
  ]);
}
