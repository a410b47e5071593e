import { createHash } from 'node:crypto';

/**
 * SHA-256 (hex) of a migration's source after normalization: a leading BOM removed and
 * CRLF / CR line endings turned into LF, so a checkout on Windows or an editor that adds
 * a BOM does not count as an edit.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs'
 * const checksum = migrationChecksum(readFileSync('migrations/0001_users.ts', 'utf8'))
 * const applied = (await migrator.status()).find((row) => row.name === '0001_users')
 * if (applied?.appliedChecksum !== checksum) console.warn('0001_users changed since it was applied')
 * ```
 */
export function migrationChecksum(source: string): string {
  const normalized = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  return createHash('sha256').update(normalized, 'utf8').digest('hex');
}
