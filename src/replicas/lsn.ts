import { ValidationError } from '../errors/application-errors.js';

/** A WAL position (`pg_lsn`, e.g. `0/3000060`) as a number that compares correctly. */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text);
  if (match === null) throw new Error(`not a pg_lsn: ${text}`);
  return (BigInt(`0x${match[1]!}`) << 32n) | BigInt(`0x${match[2]!}`);
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

const TOKEN_PREFIX = 'lsn:';

/** The opaque token of `db.consistencyToken()`: the WAL position a later read must see. */
export function encodeToken(lsn: bigint): string {
  return `${TOKEN_PREFIX}${formatLsn(lsn)}`;
}

/** The WAL position in a token from `db.consistencyToken()`; undefined/empty means none. */
export function decodeToken(token: string | undefined | null): bigint | undefined {
  if (token === undefined || token === null || token === '') return undefined;
  if (typeof token === 'string' && token.startsWith(TOKEN_PREFIX)) {
    try {
      return parseLsn(token.slice(TOKEN_PREFIX.length));
    } catch {
      // reported below
    }
  }
  throw new ValidationError('Invalid consistency token: expected a value from db.consistencyToken()', [
    { path: ['token'], message: 'expected a value from db.consistencyToken()', code: 'invalid_value' },
  ]);
}
