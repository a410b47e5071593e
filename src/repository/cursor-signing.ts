import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Keys that sign cursors (`cursorSecret`): the first signs, every one verifies, so a key
 * can be rotated in without breaking cursors handed out under the previous one.
 */
export type CursorKeys = readonly string[];

const DOMAIN = '@org/data-layer cursor v1\n';
const BINDING_DOMAIN = '@org/data-layer cursor binding v1\n';

/**
 * `cursorSecret` as a list of keys (none when unset).
 *
 * ```ts
 * const keys = cursorKeys(['new-key-0123456789', 'old-key-0123456789'])
 * verifyingKey(payload, signPayload(payload, keys[0]!), keys) // 'new-key-0123456789'
 * ```
 */
export function cursorKeys(secret: string | readonly string[] | undefined): CursorKeys {
  if (secret === undefined) return [];
  return Object.freeze(typeof secret === 'string' ? [secret] : [...secret]);
}

/** The HMAC-SHA256 of the encoded payload under `key`, base64url. */
export function signPayload(payload: string, key: string): string {
  return createHmac('sha256', key).update(DOMAIN).update(payload).digest('base64url');
}

/** The key whose signature `signature` is, compared in constant time; undefined when none. */
export function verifyingKey(payload: string, signature: string, keys: CursorKeys): string | undefined {
  const given = Buffer.from(signature, 'base64url');
  let found: string | undefined;
  for (const key of keys) {
    const expected = createHmac('sha256', key).update(DOMAIN).update(payload).digest();
    // Every key is tried, so the time taken does not tell which one matched.
    if (given.length === expected.length && timingSafeEqual(given, expected) && found === undefined) found = key;
  }
  return found;
}

/**
 * A digest of what the cursor is bound to (table, where filter, middleware scope, tenant):
 * keyed by the signing key when there is one, so it reveals nothing; a plain SHA-256
 * otherwise, which catches accidental reuse but not forgery. `text`: the binding as
 * canonical JSON (`cursorBinding`).
 */
export function bindingDigest(text: string, key: string | undefined): string {
  let digests = recentDigests.get(key);
  if (digests === undefined) {
    if (recentDigests.size >= MAX_RECENT_KEYS) recentDigests.clear();
    recentDigests.set(key, (digests = new Map<string, string>()));
  }
  const known = digests.get(text);
  if (known !== undefined) return known;
  const hash =
    key === undefined ? createHash('sha256').update(BINDING_DOMAIN) : createHmac('sha256', key).update(BINDING_DOMAIN);
  const digest = hash.update(text).digest('base64url').slice(0, 22);
  if (digests.size >= MAX_RECENT_DIGESTS) digests.clear();
  digests.set(text, digest);
  return digest;
}

/**
 * Digests of recent bindings, per key: every page decodes one cursor and encodes the next
 * for the same binding, and a feed pages through the same ones, so most digests repeat
 * (a SHA-256 or HMAC costs several µs, most of a page's cursor work). Bounded: cleared
 * when full. Only the digests' inputs are kept, in this process's memory, never logged.
 */
const recentDigests = new Map<string | undefined, Map<string, string>>();
const MAX_RECENT_DIGESTS = 512;
const MAX_RECENT_KEYS = 16;

/**
 * JSON with sorted keys and tagged Dates, bigints and bytes, so equal filters give equal
 * text whatever their key order. Undefined values are left out, as filters ignore them.
 */
export function canonicalJson(value: unknown, depth = 0): string {
  // Deep enough for every filter `where` accepts (AND/OR nest at most MAX_FILTER_DEPTH
  // levels, two each): below it, two filters differing only deeper would share a binding.
  if (depth > 64) return '"…"';
  if (value === undefined) return 'null';
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string')
    return JSON.stringify(value) ?? 'null';
  if (typeof value === 'bigint') return `{"$bigint":${JSON.stringify(value.toString())}}`;
  if (value instanceof Date)
    return `{"$date":${JSON.stringify(Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString())}}`;
  if (value instanceof Uint8Array) return `{"$bytes":"${Buffer.from(value).toString('hex')}"}`;
  if (Array.isArray(value)) return `[${value.map((each) => canonicalJson(each, depth + 1)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, each]) => each !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, each]) => `${JSON.stringify(key)}:${canonicalJson(each, depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(`<${typeof value}>`); // functions and symbols: never in a filter
}
