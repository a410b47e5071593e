/**
 * The exact text of a keyset cursor's values, per column type. PostgreSQL writes the text
 * (the row as sent, before pg parses it; dates and timestamps in JSON's ISO 8601, which
 * no DateStyle changes) and parses it back with a cast on the parameter; here a decoded
 * value is checked against its column's type first, so a tampered cursor is a
 * `ValidationError` naming the column, never a server-side parse error.
 */

/** How a value of one type is checked (and, in the fake, turned into a JavaScript value). */
export type CursorValueKind =
  | 'integer'
  | 'numeric'
  | 'float'
  | 'boolean'
  | 'uuid'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'text'
  | 'enum'
  | 'other';

const KINDS: Readonly<Record<string, CursorValueKind>> = {
  smallint: 'integer',
  integer: 'integer',
  bigint: 'integer',
  numeric: 'numeric',
  real: 'float',
  'double precision': 'float',
  boolean: 'boolean',
  uuid: 'uuid',
  date: 'date',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
  text: 'text',
  'character varying': 'text',
  character: 'text',
  name: 'text',
  citext: 'text',
};

const INTEGER_RANGE: Readonly<Record<string, readonly [bigint, bigint]>> = {
  smallint: [-(2n ** 15n), 2n ** 15n - 1n],
  integer: [-(2n ** 31n), 2n ** 31n - 1n],
  bigint: [-(2n ** 63n), 2n ** 63n - 1n],
};

/**
 * The kind of a base type as `format_type(oid, NULL)` names it.
 *
 * ```ts
 * kindOf('timestamp with time zone', false) // 'timestamptz'
 * ```
 */
export function kindOf(baseType: string, isEnum: boolean): CursorValueKind {
  return isEnum ? 'enum' : (KINDS[baseType] ?? 'other');
}

/**
 * Whether `text` is a value PostgreSQL accepts for the type, in the exact form it writes.
 * `labels` are an enum's labels.
 *
 * ```ts
 * isValidCursorText('2147483648', 'integer', 'integer') // false: out of range
 * isValidCursorText('2026-12-02T13:05:17.123456+00:00', 'timestamp with time zone', 'timestamptz') // true
 * ```
 */
export function isValidCursorText(
  text: string,
  baseType: string,
  kind: CursorValueKind,
  labels: readonly string[] = [],
): boolean {
  if (text.includes('\u0000')) return false; // no PostgreSQL text value holds NUL
  switch (kind) {
    case 'integer': {
      if (!/^-?\d{1,19}$/.test(text)) return false;
      const [min, max] = INTEGER_RANGE[baseType] ?? INTEGER_RANGE.bigint!;
      const value = BigInt(text);
      return value >= min && value <= max;
    }
    case 'numeric':
      return /^(-?\d{1,1000}(\.\d{1,1000})?|NaN|-?Infinity)$/.test(text);
    case 'float':
      return /^(-?(\d{1,400}(\.\d{0,400})?|\.\d{1,400})(e[+-]?\d{1,4})?|NaN|-?Infinity)$/i.test(text);
    case 'boolean':
      return text === 'true' || text === 'false';
    case 'uuid':
      return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text);
    case 'date':
      return isInfinity(text) || isDate(text, /^(\d{4,7})-(\d{2})-(\d{2})( BC)?$/);
    case 'timestamp':
      return (
        isInfinity(text) ||
        isDate(text, /^(\d{4,7})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?( BC)?$/)
      );
    case 'timestamptz':
      return (
        isInfinity(text) ||
        isDate(
          text,
          /^(\d{4,7})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?[+-]\d{2}(:[0-5]\d){0,2}( BC)?$/,
        )
      );
    case 'enum':
      return labels.includes(text);
    case 'text':
    case 'other':
      return true;
  }
}

function isInfinity(text: string): boolean {
  return text === 'infinity' || text === '-infinity';
}

/** Matches the pattern and names a real calendar day (no 31 February). */
function isDate(text: string, pattern: RegExp): boolean {
  const match = pattern.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year === 0 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

/**
 * For the in-memory fake, which stores JavaScript values: the type a value stands for
 * and its exact text (a `Date` is exact to its millisecond, as the fake stores it).
 *
 * ```ts
 * jsCursorText(10n) // { type: 'bigint', text: '10' }
 * jsCursorValue('10', 'bigint') // 10n
 * ```
 */
export function jsCursorText(value: unknown): { type: string; text: string } | undefined {
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? undefined : { type: 'timestamp with time zone', text: value.toISOString() };
  if (typeof value === 'bigint') return { type: 'bigint', text: value.toString() };
  if (typeof value === 'number') return { type: 'double precision', text: Number.isNaN(value) ? 'NaN' : String(value) };
  if (typeof value === 'boolean') return { type: 'boolean', text: String(value) };
  if (typeof value === 'string') return { type: 'text', text: value };
  return undefined;
}

/** The JavaScript value a fake's cursor text stands for; `undefined` when it is not valid for the type. */
export function jsCursorValue(text: string, type: string): unknown {
  switch (type) {
    case 'timestamp with time zone': {
      const date = new Date(text);
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(text) && !Number.isNaN(date.getTime())
        ? date
        : undefined;
    }
    case 'bigint':
      return /^-?\d{1,19}$/.test(text) ? BigInt(text) : undefined;
    case 'double precision':
      return isValidCursorText(text, type, 'float') ? Number(text) : undefined;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'text':
      return text;
    default:
      return undefined;
  }
}

const ISO_TIMESTAMP = /^(\d{4,7}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d{1,6})?)(?:([+-]\d\d)(:\d\d(?::\d\d)?)?)?( BC)?$/;

/**
 * A timestamp as DateStyle ISO writes it (`2026-01-01 00:00:01.5+00`) in the form cursors
 * carry, JSON's ISO 8601 (`2026-01-01T00:00:01.5+00:00`); undefined for any other text.
 *
 * ```ts
 * isoTimestampText('0044-03-15 12:00:00+05:30 BC', true) // '0044-03-15T12:00:00+05:30 BC'
 * ```
 */
export function isoTimestampText(text: string, withZone: boolean): string | undefined {
  if (isInfinity(text)) return text;
  const match = ISO_TIMESTAMP.exec(text);
  if (match === null) return undefined;
  const [, date, time, hours, rest, bc = ''] = match;
  if ((hours !== undefined) !== withZone) return undefined;
  const zone = hours === undefined ? '' : `${hours}${rest ?? ':00'}`;
  return `${date}T${time}${zone}${bc}`;
}
