import { ConfigError } from '../../errors/application-errors.js';
import { optionError } from '../../errors/option-error.js';
import { quoteIdentifier } from '../../repository/sql-identifier.js';
import type { OperationRows, RepositoryMiddleware, RepositoryOperation } from '../repository-middleware.js';
import { type AuditChanges, auditValue, rowChanges, rowIdText } from './audit-changes.js';
import { actorText, type AuditLogOptions, redactedColumns, resolveAuditOptions } from './audit-options.js';

type Row = Readonly<Record<string, unknown>>;

/** One audit row about to be written. */
interface PendingEntry {
  readonly rowId: string;
  readonly changes: AuditChanges;
}

/**
 * Records every write (create, createMany, update, updateMany, upsert, delete, hardDelete,
 * restore) in an audit table: one row per changed row, with the table, the primary key,
 * the operation, the changed columns before and after (redacted columns masked), the
 * actor, the operation's scope (the tenant under `tenantFilter()`), the transaction id and
 * the time. The write, the read of its rows before it (`FOR UPDATE`) and the audit insert
 * run in one transaction (the ambient one, or one of its own), so an audit row exists if
 * and only if the change committed. Put it after `tenantFilter()` in the chain. Needs a
 * SQL repository: on the in-memory fake a write is a `ConfigError`.
 *
 * @example
 * ```ts
 * await sql.raw(auditTableSql()).execute(db.kysely) // in a migration
 * const audited = createDatabase<DB>({
 *   middleware: [tenantFilter(), auditLog({ actor: () => currentUser().id, redact: { users: ['password_hash'] } })],
 * })
 * ```
 *
 * @throws ConfigError naming the first invalid option.
 */
export function auditLog(options: AuditLogOptions = {}): RepositoryMiddleware {
  const settings = resolveAuditOptions(options);
  const insert = insertSql(settings.table);
  /** Tables whose redact columns were checked against the catalog. */
  const checked = new Map<string, ReadonlySet<string>>();

  const redactedIn = async (table: string, rows: OperationRows): Promise<ReadonlySet<string>> => {
    const known = checked.get(table);
    if (known !== undefined) return known;
    const wanted = redactedColumns(settings.redact, table);
    const columns = wanted.length === 0 ? undefined : await rows.columns();
    const missing = wanted.find((column) => !columns?.has(column));
    if (missing !== undefined) {
      throw optionError(
        'redact',
        `"${table}" has no column "${missing}"; with a database-wide auditLog(), list the columns per table ({ ${table}: [...] })`,
        { factory: 'auditLog()' },
      );
    }
    const redacted = new Set(wanted);
    checked.set(table, redacted);
    return redacted;
  };

  return {
    name: 'audit',
    async handle(operation, next) {
      const { rows, session } = operation;
      // Reads carry no rows; writes into the audit table itself are not audited again.
      if (rows === undefined || operation.table === settings.table) return next();
      if (session === undefined) {
        throw new ConfigError(
          `auditLog needs a SQL repository: "${operation.table}".${operation.kind} runs on the in-memory fake, which has no transaction to write audit rows in; leave auditLog out of the fake's middleware`,
          { option: 'middleware' },
        );
      }
      const actor = actorText(await settings.actor());
      const redacted = await redactedIn(operation.table, rows);
      return session.inTransaction(async () => {
        const before = await rows.targeted();
        const result = await next();
        const entries = await changedRows(operation, rows, before, result, redacted);
        if (entries.length > 0) {
          // One statement whatever the number of rows: the rows travel as two array parameters.
          await session.query(insert, [
            operation.table,
            operation.kind,
            actor,
            JSON.stringify(auditValue(operation.scope)),
            entries.map((entry) => entry.rowId),
            entries.map((entry) => JSON.stringify(entry.changes)),
          ]);
        }
        return result;
      });
    },
  };
}

/**
 * Pairs each targeted row with its version after the write (returned by the write, or read
 * again by key; absent when deleted), and each returned row nobody targeted (created).
 */
async function changedRows(
  operation: RepositoryOperation,
  rows: OperationRows,
  before: readonly Row[],
  result: unknown,
  redacted: ReadonlySet<string>,
): Promise<PendingEntry[]> {
  const primaryKey = operation.repository.primaryKey;
  const keyOf = (row: Row) => rowIdText(row[primaryKey]);
  const returned = returnedRows(result, primaryKey);
  const after = new Map(returned.map((row) => [keyOf(row), row]));
  const unreturned = before.filter((row) => !after.has(keyOf(row)));
  if (unreturned.length > 0)
    for (const row of await rows.byKeys(unreturned.map((each) => each[primaryKey]))) after.set(keyOf(row), row);
  const targeted = new Set(before.map(keyOf));
  const entries: PendingEntry[] = [];
  for (const row of before) {
    const changes = rowChanges(row, after.get(keyOf(row)), redacted);
    // An update to the values the row already had changed nothing: no audit row.
    if (Object.keys(changes).length > 0) entries.push({ rowId: keyOf(row), changes });
  }
  for (const row of returned)
    if (!targeted.has(keyOf(row))) entries.push({ rowId: keyOf(row), changes: rowChanges(undefined, row, redacted) });
  return entries;
}

/** The rows a write returned: one row (create, update, upsert, restore), a list (createMany), or none. */
function returnedRows(result: unknown, primaryKey: string): Row[] {
  const isRow = (value: unknown): value is Row => typeof value === 'object' && value !== null && primaryKey in value;
  if (Array.isArray(result)) return (result as unknown[]).filter(isRow);
  return isRow(result) ? [result] : [];
}

function insertSql(table: string): string {
  return [
    `insert into ${quoteIdentifier(table)} (table_name, operation, actor, scope, row_id, changes)`,
    `select $1, $2, $3, $4::jsonb, entry.row_id, entry.changes::jsonb`,
    `from unnest($5::text[], $6::text[]) as entry (row_id, changes)`,
  ].join(' ');
}
