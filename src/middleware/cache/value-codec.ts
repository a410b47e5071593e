/**
 * Copying and serializing cached values. Rows from PostgreSQL hold strings, numbers,
 * booleans, null, Dates, Buffers (bytea), bigints (when a type parser makes them) and
 * JSON (objects, arrays); all of these survive `cloneCacheValue` and a round trip through
 * `encodeCacheValue` / `decodeCacheValue` with their types intact.
 */

/**
 * Turns values into text and back, for stores that hold strings (Redis).
 *
 * @example
 * ```ts
 * const plainJson: CacheValueCodec = { encode: (value) => JSON.stringify(value), decode: (text) => JSON.parse(text) as unknown }
 * declare const redis: RedisCacheClient
 * const store = redisCacheStore(redis, { codec: plainJson })
 * ```
 */
export interface CacheValueCodec {
  encode(value: unknown): string;
  decode(text: string): unknown;
}

/** Deeper than this is treated as a cycle: rows are never nested this deep. */
const MAX_DEPTH = 100;

/**
 * A deep, independent copy: Dates stay Dates, Buffers stay Buffers, Maps and Sets are
 * copied, and other objects keep their prototype. Primitives (including bigint) are
 * returned as they are.
 *
 * @example
 * ```ts
 * const row = { id: 1, created_at: new Date() }
 * const copy = cloneCacheValue(row) // copy.created_at instanceof Date, copy !== row
 * ```
 */
export function cloneCacheValue<T>(value: T): T {
  return clone(value, 0) as T;
}

function clone(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH)
    throw new TypeError(`cached values must not be cyclic or nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((item: unknown) => clone(item, depth + 1));
  if (value instanceof Date) return new Date(value.getTime());
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return structuredClone(value);
  if (value instanceof Map)
    return new Map(
      [...value].map(([key, item]: [unknown, unknown]) => [clone(key, depth + 1), clone(item, depth + 1)]),
    );
  if (value instanceof Set) return new Set([...value].map((item: unknown) => clone(item, depth + 1)));
  const prototype: unknown = Object.getPrototypeOf(value);
  const copy: Record<string, unknown> =
    prototype === Object.prototype ? {} : (Object.create(prototype as object | null) as Record<string, unknown>);
  for (const key of Object.keys(value)) assign(copy, key, clone((value as Record<string, unknown>)[key], depth + 1));
  return copy;
}

/** `target[key] = value`, except that a `__proto__` key (JSON data may have one) stays an own field. */
function assign<V>(target: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

// ---- JSON with types ----
//
// Values JSON cannot hold become one-key tag objects: {"$date": iso}, {"$bigint": "12"},
// {"$bytes": base64}, {"$undefined": 1}, {"$number": "NaN"}. A plain object that itself has
// a key starting with "$" is wrapped as {"$object": {...}}, so a tag can never be confused
// with data. Other class instances are stored as plain objects (own enumerable fields).

const TAGS = new Set(['$date', '$bigint', '$bytes', '$undefined', '$number', '$object']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * JSON text for `value` that `decodeCacheValue` turns back into an equal value with the
 * same types (Date, bigint, Buffer, undefined, NaN and ±Infinity included).
 *
 * @example
 * ```ts
 * const text = encodeCacheValue({ id: 1n, at: new Date(0) })
 * decodeCacheValue(text) // { id: 1n, at: Date(1970-01-01) }
 * ```
 *
 * @throws TypeError for functions, symbols and cyclic values.
 */
export function encodeCacheValue(value: unknown): string {
  return JSON.stringify(toJson(value, 0));
}

/**
 * Reverses `encodeCacheValue`.
 *
 * @example
 * ```ts
 * declare const redis: RedisCacheClient
 * const row = decodeCacheValue((await redis.get('app:users:1')) ?? 'null')
 * ```
 *
 * @throws SyntaxError or TypeError for text that `encodeCacheValue` did not produce.
 */
export function decodeCacheValue(text: string): unknown {
  return fromJson(JSON.parse(text) as Json, 0);
}

/**
 * The codec `redisCacheStore()` uses unless given another.
 *
 * @example
 * ```ts
 * declare const redis: RedisCacheClient
 * const store = redisCacheStore(redis, { codec: jsonCacheCodec })
 * ```
 */
export const jsonCacheCodec: CacheValueCodec = Object.freeze({ encode: encodeCacheValue, decode: decodeCacheValue });

function toJson(value: unknown, depth: number): Json {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0)
        ? value
        : { $number: Object.is(value, -0) ? '-0' : String(value) };
    case 'bigint':
      return { $bigint: value.toString() };
    case 'undefined':
      return { $undefined: 1 };
    case 'object':
      break;
    default:
      throw new TypeError(`a ${typeof value} cannot be cached`);
  }
  if (value === null) return null;
  if (depth > MAX_DEPTH)
    throw new TypeError(`cached values must not be cyclic or nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((item: unknown) => toJson(item, depth + 1));
  if (value instanceof Date) return { $date: Number.isNaN(value.getTime()) ? null : value.toISOString() };
  if (value instanceof Uint8Array)
    return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  const fields: { [key: string]: Json } = {};
  let tagLike = false;
  for (const key of Object.keys(value)) {
    if (key.startsWith('$')) tagLike = true;
    assign(fields, key, toJson((value as Record<string, unknown>)[key], depth + 1));
  }
  return tagLike ? { $object: fields } : fields;
}

function fromJson(json: Json, depth: number): unknown {
  if (typeof json !== 'object' || json === null) return json;
  if (depth > MAX_DEPTH) throw new TypeError('cached text is nested too deeply');
  if (Array.isArray(json)) return json.map((item) => fromJson(item, depth + 1));
  const keys = Object.keys(json);
  const tag = keys.length === 1 ? keys[0] : undefined;
  if (tag !== undefined && TAGS.has(tag)) return fromTag(tag, json[tag] ?? null, depth);
  return fromFields(json, depth);
}

function fromTag(tag: string, payload: Json, depth: number): unknown {
  switch (tag) {
    case '$date':
      return new Date(typeof payload === 'string' ? payload : Number.NaN);
    case '$bigint':
      return BigInt(expectString(payload, tag));
    case '$bytes':
      return Buffer.from(expectString(payload, tag), 'base64');
    case '$undefined':
      return undefined;
    case '$number':
      return Number(expectString(payload, tag));
    default: // $object
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
        throw new TypeError('malformed $object in cached text');
      return fromFields(payload, depth);
  }
}

function fromFields(json: { [key: string]: Json }, depth: number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(json)) assign(result, key, fromJson(json[key] ?? null, depth + 1));
  return result;
}

function expectString(payload: Json, tag: string): string {
  if (typeof payload !== 'string') throw new TypeError(`malformed ${tag} in cached text`);
  return payload;
}
