import { hash } from 'node:crypto';

/**
 * Key layout (`<p>` is the `keyPrefix`, taken as given):
 *
 * - `<p>v:<table>`: the table's version token;
 * - `<p>e2:<table>:<version>:<kind>:<digest>`: one cached result with what its read saw
 *   (`StoredEntry`), where `<digest>` is the base64url SHA-256 of the stable serialization
 *   of everything else the result depends on (arguments, scope, repository settings).
 *   (`e:` held bare results: a release reading one format never serves the other.)
 *
 * Versions, kinds and digests contain no `:`, so a key reads unambiguously from the right
 * whatever the table name holds.
 *
 * ```ts
 * versionKey('app:', 'people') // 'app:v:people'
 * ```
 */
export function versionKey(prefix: string, table: string): string {
  return `${prefix}v:${table}`;
}

/**
 * The key of one cached result; see `versionKey` for the layout.
 *
 * ```ts
 * entryKey('app:', 'people', 'Qw3r7yUx2aBc', 'findById', digestOf(material)) // 'app:e2:people:Qw3r7yUx2aBc:findById:mJ0T…'
 * ```
 */
export function entryKey(prefix: string, table: string, version: string, kind: string, digest: string): string {
  return `${prefix}e2:${table}:${version}:${kind}:${digest}`;
}

/**
 * A short, fixed-length digest of `material` (SHA-256, base64url, 43 characters).
 *
 * ```ts
 * digestOf(stableKeyMaterial([1, undefined]) ?? '').length // 43
 * ```
 */
export function digestOf(material: string): string {
  return hash('sha256', material, 'base64url');
}

/** Beyond this, a value is treated as cyclic: arguments are never nested this deep. */
const MAX_DEPTH = 64;
/** Object keys written without quotes: they cannot contain the serialization's delimiters. */
const BARE_KEY = /^[A-Za-z0-9_$]+$/;

class Unkeyable extends Error {}

/**
 * A deterministic serialization of `value` for cache keys, or `undefined` when `value`
 * holds something that cannot be keyed reliably (functions, symbols, class instances other
 * than Date and Buffer, Maps, cycles): such calls are simply not cached.
 *
 * Object keys are sorted, and every value is tagged with its type, so `1` and `'1'`, a Date
 * and its ISO string, `undefined` and `null`, or `{ a: undefined }` and `{}` never collide.
 *
 * ```ts
 * stableKeyMaterial({ b: 1, a: [new Date(0), 2n] }) === stableKeyMaterial({ a: [new Date(0), 2n], b: 1 }) // true
 * ```
 */
export function stableKeyMaterial(value: unknown): string | undefined {
  try {
    return serialize(value, 0);
  } catch (error) {
    if (error instanceof Unkeyable) return undefined;
    throw error;
  }
}

function serialize(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? 'n-0' : `n${value}`;
    case 'bigint':
      return `b${value}`;
    case 'boolean':
      return value ? 'T' : 'F';
    case 'undefined':
      return 'U';
    case 'object':
      break;
    default:
      throw new Unkeyable();
  }
  if (value === null) return 'N';
  if (depth > MAX_DEPTH) throw new Unkeyable();
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index++)
      text += (index > 0 ? ',' : '') + serialize(value[index], depth + 1);
    return `${text}]`;
  }
  if (value instanceof Date) return `d${value.getTime()}`;
  if (value instanceof Uint8Array)
    return `x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) throw new Unkeyable();
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length > 1) keys.sort();
  let text = '{';
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index] as string;
    text += `${index > 0 ? ',' : ''}${BARE_KEY.test(key) ? key : JSON.stringify(key)}:${serialize(record[key], depth + 1)}`;
  }
  return `${text}}`;
}
