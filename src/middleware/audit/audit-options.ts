import { optionError } from '../../errors/option-error.js';

/**
 * Who made a change, as `actor()` returns it: stored as text, `null`/`undefined` as NULL.
 *
 * @example
 * ```ts
 * const actor = (): AuditActor => currentUser().id
 * const db = createDatabase<DB>({ middleware: [auditLog({ actor })] })
 * ```
 */
export type AuditActor = string | number | bigint | null | undefined;

/**
 * Columns to mask: one list for every audited table, or a list per table name.
 *
 * @example
 * ```ts
 * const everywhere: AuditRedaction = ['password_hash']
 * const perTable: AuditRedaction = { users: ['password_hash', 'email'] }
 * const db = createDatabase<DB>({ middleware: [auditLog({ redact: perTable })] })
 * ```
 */
export type AuditRedaction = readonly string[] | Readonly<Record<string, readonly string[]>>;

/**
 * Options of `auditLog()`: where audit rows go, who is acting, what is never stored.
 *
 * @example
 * ```ts
 * const options: AuditLogOptions = { table: 'audit.audit_log', actor: () => currentUser().id, redact: { users: ['email'] } }
 * const db = createDatabase<DB>({ middleware: [auditLog(options)] })
 * ```
 */
export interface AuditLogOptions {
  /** The audit table (see `auditTableSql()`); may be schema-qualified (`audit.audit_log`). @default 'audit_log' */
  table?: string;
  /**
   * Who is acting, asked once per write, before it runs, in the caller's async context (so
   * it can read a request-scoped `AsyncLocalStorage`). May be async. @default () => null
   */
  actor?: () => AuditActor | Promise<AuditActor>;
  /**
   * Columns whose values never reach the audit table: a changed value is recorded as
   * `'[redacted]'` (a NULL stays NULL), so the change itself is still visible. A list
   * applies to every audited table, and each of its columns must exist in each of them;
   * with a database-wide `auditLog` give a list per table (`{ users: ['password_hash'] }`).
   * Checked against each table's columns on its first write: a missing one is a `ConfigError`.
   * @default []
   */
  redact?: AuditRedaction;
}

/** The options with defaults applied. */
export interface ResolvedAuditOptions {
  readonly table: string;
  readonly actor: () => AuditActor | Promise<AuditActor>;
  readonly redact: AuditRedaction;
}

const FACTORY = { factory: 'auditLog()' };

/**
 * Checks `auditLog()` options at start-up: a bad one is a `ConfigError` naming it.
 *
 * ```ts
 * resolveAuditOptions({ table: '' }) // ConfigError, option 'table'
 * ```
 */
export function resolveAuditOptions(options: AuditLogOptions | undefined): ResolvedAuditOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw optionError('options', 'expected an object such as { table, actor, redact }', FACTORY);
  const { table = 'audit_log', actor = () => null, redact = [] } = options ?? {};
  if (typeof table !== 'string' || table.trim() === '' || table.split('.').some((part) => part === ''))
    throw optionError('table', 'expected the audit table name (e.g. "audit_log" or "audit.audit_log")', FACTORY);
  if (typeof actor !== 'function')
    throw optionError('actor', 'expected a function returning who is acting (string, number, null)', FACTORY);
  const lists = Array.isArray(redact)
    ? [redact]
    : typeof redact === 'object' && redact !== null
      ? Object.values(redact as Record<string, unknown>)
      : [undefined];
  for (const list of lists) {
    if (!Array.isArray(list) || list.some((column) => typeof column !== 'string' || column === ''))
      throw optionError('redact', 'expected a list of column names, or { table: [columns] }', FACTORY);
  }
  return { table, actor, redact };
}

/** The columns to mask in `table`. */
export function redactedColumns(redact: AuditRedaction, table: string): readonly string[] {
  if (Array.isArray(redact)) return redact as readonly string[];
  return Object.hasOwn(redact, table) ? ((redact as Record<string, readonly string[]>)[table] ?? []) : [];
}

/** An actor as stored: text, or NULL. Anything else is a programming mistake. */
export function actorText(actor: unknown): string | null {
  if (actor === null || actor === undefined) return null;
  if (typeof actor === 'string' || typeof actor === 'number' || typeof actor === 'bigint') return String(actor);
  throw optionError('actor', 'expected actor() to return a string, number, bigint, null or undefined', FACTORY);
}
