/**
 * What one audit row says about one column: its value before and after (absent on create / delete).
 *
 * @example
 * ```ts
 * const rows = await sql<AuditRow>`select * from audit_log where table_name = 'users'`.execute(db.kysely)
 * const email: AuditChange | undefined = rows.rows[0]?.changes.email
 * console.log(email?.before, '->', email?.after)
 * ```
 */
export interface AuditChange {
  readonly before?: unknown;
  readonly after?: unknown;
}

/**
 * Column → change, for the columns that changed.
 *
 * @example
 * ```ts
 * function changedColumns(changes: AuditChanges): string[] {
 *   return Object.keys(changes)
 * }
 * ```
 */
export type AuditChanges = Readonly<Record<string, AuditChange>>;

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

type Row = Readonly<Record<string, unknown>>;

/**
 * The changes between two versions of a row: every column of a created row (`after`), of a
 * deleted row (`before`), or the columns whose values differ. Values are JSON (see
 * `auditValue`); redacted columns carry `REDACTED` instead of a non-null value.
 *
 * ```ts
 * rowChanges({ id: 1, name: 'a', pw: 'x' }, { id: 1, name: 'b', pw: 'y' }, new Set(['pw']))
 * // { name: { before: 'a', after: 'b' }, pw: { before: '[redacted]', after: '[redacted]' } }
 * ```
 */
export function rowChanges(
  before: Row | undefined,
  after: Row | undefined,
  redacted: ReadonlySet<string>,
): Record<string, AuditChange> {
  const shown = (column: string, value: unknown) =>
    redacted.has(column) && value !== null && value !== undefined ? REDACTED : auditValue(value);
  const changes: Record<string, AuditChange> = {};
  const columns = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const column of columns) {
    if (before === undefined) changes[column] = { after: shown(column, after?.[column]) };
    else if (after === undefined) changes[column] = { before: shown(column, before[column]) };
    else if (JSON.stringify(auditValue(before[column])) !== JSON.stringify(auditValue(after[column])))
      changes[column] = { before: shown(column, before[column]), after: shown(column, after[column]) };
  }
  return changes;
}

/**
 * A column value as JSON: Dates as ISO strings (millisecond precision, as the driver
 * returns them), bigints as strings, bytes as `\x` hex, json values as they are.
 */
export function auditValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return value.map(auditValue);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, auditValue(inner)]));
  return value;
}

/** A primary-key value as the audit table's `row_id` text. */
export function rowIdText(value: unknown): string {
  const json = auditValue(value);
  return typeof json === 'string' ? json : JSON.stringify(json);
}
