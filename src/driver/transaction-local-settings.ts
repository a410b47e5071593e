/**
 * The settings that, behind PgBouncer in transaction mode, cannot be startup parameters
 * (PgBouncer hands the server session to other clients between transactions, and refuses
 * or drops unknown startup parameters): `statementTimeoutMs` and `searchPath`.
 */
export interface SessionSettings {
  readonly statementTimeoutMs?: number | undefined;
  readonly searchPath?: readonly string[] | undefined;
}

/**
 * `set local statement_timeout = 5000; set local search_path = "app", "public"`: sent
 * with BEGIN in one simple query, so the values live exactly as long as the transaction
 * (nothing is left on the server session for the next PgBouncer client). Undefined when
 * neither is configured. The timeout is a validated integer; the schemas are validated
 * identifiers, lower-cased and double-quoted here, which is what the startup option
 * `-c search_path=App` makes of them too (unquoted identifiers fold to lower case).
 */
export function localSettingsSql(settings: SessionSettings): string | undefined {
  const parts: string[] = [];
  const { statementTimeoutMs, searchPath } = settings;
  if (statementTimeoutMs !== undefined) {
    if (!Number.isSafeInteger(statementTimeoutMs) || statementTimeoutMs < 0)
      throw new TypeError('internal: statementTimeoutMs must be a validated integer');
    parts.push(`set local statement_timeout = ${statementTimeoutMs}`);
  }
  if (searchPath !== undefined && searchPath.length > 0) {
    parts.push(`set local search_path = ${searchPath.map(quoteSchema).join(', ')}`);
  }
  return parts.length === 0 ? undefined : parts.join('; ');
}

function quoteSchema(name: string): string {
  return `"${name.toLowerCase().replaceAll('"', '""')}"`;
}

/**
 * Statements an autocommit wrapper must leave alone: transaction control written by hand
 * (wrapping it would nest or end our transaction) and commands PostgreSQL refuses inside
 * a transaction block (25001). They run as they are, without the transaction-local
 * settings, so such statements should name their schema.
 */
const OUTSIDE_TRANSACTION =
  /^(?:begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|prepare\s+transaction|vacuum|cluster|checkpoint|discard|listen|unlisten|(?:create|drop)\s+(?:database|tablespace|subscription)|alter\s+system|(?:create\s+(?:unique\s+)?|drop\s+)index\s+concurrently|reindex\b[^;]*\bconcurrently|alter\s+table\b[^;]*\bdetach\s+partition\b[^;]*\bconcurrently)\b/i;
const LEADING_COMMENTS = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;

/** Whether an autocommit statement must run outside the wrapper transaction (see above). */
export function runsOutsideTransaction(sql: string): boolean {
  const start = LEADING_COMMENTS.exec(sql)?.[0].length ?? 0;
  return OUTSIDE_TRANSACTION.test(start === 0 ? sql : sql.slice(start));
}
