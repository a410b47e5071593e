import type { ColumnType } from './column-types.js';
import { compareValues } from './order-by.js';

/**
 * PostgreSQL's equality and order for the in-memory fake, by the column's type: a filter
 * value may be any spelling the column accepts (`'42'` for an integer, an ISO string for a
 * timestamp, `'yes'` for a boolean), compared as the server would after casting it. Without
 * a declared type the kind of the stored value decides.
 */

type Family =
  | 'integer'
  | 'decimal'
  | 'float'
  | 'text'
  | 'bpchar'
  | 'citext'
  | 'uuid'
  | 'time'
  | 'bool'
  | 'json'
  | 'bytes'
  | 'array'
  | 'enum'
  | 'other';

const FAMILIES: Readonly<Record<string, Family>> = {
  int2: 'integer',
  int4: 'integer',
  int8: 'integer',
  numeric: 'decimal',
  float4: 'float',
  float8: 'float',
  text: 'text',
  varchar: 'text',
  name: 'text',
  bpchar: 'bpchar',
  citext: 'citext',
  uuid: 'uuid',
  date: 'time',
  timestamp: 'time',
  timestamptz: 'time',
  bool: 'bool',
  json: 'json',
  jsonb: 'json',
  bytea: 'bytes',
};

function familyOf(type: ColumnType | undefined, actual: unknown, other: unknown): Family {
  if (type !== undefined) {
    if (type.element !== undefined) return 'array';
    return FAMILIES[type.name] ?? (type.labels !== undefined ? 'enum' : 'other');
  }
  if (actual instanceof Date) return 'time';
  if (typeof actual === 'number' || typeof actual === 'bigint') return 'decimal';
  if (typeof actual === 'boolean') return 'bool';
  if (typeof actual === 'string') {
    if (typeof other === 'number' || typeof other === 'bigint') return 'decimal';
    return other instanceof Date ? 'time' : 'text';
  }
  if (ArrayBuffer.isView(actual)) return 'bytes';
  if (Array.isArray(actual)) return 'array';
  return typeof actual === 'object' && actual !== null ? 'json' : 'other';
}

/** `a = b` as PostgreSQL decides it for a column of `type`. */
export function sqlEqualsAs(a: unknown, b: unknown, type: ColumnType | undefined): boolean {
  const family = familyOf(type, a, b);
  if (family === 'json') return jsonEquals(jsonValue(a), jsonValue(b));
  if (family === 'array') {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return (a as unknown[]).every((item, index) => {
      const other = (b as unknown[])[index];
      if (item === null || other === null) return item === other; // array equality treats NULLs as equal
      return sqlEqualsAs(item, other, type?.element);
    });
  }
  return family === 'other' ? sqlEquals(a, b) : sqlCompare(a, b, type) === 0;
}

/** Equality of two stored values of any kind (unique keys, scopes, ids): Dates by time, integers across spellings. */
export function sqlEquals(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a === 'bigint' || typeof b === 'bigint') return String(a) === String(b);
  // An integer given as a decimal string ('42' from a URL) equals the number, as PostgreSQL casts it.
  if (typeof a === 'number' && typeof b === 'string') return integerText(b) === a;
  if (typeof a === 'string' && typeof b === 'number') return integerText(a) === b;
  return a === b;
}

function integerText(text: string): number | undefined {
  return /^[+-]?\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/** The order of `a` and `b` (negative, zero, positive) as PostgreSQL compares them for `type`. */
export function sqlCompare(a: unknown, b: unknown, type: ColumnType | undefined): number {
  const family = familyOf(type, a, b);
  switch (family) {
    case 'integer': {
      const [x, y] = [toBigInt(a), toBigInt(b)];
      if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
      return compareDecimals(a, b);
    }
    case 'decimal':
      return compareDecimals(a, b);
    case 'float':
      return compareFloats(toFloat(a, type), toFloat(b, type));
    case 'text':
      return compareText(String(a), String(b));
    case 'bpchar':
      return compareText(String(a).replace(/ +$/, ''), String(b).replace(/ +$/, ''));
    case 'citext':
      return compareText(String(a).toLowerCase(), String(b).toLowerCase());
    case 'uuid':
      return compareText(uuidText(a), uuidText(b));
    case 'time':
      return compareFloats(toMillis(a), toMillis(b));
    case 'bool':
      return Number(toBool(a)) - Number(toBool(b));
    case 'enum': {
      const labels = type?.labels ?? [];
      return labels.indexOf(String(a)) - labels.indexOf(String(b));
    }
    case 'bytes':
      return ArrayBuffer.isView(a) && ArrayBuffer.isView(b)
        ? Buffer.compare(bytesOf(a), bytesOf(b))
        : compareValues(a, b);
    default:
      return compareValues(a, b);
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toBigInt(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string' && /^\s*[+-]?\d{1,30}\s*$/.test(value)) return BigInt(value.trim());
  return undefined;
}

interface Decimal {
  /** value = digits × 10^-scale */
  readonly digits: bigint;
  readonly scale: number;
}

const DECIMAL_TEXT = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?\s*$/i;

function toDecimal(value: unknown): Decimal | undefined {
  if (typeof value === 'bigint') return { digits: value, scale: 0 };
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
  const match = text === undefined ? null : DECIMAL_TEXT.exec(text);
  if (match === null) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  if (whole === '' && fraction === '') return undefined;
  return { digits: BigInt(`${sign}${whole}${fraction}` || '0'), scale: fraction.length - Number(exponent) };
}

function compareDecimals(a: unknown, b: unknown): number {
  const [x, y] = [toDecimal(a), toDecimal(b)];
  if (x === undefined || y === undefined) return compareFloats(toFloat(a, undefined), toFloat(b, undefined));
  const shift = x.scale - y.scale;
  // Scaling by a huge power of ten would hang on hostile input; such magnitudes compare as doubles.
  if (Math.abs(shift) > 1_000) return compareFloats(toFloat(a, undefined), toFloat(b, undefined));
  const left = shift < 0 ? x.digits * 10n ** BigInt(-shift) : x.digits;
  const right = shift > 0 ? y.digits * 10n ** BigInt(shift) : y.digits;
  return left < right ? -1 : left > right ? 1 : 0;
}

function toFloat(value: unknown, type: ColumnType | undefined): number {
  let number = typeof value === 'number' ? value : Number(typeof value === 'string' ? floatText(value) : value);
  if (type?.name === 'float4') number = Math.fround(number);
  return number;
}

function floatText(text: string): string {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'inf' || trimmed === '+inf' || trimmed === 'infinity' || trimmed === '+infinity') return 'Infinity';
  if (trimmed === '-inf' || trimmed === '-infinity') return '-Infinity';
  return trimmed;
}

/** PostgreSQL orders NaN above every number and equal to itself. */
function compareFloats(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) === Number.isNaN(b) ? 0 : Number.isNaN(a) ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const SPECIAL_TIMES: Readonly<Record<string, () => number>> = {
  infinity: () => Infinity,
  '-infinity': () => -Infinity,
  epoch: () => 0,
  now: () => Date.now(),
};

function toMillis(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== 'string') return Number.NaN;
  const special = SPECIAL_TIMES[value.trim().toLowerCase()];
  if (special !== undefined) return special();
  // PostgreSQL's own spelling: a space between date and time, a zone as `+00`.
  const iso = value
    .trim()
    .replace(/^(\d{4,6}-\d{1,2}-\d{1,2}) /, '$1T')
    .replace(/([+-]\d{2})$/, '$1:00');
  return Date.parse(iso);
}

const BOOL_TRUE = new Set(['true', 't', 'yes', 'y', 'on', '1']);

function toBool(value: unknown): boolean {
  return typeof value === 'boolean' ? value : BOOL_TRUE.has(String(value).trim().toLowerCase());
}

function uuidText(value: unknown): string {
  return String(value).toLowerCase().replace(/[{}-]/g, '');
}

function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** A jsonb value as its structure: JSON text (how a string parameter reaches jsonb) parsed. */
function jsonValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** jsonb equality: objects by their keys whatever the order, arrays in order, numbers by value. */
function jsonEquals(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof a === 'bigint' || typeof b === 'number' || typeof b === 'bigint')
    return (typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')
      ? compareDecimals(a, b) === 0
      : false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return (a as unknown[]).every((item, index) => jsonEquals(item, (b as unknown[])[index]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const left = Object.entries(a).filter(([, value]) => value !== undefined);
    const right = new Map(Object.entries(b).filter(([, value]) => value !== undefined));
    return (
      left.length === right.size && left.every(([key, value]) => right.has(key) && jsonEquals(value, right.get(key)))
    );
  }
  return a === b;
}
