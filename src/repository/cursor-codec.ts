import { ValidationError } from '../errors/application-errors.js';
import type { OrderTerm } from './order-by.js';

/**
 * Opaque keyset cursors: base64url JSON of the last row's values for the order columns,
 * plus the order they belong to, so a cursor from another ordering is rejected.
 */
export function encodeCursor(row: Readonly<Record<string, unknown>>, terms: readonly OrderTerm[]): string {
  const values = terms.map(({ column }) => {
    const value = row[column];
    if (value === null || value === undefined) {
      throw new ValidationError(`Cursor pagination needs non-null values in its order columns; "${column}" is null`, [
        { path: ['orderBy', column], message: 'order column is null in a returned row', code: 'null_order_value' },
      ]);
    }
    return encodeValue(value);
  });
  return Buffer.from(JSON.stringify({ o: signature(terms), v: values })).toString('base64url');
}

/** The values of the row the cursor points after; a malformed or foreign cursor is a ValidationError. */
export function decodeCursor(cursor: unknown, terms: readonly OrderTerm[]): unknown[] {
  if (typeof cursor !== 'string') throw invalidCursor('expected the string returned as nextCursor');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('it is not a cursor returned by paginateByCursor');
  }
  const { o, v } = (parsed ?? {}) as { o?: unknown; v?: unknown };
  if (o !== signature(terms)) throw invalidCursor('it was made for a different orderBy');
  if (!Array.isArray(v) || v.length !== terms.length) throw invalidCursor('it is malformed');
  return v.map(decodeValue);
}

function signature(terms: readonly OrderTerm[]): string {
  return terms.map((term) => `${term.column}:${term.direction}`).join(',');
}

function encodeValue(value: unknown): unknown {
  if (value instanceof Date) return { $date: value.toISOString() };
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  return value;
}

function decodeValue(value: unknown): unknown {
  if (typeof value === 'object' && value !== null) {
    if ('$date' in value && typeof value.$date === 'string') return new Date(value.$date);
    if ('$bigint' in value && typeof value.$bigint === 'string') return BigInt(value.$bigint);
  }
  return value;
}

function invalidCursor(why: string): ValidationError {
  return new ValidationError(`Invalid cursor: ${why}`, [{ path: ['after'], message: why, code: 'invalid_cursor' }]);
}
