import type { ColumnType } from './column-types.js';

/**
 * What a value of `type` must look like, when `value` does not: a fixed phrase for the
 * error message, never the value itself. `undefined` when the value is acceptable, or
 * when only the server can tell (unknown types pass through, apart from values `pg`
 * cannot send at all). `null` is always accepted here: NOT NULL is the server's check.
 *
 * @example
 * valueProblem('abc', { name: 'int4' }) // 'an integer from -2147483648 to 2147483647'
 * valueProblem(42, { name: 'int4' })    // undefined
 */
export function valueProblem(value: unknown, type: ColumnType | undefined): string | undefined {
  if (value === null) return undefined;
  if (value === undefined) return 'a value (undefined is not allowed)';
  if (typeof value === 'symbol' || typeof value === 'function') return 'a value PostgreSQL can store';
  if (type === undefined) return undefined;
  if (hasToPostgres(value)) return undefined; // the caller serializes it themselves
  if (isBinary(value) && type.name !== 'bytea')
    return `${describe(type)}, not binary data (a Buffer is only accepted for bytea)`;
  if (type.element !== undefined) return arrayProblem(value, type.element);
  const check = CHECKS[type.name];
  if (check !== undefined) return check(value, type);
  if (type.labels !== undefined)
    return typeof value === 'string' && type.labels.includes(value)
      ? undefined
      : `one of the labels of enum ${type.name}`;
  return serializableProblem(value);
}

/** Whether `valueProblem` fully decides values of this type (false: the server may still refuse one). */
export function isFullyChecked(type: ColumnType | undefined): boolean {
  if (type === undefined) return false;
  if (type.element !== undefined) return isFullyChecked(type.element);
  return FULLY_CHECKED.has(type.name) || (type.labels !== undefined && CHECKS[type.name] === undefined);
}

type Check = (value: unknown, type: ColumnType) => string | undefined;

const INT_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int2: [-(2n ** 15n), 2n ** 15n - 1n],
  int4: [-(2n ** 31n), 2n ** 31n - 1n],
  int8: [-(2n ** 63n), 2n ** 63n - 1n],
};

// The same bounds as numbers (exact doubles), so checking a number needs no BigInt work.
const NUMBER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  int2: [-(2 ** 15), 2 ** 15 - 1],
  int4: [-(2 ** 31), 2 ** 31 - 1],
  int8: [-(2 ** 63), 2 ** 63],
};

const DECIMAL = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?\s*$/i;
const SPECIAL_FLOAT = /^\s*[+-]?(?:nan|infinity|inf)\s*$/i;
const UUID = /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i;
const BOOL_WORDS = new Set(['true', 'false', 't', 'f', 'yes', 'no', 'y', 'n', 'on', 'off', '1', '0']);
// ISO 8601 / PostgreSQL's own output: date, optional time, optional zone, optional BC.
const ISO_DATETIME =
  /^\s*\d{4,6}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?\s*(?:z|[+-]\d{1,2}(?::?\d{2}){0,2})?(?:\s+bc)?\s*$/i;
const SPECIAL_DATETIME = new Set(['infinity', '-infinity', 'epoch', 'now', 'today', 'tomorrow', 'yesterday']);
const DATE_TIME_EXPECTED: Readonly<Record<string, string>> = {
  date: 'a valid Date or an ISO 8601 string (date)',
  timestamp: 'a valid Date or an ISO 8601 string (timestamp)',
  timestamptz: 'a valid Date or an ISO 8601 string (timestamptz)',
};
// Years PostgreSQL's timestamp types hold (4713 BC is year -4712).
const MIN_YEAR = -4712;
const MAX_YEAR = 294_276;

function integerCheck(value: unknown, type: ColumnType): string | undefined {
  if (typeof value === 'number') {
    const [low, high] = NUMBER_RANGES[type.name] as readonly [number, number];
    if (Number.isSafeInteger(value) && value >= low && value <= high) return undefined;
    const expected = integerExpected(type);
    return Number.isInteger(value) && value >= low && value <= high
      ? `${expected} (beyond Number.MAX_SAFE_INTEGER: pass a bigint or a string)`
      : expected;
  }
  const [min, max] = INT_RANGES[type.name] as readonly [bigint, bigint];
  const expected = () => integerExpected(type);
  if (typeof value === 'bigint') return value < min || value > max ? expected() : undefined;
  if (typeof value === 'string' && /^[+-]?\d{1,20}$/.test(value)) {
    const parsed = BigInt(value);
    return parsed < min || parsed > max ? expected() : undefined;
  }
  return expected();
}

function integerExpected(type: ColumnType): string {
  const [min, max] = INT_RANGES[type.name] as readonly [bigint, bigint];
  return `an integer from ${min} to ${max}`;
}

function numericCheck(value: unknown, type: ColumnType): string | undefined {
  const expected = 'a finite number, a bigint or a decimal string';
  let magnitude: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return expected;
    magnitude = Math.abs(value);
  } else if (typeof value === 'bigint') {
    magnitude = Math.abs(Number(value));
  } else if (typeof value === 'string' && DECIMAL.test(value)) {
    magnitude = Math.abs(Number(value));
  } else {
    return expected;
  }
  const { precision, scale = 0 } = type;
  if (
    precision !== undefined &&
    precision > 0 &&
    scale >= 0 &&
    scale <= precision &&
    magnitude >= 10 ** (precision - scale)
  ) {
    return `a number with at most ${precision - scale} digits before the decimal point`;
  }
  return undefined;
}

function floatCheck(value: unknown): string | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return undefined;
  return typeof value === 'string' && (DECIMAL.test(value) || SPECIAL_FLOAT.test(value)) ? undefined : 'a number';
}

function boolCheck(value: unknown): string | undefined {
  if (typeof value === 'boolean') return undefined;
  return typeof value === 'string' && BOOL_WORDS.has(value.trim().toLowerCase()) ? undefined : 'a boolean';
}

function textCheck(value: unknown, type: ColumnType): string | undefined {
  if (typeof value !== 'string') return 'a string';
  if (value.includes('\u0000')) return 'a string without NUL characters (PostgreSQL text cannot hold U+0000)';
  if (type.maxLength !== undefined && type.maxLength >= 0) {
    const characters = [...value];
    // PostgreSQL silently drops excess characters when they are all spaces.
    if (characters.length > type.maxLength && characters.slice(type.maxLength).some((character) => character !== ' ')) {
      return `a string of at most ${type.maxLength} characters`;
    }
  }
  return undefined;
}

function uuidCheck(value: unknown): string | undefined {
  return typeof value === 'string' && UUID.test(value) ? undefined : 'a UUID string';
}

function dateTimeCheck(value: unknown, type: ColumnType): string | undefined {
  const expected = DATE_TIME_EXPECTED[type.name] ?? 'a valid Date or an ISO 8601 string';
  if (value instanceof Date) {
    const time = value.getTime();
    if (Number.isNaN(time)) return expected;
    const year = value.getUTCFullYear();
    return year < MIN_YEAR || year > MAX_YEAR ? `${expected} between 4713 BC and 294276 AD` : undefined;
  }
  if (typeof value !== 'string') return expected;
  return ISO_DATETIME.test(value) || SPECIAL_DATETIME.has(value.trim().toLowerCase()) ? undefined : expected;
}

function jsonCheck(value: unknown): string | undefined {
  const expected = 'a JSON value (an object, a number, a boolean, or a string holding JSON text)';
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : expected;
  if (typeof value === 'boolean' || typeof value === 'bigint') return undefined;
  if (typeof value === 'string')
    return parsesAsJson(value) ? undefined : `${expected}; a plain string must be JSON.stringify-ed`;
  // pg sends arrays as PostgreSQL array literals and Dates as timestamps, neither is JSON.
  if (Array.isArray(value)) return `${expected}; pass JSON.stringify(array) for a JSON array`;
  if (value instanceof Date) return expected;
  return serializableProblem(value) === undefined ? undefined : expected;
}

function byteaCheck(value: unknown): string | undefined {
  return isBinary(value) || typeof value === 'string' ? undefined : 'a Buffer (or a bytea literal string)';
}

const CHECKS: Readonly<Record<string, Check>> = {
  int2: integerCheck,
  int4: integerCheck,
  int8: integerCheck,
  numeric: numericCheck,
  float4: floatCheck,
  float8: floatCheck,
  bool: boolCheck,
  text: textCheck,
  varchar: textCheck,
  bpchar: textCheck,
  citext: textCheck,
  name: textCheck,
  uuid: uuidCheck,
  date: dateTimeCheck,
  timestamp: dateTimeCheck,
  timestamptz: dateTimeCheck,
  json: jsonCheck,
  jsonb: jsonCheck,
  bytea: byteaCheck,
};

/** Types whose every value `valueProblem` decides, so the server never refuses one it passed. */
const FULLY_CHECKED: ReadonlySet<string> = new Set([
  'int2',
  'int4',
  'int8',
  'float4',
  'float8',
  'bool',
  'text',
  'varchar',
  'bpchar',
  'citext',
  'name',
  'uuid',
]);

function arrayProblem(value: unknown, element: ColumnType): string | undefined {
  if (!Array.isArray(value)) return `an array of ${describe(element)}`;
  for (const item of value as unknown[]) {
    // Nested arrays are multi-dimensional arrays of the same element type.
    const problem = Array.isArray(item)
      ? arrayProblem(item, element)
      : item === undefined
        ? 'no undefined elements'
        : valueProblem(item, element);
    if (problem !== undefined) return `an array of ${describe(element)}: ${problem}`;
  }
  return undefined;
}

/** What `pg` cannot serialize at all (it would throw a raw TypeError or break the protocol). */
function serializableProblem(value: unknown): string | undefined {
  if (isBinary(value)) return 'a value of this type, not binary data (a Buffer is only accepted for bytea)';
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      const problem =
        item === null || item === undefined || typeof item !== 'object' ? undefined : serializableProblem(item);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null || value instanceof Date) return undefined;
  try {
    JSON.stringify(value);
    return undefined;
  } catch {
    return 'a JSON-serializable value';
  }
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Buffers, typed arrays and DataViews: what `pg` sends in binary format. */
export function isBinary(value: unknown): boolean {
  return ArrayBuffer.isView(value);
}

function hasToPostgres(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && typeof (value as { toPostgres?: unknown }).toPostgres === 'function'
  );
}

function describe(type: ColumnType): string {
  return `a ${type.name} value`;
}
